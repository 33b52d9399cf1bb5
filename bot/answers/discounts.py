"""Discounts: current promotions, price protection, a firm and polite answer to bargaining (E14)."""

from __future__ import annotations

from datetime import date

from bot.answers.common import Facts, Outcome, Reply, answer, fmt_date, join, mentions
from bot.shop import ShopRepository


def answer_discount(shop: ShopRepository, facts: Facts) -> Outcome:
    """Answer with the shop's real promotions; never invent a discount (E9)."""
    promo = shop.policies().promotions
    if mentions(facts.text, "discount", "price_protection"):
        return answer(
            Reply(
                "utter_discount_price_protection", {"price_protection": promo["price_protection"]}
            )
        )
    current = Reply(
        "utter_discount_current",
        {
            "thresholds": join(t["label"] for t in promo["threshold_discounts"]),
            "coupons": join(f"{c['name']}{c['label']}" for c in promo["coupons"]),
            "member": promo["member_discount"]["label"],
            "member_how": promo["member_discount"]["how"],
            "stackable": promo["stackable"],
            "ends": fmt_date(date.fromisoformat(str(promo["ends"]))),
        },
    )
    if not mentions(facts.text, "discount", "bargain"):
        return answer(current)
    bargaining = promo["bargaining"]
    if bargaining.get("max_extra_off", 0) > 0:
        firm = Reply(
            "utter_discount_bargain_extra",
            {
                "max_extra_off": str(bargaining["max_extra_off"]),
                "min_spend": str(bargaining["min_spend"]),
                "how": bargaining["how"],
            },
        )
    else:
        firm = Reply("utter_discount_bargain_final")
    return answer(firm, current)
