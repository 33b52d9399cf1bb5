"""The one result type every rule-based extractor returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntityMatch:
    """An entity found in a message.

    Attributes:
        entity: The entity name, e.g. ``"height"`` or ``"product"``.
        value: The canonical value, e.g. ``"165"`` or ``"碎花连衣裙"``.
        start: Offset of the first character of the match in the message.
        end: Offset just past the last character, so ``message[start:end] == text``.
        text: The words the buyer wrote.
    """

    entity: str
    value: str
    start: int
    end: int
    text: str
