"""The bot's reading of every buyer line (intent, confidence, entities, sentiment), kept.

Each buyer message gets a ``buyer_reading`` row when it is stored; the reading itself is
filled in afterwards, off the buyer's critical path:

- lines Rasa answered: Rasa's own reading of that turn, from the tracker's latest
  message (the gateway passes its message id in the metadata), source ``rasa``;
- lines that went to a person, or arrived while Rasa was down: parsed with
  ``/model/parse`` once Rasa answers, source ``parse``.

A row whose reading is still missing is simply pending: ``ReadingRecorder.settle`` (after
every turn) and ``sweep`` (periodically) retry until Rasa answers, so a restart of Rasa
or of the gateway loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from bot.db import Database, utcnow
from bot.errors import UpstreamError
from bot.gateway.store import messages
from bot.transcripts.tables import buyer_readings

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
SWEEP_BATCH = 50


@dataclass(frozen=True)
class Reading:
    """How the bot read one buyer line."""

    intent: str
    confidence: float
    entities: tuple[tuple[str, Any], ...]
    sentiment: str | None
    sentiment_confidence: float | None
    fallback: bool
    source: str

    def to_dict(self) -> dict[str, Any]:
        """The reading as JSON for the console, the trainer page and exports."""
        return {
            "intent": self.intent,
            "confidence": self.confidence,
            "entities": [{"entity": e, "value": v} for e, v in self.entities],
            "sentiment": (
                {"label": self.sentiment, "confidence": self.sentiment_confidence}
                if self.sentiment
                else None
            ),
            "fallback": self.fallback,
            "source": self.source,
        }


def reading_from_parse(parse: Mapping[str, Any], source: str) -> Reading | None:
    """A Rasa parse result as a Reading; None when it has no intent.

    When the FallbackClassifier fired, the stored intent is the best real one (from the
    ranking) with ``fallback`` set, so a trainer sees what the model guessed.
    """
    intent = parse.get("intent") or {}
    name = intent.get("name")
    if not name:
        return None
    confidence = float(intent.get("confidence") or 0.0)
    fallback = name == FALLBACK_INTENT
    if fallback:
        ranked = [r for r in parse.get("intent_ranking") or () if r.get("name") != name]
        name = ranked[0]["name"] if ranked else name
        confidence = float(ranked[0].get("confidence") or 0.0) if ranked else confidence
    sentiment = parse.get("sentiment") if isinstance(parse.get("sentiment"), Mapping) else {}
    return Reading(
        intent=str(name),
        confidence=round(confidence, 4),
        entities=tuple(
            (str(e["entity"]), e.get("value"))
            for e in parse.get("entities") or ()
            if isinstance(e, Mapping) and e.get("entity")
        ),
        sentiment=sentiment.get("label"),
        sentiment_confidence=(
            round(float(sentiment["confidence"]), 4) if "confidence" in sentiment else None
        ),
        fallback=fallback,
        source=source,
    )


def reading_of_row(row: Any) -> Reading:
    """The Reading stored in a row that has the ``buyer_reading`` columns."""
    return Reading(
        intent=row.intent,
        confidence=row.confidence,
        entities=tuple((e["entity"], e.get("value")) for e in row.entities or ()),
        sentiment=row.sentiment,
        sentiment_confidence=row.sentiment_confidence,
        fallback=bool(row.fallback),
        source=row.source,
    )


@dataclass(frozen=True)
class PendingLine:
    """A buyer line whose reading is not known yet."""

    message_id: int
    conversation_id: str
    text: str


class ReadingStore(Database):
    """Reads and writes ``buyer_reading`` rows."""

    async def save(self, message_id: int, reading: Reading) -> None:
        """Record the reading of one buyer line (a later reading replaces an earlier one)."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                buyer_readings.update()
                .where(buyer_readings.c.message_id == message_id)
                .values(
                    intent=reading.intent,
                    confidence=reading.confidence,
                    entities=[{"entity": e, "value": v} for e, v in reading.entities],
                    sentiment=reading.sentiment,
                    sentiment_confidence=reading.sentiment_confidence,
                    fallback=reading.fallback,
                    source=reading.source,
                    read_at=utcnow(),
                )
            )

    async def of_conversation(self, conversation_id: str) -> dict[int, Reading]:
        """The known readings of a conversation's buyer lines, by message id."""
        query = select(buyer_readings).where(
            buyer_readings.c.conversation_id == conversation_id,
            buyer_readings.c.read_at.is_not(None),
        )
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return {row.message_id: reading_of_row(row) for row in rows}

    async def channels_of(self, conversation_id: str) -> dict[int, str]:
        """The channel each buyer line of a conversation arrived on, by message id."""
        query = select(buyer_readings.c.message_id, buyer_readings.c.channel).where(
            buyer_readings.c.conversation_id == conversation_id
        )
        async with self._connection() as conn:
            return {row.message_id: row.channel for row in (await conn.execute(query)).all()}

    async def pending(
        self,
        conversation_id: str | None = None,
        stored_before: datetime | None = None,
        limit: int = SWEEP_BATCH,
    ) -> list[PendingLine]:
        """Buyer lines without a reading, oldest first."""
        query = (
            select(buyer_readings.c.message_id, buyer_readings.c.conversation_id, messages.c.text)
            .join(messages, messages.c.id == buyer_readings.c.message_id)
            .where(buyer_readings.c.read_at.is_(None))
            .order_by(buyer_readings.c.message_id)
            .limit(limit)
        )
        if conversation_id is not None:
            query = query.where(buyer_readings.c.conversation_id == conversation_id)
        if stored_before is not None:
            query = query.where(buyer_readings.c.created_at < stored_before)
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [PendingLine(r.message_id, r.conversation_id, r.text or "") for r in rows]


class NluSource(Protocol):
    """What the recorder needs from Rasa (RasaClient)."""

    async def latest_user_message(self, conversation_id: str) -> dict[str, Any] | None:
        """The tracker's latest user message (parse data with metadata), if any."""
        ...

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse of ``text``."""
        ...


class ReadingRecorder:
    """Fills in pending readings from Rasa's tracker, else by parsing the line."""

    def __init__(self, store: ReadingStore, rasa: NluSource) -> None:
        self.store = store
        self._rasa = rasa

    async def settle(self, conversation_id: str, answered_by_rasa: int | None = None) -> int:
        """Record the readings still missing in one conversation; return how many.

        ``answered_by_rasa``: the id of the buyer line Rasa has just answered, whose
        reading is taken from the tracker (what the bot really decided on).
        """
        pending = await self.store.pending(conversation_id)
        return await self._read(pending, answered_by_rasa)

    async def sweep(self, older_than_s: float = 10.0) -> int:
        """Record pending readings of every conversation (lines stored a while ago)."""
        pending = await self.store.pending(stored_before=utcnow() - timedelta(seconds=older_than_s))
        return await self._read(pending, None)

    async def _read(self, pending: Sequence[PendingLine], answered_by_rasa: int | None) -> int:
        recorded = 0
        for line in pending:
            try:
                reading = await self._reading_of(line, answered_by_rasa)
            except UpstreamError as err:
                log.info("readings pending, Rasa unavailable: %s", err)
                return recorded  # the rest stay pending for the next sweep
            if reading is not None:
                await self.store.save(line.message_id, reading)
                recorded += 1
        return recorded

    async def _reading_of(self, line: PendingLine, answered_by_rasa: int | None) -> Reading | None:
        if line.message_id == answered_by_rasa:
            latest = await self._rasa.latest_user_message(line.conversation_id)
            if latest and (latest.get("metadata") or {}).get("message_id") == line.message_id:
                return reading_from_parse(latest, "rasa")
        return reading_from_parse(await self._rasa.parse(line.text), "parse")


def latest_order_id(readings: Mapping[int, Reading]) -> str | None:
    """The order number the buyer named last, if any."""
    for message_id in sorted(readings, reverse=True):
        for entity, value in readings[message_id].entities:
            if entity == "order_id" and isinstance(value, str):
                return value
    return None
