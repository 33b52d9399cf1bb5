"""Shipping: fees and times by region, carriers, dispatch, and where an order is."""

from __future__ import annotations

from typing import Any

from bot.answers.common import Facts, Outcome, Reply, answer, ask, fmt_date, join, mentions
from bot.shop import ShopRepository
from bot.shop.models import Order


def answer_shipping(shop: ShopRepository, facts: Facts) -> Outcome:
    """Answer a shipping question: an order's whereabouts, a region, a carrier or the basics."""
    rules = shop.policies().shipping
    if facts.order_id or mentions(facts.text, "shipping", "tracking"):
        return _order_status(shop, facts, rules)
    replies: list[Reply] = []
    if facts.region:
        replies.append(_region_reply(rules, facts.region))
    if facts.carrier:
        replies.append(_carrier_reply(rules, facts.carrier))
    if not replies or mentions(facts.text, "shipping", "dispatch"):
        replies.insert(0, _general_reply(rules))
    return answer(*replies)


def _general_reply(rules: dict[str, Any]) -> Reply:
    return Reply(
        "utter_shipping_general",
        {
            "dispatch": rules["dispatch"],
            "default_carrier": rules["default_carrier"],
            "free_min": str(rules["free_shipping_min_spend"]),
            "base_fee": str(rules["base_fee"]),
            "days": rules["regions"]["default"]["days"],
        },
    )


def _region_reply(rules: dict[str, Any], region: str) -> Reply:
    regions = rules["regions"]
    for blocked in regions.get("no_delivery", []):
        if region in blocked["provinces"]:
            return Reply(
                "utter_shipping_no_delivery", {"region": region, "reason": blocked["reason"]}
            )
    group = next(
        (g for g in regions.get("groups", []) if region in g["provinces"]), regions["default"]
    )
    params = {
        "region": region,
        "days": group["days"],
        "free_min": str(rules["free_shipping_min_spend"]),
        "base_fee": str(rules["base_fee"]),
        "extra_fee": str(group.get("extra_fee", 0)),
    }
    if group.get("extra_fee", 0) or group.get("free_shipping") is False:
        return Reply("utter_shipping_region_remote", params)
    return Reply("utter_shipping_region", params)


def _carrier_reply(rules: dict[str, Any], wanted: str) -> Reply:
    carrier = next(
        (c for c in rules["carriers"] if wanted == c["name"] or wanted in c["aliases"]), None
    )
    if carrier is None:
        names = join(c["name"] for c in rules["carriers"])
        return Reply("utter_shipping_carrier_unknown", {"carrier": wanted, "carriers": names})
    if carrier["extra_fee"]:
        return Reply(
            "utter_shipping_carrier_extra",
            {"carrier": carrier["name"], "extra_fee": str(carrier["extra_fee"])},
        )
    return Reply("utter_shipping_carrier_free", {"carrier": carrier["name"]})


def _order_status(shop: ShopRepository, facts: Facts, rules: dict[str, Any]) -> Outcome:
    if not facts.order_id:
        return ask("utter_ask_order_id", "order_id")
    order = shop.order(facts.order_id)
    if order is None:
        return ask("utter_order_not_found", "order_id", {"order_id": None}, order_id=facts.order_id)
    return answer(_order_reply(order, rules), slots={"order_id": order.id})


def _order_reply(order: Order, rules: dict[str, Any]) -> Reply:
    params = {
        "order_id": order.id,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no or "",
    }
    if order.delivered_at:
        return Reply(
            "utter_order_delivered", {**params, "delivered_at": fmt_date(order.delivered_at)}
        )
    if order.shipped_at:
        params["shipped_at"] = fmt_date(order.shipped_at)
        if order.tracking:
            latest = order.tracking[-1]
            return Reply(
                "utter_order_shipped",
                {**params, "latest_time": latest.time, "latest_event": latest.event},
            )
        return Reply("utter_order_shipped_no_events", params)
    return Reply("utter_order_waiting", {**params, "dispatch": rules["dispatch"]})
