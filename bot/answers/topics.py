"""The registry of answerable topics, so that a topic left half-way can be resumed by name."""

from __future__ import annotations

from collections.abc import Callable

from bot.answers.common import Facts, Outcome
from bot.answers.discounts import answer_discount
from bot.answers.faq import answer_material
from bot.answers.returns import answer_return
from bot.answers.shipping import answer_shipping
from bot.answers.sizing import recommend_size
from bot.answers.stock import answer_stock
from bot.shop import ShopRepository

TopicAnswer = Callable[[ShopRepository, Facts], Outcome]

TOPICS: dict[str, TopicAnswer] = {
    "stock": answer_stock,
    "size": recommend_size,
    "shipping": answer_shipping,
    "return": answer_return,
    "discount": answer_discount,
    "material": answer_material,
}


def answer_topic(topic: str, shop: ShopRepository, facts: Facts) -> Outcome:
    """Answer ``topic`` (a key of TOPICS) for ``facts``."""
    return TOPICS[topic](shop, facts)


def guess_topic(facts: Facts) -> str | None:
    """The topic a bare fact most likely continues when no topic is pending."""
    if facts.height is not None or facts.weight is not None or facts.foot_length is not None:
        return "size"
    if facts.age is not None:
        return "size"
    if facts.order_id:
        return "shipping"
    if facts.region or facts.carrier:
        return "shipping"
    if facts.product or facts.colour or facts.size:
        return "stock"
    return None
