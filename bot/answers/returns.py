"""Returns and refunds: whether the buyer's case qualifies, the steps, postage and refund time."""

from __future__ import annotations

import re
from typing import Any

from bot.answers.common import Facts, Outcome, Reply, answer, fmt_steps, mentions
from bot.shop import ShopRepository
from bot.shop.models import Order

_DAYS = re.compile(r"(\d{1,3})\s*天")


def days_since_delivery(order: Order | None, facts: Facts) -> int | None:
    """Days since the parcel was signed for: from the order, else from "收到3天了"."""
    if order is not None and order.delivered_at is not None:
        return (facts.today - order.delivered_at).days
    found = _DAYS.search(facts.text)
    return int(found.group(1)) if found else None


def answer_return(shop: ShopRepository, facts: Facts) -> Outcome:
    """Say whether the buyer's case qualifies for a return and how to do it."""
    policy = shop.policies().returns
    order = shop.order(facts.order_id) if facts.order_id else None
    days = days_since_delivery(order, facts)
    text = facts.text
    if mentions(text, "returns", "refund") and not mentions(text, "returns", "quality"):
        return answer(_refund_reply(policy))
    verdict = _verdict(policy, text, days)
    if verdict.response in {"utter_return_expired", "utter_return_quality_expired"}:
        return answer(verdict, offer="human")
    replies = [verdict]
    if verdict.response != "utter_return_quality":
        replies.append(_postage_reply(policy, order))
    replies.append(
        Reply(
            "utter_return_steps",
            {
                "steps": fmt_steps(policy["steps"]),
                "refund_days": str(policy["refund_days"]),
                "refund_to": policy["refund_to"],
            },
        )
    )
    return answer(*replies)


def _verdict(policy: dict[str, Any], text: str, days: int | None) -> Reply:
    common = {
        "no_reason_days": str(policy["no_reason_days"]),
        "quality_days": str(policy["quality_days"]),
        "conditions": policy["conditions"],
        "days": "" if days is None else str(days),
    }
    if mentions(text, "returns", "quality"):
        if days is not None and days > policy["quality_days"]:
            return Reply("utter_return_quality_expired", common)
        return Reply(
            "utter_return_quality",
            {
                **common,
                "postage": policy["postage"]["quality"],
                "evidence": policy["quality_evidence"],
            },
        )
    if mentions(text, "returns", "worn"):
        return Reply("utter_return_condition_worn", common)
    if mentions(text, "returns", "tags"):
        return Reply("utter_return_condition_tags", common)
    if days is None:
        return Reply("utter_return_policy", {**common, "excluded": policy["excluded"]})
    if days > policy["no_reason_days"]:
        return Reply("utter_return_expired", common)
    return Reply("utter_return_eligible", common)


def _postage_reply(policy: dict[str, Any], order: Order | None) -> Reply:
    if order is not None and order.freight_insurance:
        return Reply("utter_return_postage_insured", {"insurance": policy["freight_insurance"]})
    return Reply(
        "utter_return_postage",
        {"postage": policy["postage"]["no_reason"], "insurance": policy["freight_insurance"]},
    )


def _refund_reply(policy: dict[str, Any]) -> Reply:
    return Reply(
        "utter_return_refund",
        {"refund_days": str(policy["refund_days"]), "refund_to": policy["refund_to"]},
    )
