"""Reading the buyer's facts out of a Rasa SDK tracker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from rasa_sdk import Tracker

from bot.answers import Facts

TEXT_SLOTS = ("product", "colour", "size", "order_id", "region", "carrier")
NUMBER_SLOTS = ("height", "weight", "age", "foot_length")


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def facts_from_tracker(tracker: Tracker, today: date) -> Facts:
    """The facts slots hold, with the latest message's (Simplified) text."""
    text = (tracker.latest_message or {}).get("text") or ""
    values: dict[str, Any] = {name: tracker.get_slot(name) or None for name in TEXT_SLOTS}
    values.update({name: _number(tracker.get_slot(name)) for name in NUMBER_SLOTS})
    return Facts(text=text, today=today, conversation_id=tracker.sender_id, **values)


def with_slots(facts: Facts, slots: Mapping[str, Any]) -> Facts:
    """``facts`` updated by slot corrections an outcome made."""
    known = {k: v for k, v in slots.items() if k in TEXT_SLOTS or k in NUMBER_SLOTS}
    for name in NUMBER_SLOTS:
        if name in known:
            known[name] = _number(known[name])
    return replace(facts, **known)


def is_first_reply(tracker: Tracker) -> bool:
    """Whether the bot has not said anything yet in this session (rule E2)."""
    events = tracker.events or []
    start = max(
        (i for i, e in enumerate(events) if e.get("event") == "session_started"), default=-1
    )
    return not any(e.get("event") == "bot" for e in events[start + 1 :])


def latest_sentiment(tracker: Tracker) -> dict[str, Any]:
    """The latest message's ``sentiment`` object (neutral when the model gave none)."""
    sentiment = (tracker.latest_message or {}).get("sentiment")
    return sentiment if isinstance(sentiment, dict) else {"label": "neutral", "confidence": 0.0}


def is_upset(tracker: Tracker) -> bool:
    """Whether the buyer's latest message reads negative."""
    return latest_sentiment(tracker).get("label") == "negative"
