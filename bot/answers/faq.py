"""Other frequent questions (invoice, payment, cancel, change, material) answered from shop data."""

from __future__ import annotations

from bot.answers.catalogue import resolve_product
from bot.answers.common import Facts, Outcome, Reply, answer
from bot.shop import ShopRepository

FAQ_TOPICS = ("invoice", "payment", "cancel_order", "change_order")


def answer_faq(shop: ShopRepository, topic: str) -> Outcome:
    """Answer one FAQ topic with the shop's own wording from faq.yml."""
    faq = shop.policies().faq
    return answer(Reply(f"utter_faq_{topic}", {"answer": faq[topic]}))


def answer_material(shop: ShopRepository, facts: Facts) -> Outcome:
    """The product's material and care instructions."""
    product = resolve_product(shop, facts, "utter_ask_product_for_material")
    if isinstance(product, Outcome):
        return product
    return answer(
        Reply(
            "utter_material",
            {"product": product.name, "material": product.material, "care": product.care},
        ),
        slots={"product": product.name},
    )
