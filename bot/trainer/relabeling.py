"""A trainer's correction of one buyer line becomes a training example.

The line is taken from the transcript as stored (already redacted), in Simplified script
(the pipeline reads Simplified; a Traditional duplicate would only add noise). A trainer
may add entity annotations, but not change the words. Files are written one at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db import Database, utcnow
from bot.errors import BadRequestError
from bot.gateway.store import messages
from bot.text.chinese_script import to_simplified
from bot.trainer.checks import check, warnings_for
from bot.trainer.nlu_data import NluData, strip_annotations
from bot.transcripts.tables import relabels

SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class BuyerLine:
    """The buyer message being relabelled."""

    message_id: int
    conversation_id: str
    text: str


@dataclass(frozen=True)
class Relabel:
    """What a trainer says a buyer line means."""

    message_id: int
    intent: str
    sentiment: str | None = None
    text: str | None = None  # the line with entity annotations; the words must not change


class RelabelStore(Database):
    """The buyer lines trainers relabel, and the record of their relabels."""

    async def buyer_line(self, message_id: int) -> BuyerLine | None:
        """The buyer message with this id, or None."""
        query = select(messages.c.id, messages.c.conversation_id, messages.c.text).where(
            messages.c.id == message_id, messages.c.sender == "buyer"
        )
        async with self._connection() as conn:
            row = (await conn.execute(query)).first()
        return BuyerLine(row.id, row.conversation_id, row.text or "") if row else None

    async def record(self, line: BuyerLine, relabel: Relabel, text: str, trainer_id: int) -> int:
        """Store the relabel; return its id."""
        async with self._connection(begin=True) as conn:
            result = await conn.execute(
                relabels.insert().values(
                    message_id=line.message_id,
                    conversation_id=line.conversation_id,
                    text=text,
                    intent=relabel.intent,
                    sentiment=relabel.sentiment,
                    trainer_id=trainer_id,
                    created_at=utcnow(),
                )
            )
        return int(result.inserted_primary_key[0])


class Relabeler:
    """Checks and writes relabelled lines into the project's data (one writer at a time)."""

    def __init__(self, store: RelabelStore, project_dir: Path) -> None:
        self._store = store
        self._project_dir = project_dir
        self._lock = asyncio.Lock()

    async def preview(self, relabel: Relabel) -> dict[str, Any]:
        """The example that would be written and the warnings about it.

        Raises:
            BadRequestError: no such buyer line, a bad sentiment, or changed words.
            TrainerDataError: a bad intent name or text.
        """
        _line, text = await self._example(relabel)
        data = await asyncio.to_thread(NluData, self._project_dir)
        warnings = await asyncio.to_thread(warnings_for, data, relabel.intent, text)
        return {"text": text, "warnings": [w.to_dict() for w in warnings]}

    async def accept(self, relabel: Relabel, trainer_id: int) -> dict[str, Any]:
        """Write the example (and its sentiment) to the data files and record the relabel."""
        line, text = await self._example(relabel)
        async with self._lock:
            result = await asyncio.to_thread(self._write, relabel, text)
        relabel_id = await self._store.record(line, relabel, text, trainer_id)
        return {"relabel": {"id": relabel_id, "message_id": line.message_id,
                            "intent": relabel.intent, "sentiment": relabel.sentiment,
                            "text": text}, **result}  # fmt: skip

    async def data_check(self) -> dict[str, Any]:
        """The whole data set's check (duplicates, conflicts, near-duplicates, counts)."""
        data = await asyncio.to_thread(NluData, self._project_dir)
        return (await asyncio.to_thread(check, data)).to_dict()

    async def intents(self) -> dict[str, int]:
        """Examples per intent in the project's data."""
        data = await asyncio.to_thread(NluData, self._project_dir)
        return data.counts()

    def _write(self, relabel: Relabel, text: str) -> dict[str, Any]:
        data = NluData(self._project_dir)
        warnings = warnings_for(data, relabel.intent, text)
        written = [data.add(relabel.intent, text)]
        if relabel.sentiment is not None:
            written.append(data.add_sentiment(relabel.sentiment, text))
        return {
            "files": [str(r.file.relative_to(self._project_dir)) for r in written],
            "added": [r.added for r in written],
            "new_intent": written[0].new_intent,
            "warnings": [w.to_dict() for w in warnings],
        }

    async def _example(self, relabel: Relabel) -> tuple[BuyerLine, str]:
        line = await self._store.buyer_line(relabel.message_id)
        if line is None:
            raise BadRequestError("no buyer message with this id", "not_found")
        if relabel.sentiment is not None and relabel.sentiment not in SENTIMENTS:
            raise BadRequestError(f"sentiment must be one of {', '.join(SENTIMENTS)}")
        words = to_simplified(line.text).strip()
        if relabel.text is None:
            return line, words
        text = to_simplified(relabel.text).strip()
        if strip_annotations(text) != words:
            raise BadRequestError("annotations may mark entities but not change the words")
        return line, text
