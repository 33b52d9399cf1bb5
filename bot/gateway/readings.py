"""The bot's reading (intent, sentiment, entities) of every buyer line, for the console.

Lines the bot answered carry Rasa's own reading in its tracker (the gateway passes its
message id in the metadata). Lines written while a person had the conversation never
reached the bot, so they are parsed with ``/model/parse`` once and remembered.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.errors import UpstreamError
from bot.gateway.models import StoredMessage
from bot.gateway.rasa_client import RasaClient

REMEMBERED_READINGS = 5000
# A long human chat is parsed a few lines at a time, not all at once.
MAX_PARSES_PER_VIEW = 30


def reading_of(parse: Mapping[str, Any]) -> dict[str, Any] | None:
    """The console's view of one Rasa parse result, or None without an intent."""
    intent = parse.get("intent") or {}
    if not intent.get("name"):
        return None
    return {
        "intent": {
            "name": intent["name"],
            "confidence": round(float(intent.get("confidence") or 0.0), 3),
        },
        "sentiment": _sentiment(parse.get("sentiment")),
        "entities": [
            {"entity": e["entity"], "value": e.get("value")}
            for e in parse.get("entities") or []
            if isinstance(e, Mapping) and e.get("entity")
        ],
    }


def _sentiment(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping) or "label" not in value:
        return None
    return {"label": value["label"], "confidence": round(float(value.get("confidence", 0)), 3)}


def readings_from_tracker(user_events: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Rasa's reading of each buyer line it saw, keyed by the gateway's message id."""
    readings: dict[int, dict[str, Any]] = {}
    for event in user_events:
        message_id = (event.get("metadata") or {}).get("message_id")
        reading = reading_of(event.get("parse_data") or {})
        if isinstance(message_id, int) and reading is not None:
            readings[message_id] = reading
    return readings


class MessageReadings:
    """Readings of buyer lines: from Rasa's tracker, else parsed once and remembered."""

    def __init__(self, rasa: RasaClient) -> None:
        self._rasa = rasa
        self._parsed: OrderedDict[int, dict[str, Any]] = OrderedDict()

    async def for_transcript(
        self, conversation_id: str, history: Sequence[StoredMessage]
    ) -> dict[int, dict[str, Any]]:
        """Readings of the buyer lines of ``history`` (none when Rasa is down)."""
        try:
            readings = readings_from_tracker(await self._rasa.user_events(conversation_id))
        except UpstreamError:
            return {}
        missing = [m for m in history if m.sender == "buyer" and m.text and m.id not in readings][
            -MAX_PARSES_PER_VIEW:
        ]
        parsed = await asyncio.gather(*(self._parsed_reading(m) for m in missing))
        for message, reading in zip(missing, parsed, strict=False):
            if reading is not None:
                readings[message.id] = reading
        return readings

    async def _parsed_reading(self, message: StoredMessage) -> dict[str, Any] | None:
        if message.id in self._parsed:
            return self._parsed[message.id]
        try:
            reading = reading_of(await self._rasa.parse(message.text or ""))
        except UpstreamError:
            return None
        if reading is not None:
            self._parsed[message.id] = reading
            while len(self._parsed) > REMEMBERED_READINGS:
                self._parsed.popitem(last=False)
        return reading


def latest_order_id(readings: Mapping[int, dict[str, Any]]) -> str | None:
    """The order number the buyer named last, if any."""
    for message_id in sorted(readings, reverse=True):
        for entity in readings[message_id].get("entities", []):
            if entity["entity"] == "order_id" and isinstance(entity["value"], str):
                return entity["value"]
    return None
