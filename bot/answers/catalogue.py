"""Resolving what the buyer named into a catalogue product."""

from __future__ import annotations

from bot.answers.common import Facts, Outcome, ask, join
from bot.shop import ShopRepository
from bot.shop.models import Product


def resolve_product(shop: ShopRepository, facts: Facts, ask_response: str) -> Product | Outcome:
    """The product the buyer means, or the outcome that asks for (or corrects) it.

    Args:
        shop: the shop data.
        facts: the conversation's facts.
        ask_response: the template that asks which product, topic by topic.
    """
    if not facts.product:
        return ask(ask_response, "product", examples=join(p.name for p in shop.products()[:3]))
    product = shop.find_product(facts.product)
    if product is None:
        return ask(
            "utter_product_not_found",
            "product",
            slots={"product": None},
            product=facts.product,
            catalogue=join(p.name for p in shop.products()),
        )
    return product
