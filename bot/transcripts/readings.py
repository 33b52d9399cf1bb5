"""The bot's reading of every buyer line (intent, confidence, entities, sentiment), kept.

Each buyer message gets a ``buyer_reading`` row when it is stored; the reading itself is
filled in afterwards, off the buyer's critical path and in batches:

- lines Rasa answered: Rasa's own reading of that turn, from the conversation's tracker
  (the gateway passes its message id in the metadata of every message), source ``rasa``;
- lines that went to a person, or arrived while Rasa was down: parsed with
  ``/model/parse`` once Rasa answers, source ``parse``.

A turn only marks its conversation; the marked ones are settled a few seconds later, one
tracker read per conversation for all its new lines (at saturation a read per message
cost Rasa a quarter of its throughput). A row whose reading is still missing stays
pending and ``sweep`` retries it, so a restart of Rasa or of the gateway loses nothing.
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

    async def user_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The ``user`` events of a conversation's tracker (parse data and metadata)."""
        ...

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse of ``text``."""
        ...


class ReadingRecorder:
    """Fills in pending readings from Rasa's tracker, else by parsing the line."""

    def __init__(self, store: ReadingStore, rasa: NluSource) -> None:
        self.store = store
        self._rasa = rasa
        self._marked: set[str] = set()

    def mark(self, conversation_id: str) -> None:
        """Note that a conversation has a new buyer line to read (settled in a batch)."""
        self._marked.add(conversation_id)

    async def settle_marked(self) -> int:
        """Settle every marked conversation, one after another; return the lines read."""
        marked, self._marked = self._marked, set()
        recorded = 0
        for conversation_id in marked:
            try:
                recorded += await self.settle(conversation_id)
            except UpstreamError as err:
                log.info("readings pending, Rasa unavailable: %s", err)
                return recorded  # the rest stay pending for the sweep
        return recorded

    async def settle(self, conversation_id: str) -> int:
        """Record the readings still missing in one conversation; return how many.

        Raises:
            UpstreamError: Rasa is unavailable (the lines stay pending).
        """
        pending = await self.store.pending(conversation_id)
        if not pending:
            return 0
        answered = readings_in_tracker(await self._rasa.user_events(conversation_id))
        recorded = 0
        for line in pending:
            reading = answered.get(line.message_id) or reading_from_parse(
                await self._rasa.parse(line.text), "parse"
            )
            if reading is not None:
                await self.store.save(line.message_id, reading)
                recorded += 1
        return recorded

    async def sweep(self, older_than_s: float = 10.0) -> int:
        """Settle the conversations of lines left pending a while (Rasa was down)."""
        stored_before = utcnow() - timedelta(seconds=older_than_s)
        for line in await self.store.pending(stored_before=stored_before):
            self.mark(line.conversation_id)
        return await self.settle_marked()


def readings_in_tracker(user_events: Sequence[Mapping[str, Any]]) -> dict[int, Reading]:
    """Rasa's reading of each buyer line it answered, keyed by the gateway's message id."""
    readings: dict[int, Reading] = {}
    for event in user_events:
        metadata = event.get("metadata") or {}
        message_id = metadata.get("message_id")
        # Lines said to a person reach the tracker at the hand-back with the gateway's
        # own parse (bot.handoff.desk): not a reading the bot acted on.
        source = "parse" if metadata.get("during_handoff") else "rasa"
        reading = reading_from_parse(event.get("parse_data") or {}, source)
        if isinstance(message_id, int) and reading is not None:
            readings[message_id] = reading
    return readings


def latest_order_id(readings: Mapping[int, Reading]) -> str | None:
    """The order number the buyer named last, if any."""
    for message_id in sorted(readings, reverse=True):
        for entity, value in readings[message_id].entities:
            if entity == "order_id" and isinstance(value, str):
                return value
    return None
