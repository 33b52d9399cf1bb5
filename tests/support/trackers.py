"""Building Rasa SDK trackers for action tests."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    intent: str,
    text: str = "",
    slots: dict[str, Any] | None = None,
    *,
    bot_spoke: bool = True,
    sender_id: str = "test-conversation",
    sentiment: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest message has ``intent`` (and ``sentiment``, when given);
    ``bot_spoke`` says whether the bot already replied in this session (which decides
    the E2 introduction)."""
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    if bot_spoke:
        events.append({"event": "bot", "text": "您好"})
    latest: dict[str, Any] = {
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [],
        "text": text,
    }
    if sentiment is not None:
        latest["sentiment"] = sentiment
    events.append({"event": "user", "text": text, "parse_data": latest})
    return Tracker(
        sender_id=sender_id,
        slots={"misunderstood": 0.0, **(slots or {})},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def sent(dispatcher) -> list[str]:
    """Response names (or custom payload keys) the dispatcher collected, in order."""
    names = []
    for message in dispatcher.messages:
        names.append(message.get("response") or "custom:" + ",".join(message["custom"]))
    return names


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot values an action set."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
