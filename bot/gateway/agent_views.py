"""What the console shows beside a transcript: the order's facts and the shop's reference
data (the same data the bot answers from, E9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from bot.shop.models import Order, Policies

REFERENCE_DOCUMENTS = ("shop", "promotions", "shipping", "returns")


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
