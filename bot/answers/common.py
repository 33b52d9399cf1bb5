"""Types shared by the topic functions, and the display formats they use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Reply:
    """One response template from ``domain.yml`` and the values for its placeholders."""

    response: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What the buyer has told us so far (slots) and the message being answered."""

    text: str = ""
    today: date = field(default_factory=date.today)
    conversation_id: str = ""
    product: str | None = None
    colour: str | None = None
    size: str | None = None
    height: float | None = None
    weight: float | None = None
    age: float | None = None
    foot_length: float | None = None
    order_id: str | None = None
    region: str | None = None
    carrier: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The answer to one topic.

    Attributes:
        replies: templates to send, in order.
        slots: slot corrections (e.g. a canonical product name, or None to forget a value
            that does not fit the product).
        missing: the fact the bot has just asked for; None when the topic is answered.
        offer: what the last reply offered ("restock_notice", "human"), so that a plain
            "好的" can accept it.
        custom: structured payloads sent after the replies (a product card).
    """

    replies: tuple[Reply, ...]
    slots: Mapping[str, Any] = field(default_factory=dict)
    missing: str | None = None
    offer: str | None = None
    custom: tuple[dict[str, Any], ...] = ()


def ask(
    response: str, missing: str, slots: Mapping[str, Any] | None = None, **params: str
) -> Outcome:
    """An outcome that asks the buyer for ``missing`` with one template."""
    return Outcome(replies=(Reply(response, params),), slots=slots or {}, missing=missing)


def answer(
    *replies: Reply,
    slots: Mapping[str, Any] | None = None,
    offer: str | None = None,
    custom: tuple[dict[str, Any], ...] = (),
) -> Outcome:
    """An outcome that answers the topic."""
    return Outcome(replies=tuple(replies), slots=slots or {}, offer=offer, custom=custom)


@cache
def _formats() -> dict[str, str]:
    return yaml.safe_load((_HERE / "formats.yml").read_text(encoding="utf-8"))


@cache
def aspects(topic: str) -> dict[str, tuple[str, ...]]:
    """Keyword lists per aspect of ``topic`` (see aspects.yml)."""
    data = yaml.safe_load((_HERE / "aspects.yml").read_text(encoding="utf-8"))
    return {name: tuple(words) for name, words in data[topic].items()}


def mentions(text: str, topic: str, aspect: str) -> bool:
    """Whether ``text`` contains a keyword of ``aspect`` of ``topic``."""
    return any(word in text for word in aspects(topic)[aspect])


def join(items: Iterable[Any]) -> str:
    """Items as a Chinese enumeration: 蓝色、粉色."""
    return _formats()["list_separator"].join(str(i) for i in items)


def fmt_date(value: date) -> str:
    """A date as buyers read it: 12月5日."""
    return _formats()["date"].format(month=value.month, day=value.day)


def fmt_number(value: float) -> str:
    """A number without a useless trailing .0."""
    return f"{value:g}"


def fmt_sku(colour: str, size: str) -> str:
    """A SKU as buyers read it: 蓝色M码."""
    return _formats()["sku"].format(colour=colour, size=size)


def fmt_product(name: str, price: float) -> str:
    """A product with its price."""
    return _formats()["product_with_price"].format(name=name, price=fmt_number(price))


def fmt_steps(steps: Iterable[str]) -> str:
    """Numbered steps on one line."""
    step = _formats()["step"]
    return _formats()["step_separator"].join(
        step.format(number=n, text=t) for n, t in enumerate(steps, start=1)
    )
