"""What the console shows beside a transcript: the bot's reading of each buyer message,
the order's facts and the shop's reference data (the same data the bot answers from, E9).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from bot.shop.models import Order, Policies

REFERENCE_DOCUMENTS = ("shop", "promotions", "shipping", "returns")


def nlu_by_message(user_events: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """The intent and sentiment Rasa gave each buyer message, keyed by the gateway's id.

    The gateway passes its message id in the metadata of every message it sends to Rasa.
    """
    readings: dict[int, dict[str, Any]] = {}
    for event in user_events:
        message_id = (event.get("metadata") or {}).get("message_id")
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        if not isinstance(message_id, int) or not intent.get("name"):
            continue
        readings[message_id] = {
            "intent": {
                "name": intent["name"],
                "confidence": round(float(intent.get("confidence") or 0.0), 3),
            },
            "sentiment": _sentiment(parse.get("sentiment")),
        }
    return readings


def _sentiment(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping) or "label" not in value:
        return None
    return {"label": value["label"], "confidence": round(float(value.get("confidence", 0)), 3)}


def order_view(order: Order, product_names: Mapping[str, str]) -> dict[str, Any]:
    """An order's facts for the agent, with product names beside their ids."""
    facts = asdict(order)
    for key in ("paid_at", "shipped_at", "delivered_at"):
        facts[key] = facts[key].isoformat() if facts[key] else None
    for item in facts["items"]:
        item["name"] = product_names.get(item["product_id"], item["product_id"])
    return facts


def reference_view(policies: Policies) -> dict[str, Any]:
    """The shop's facts, promotions, shipping and returns rules, as the bot reads them."""
    return {name: getattr(policies, name) for name in REFERENCE_DOCUMENTS}
