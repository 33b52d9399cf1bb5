"""One ordered transcript per conversation: messages and the handoff's events, merged.

A transcript entry is a buyer, bot, agent or system message (with the channel, the agent's
work name, and for buyer lines the bot's reading) or a system event of the handoff
(requested, assigned, offered_to_all, window_missed, accepted, declined, requeued,
taken_over, ticket, handed_back, closed, callback), in the order they happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.db import Database, as_utc
from bot.gateway.store import messages
from bot.handoff.tables import agents, handoff_events, handoffs
from bot.transcripts.readings import Reading, reading_of_row
from bot.transcripts.tables import buyer_readings, relabels

MESSAGE, EVENT = "message", "event"
READING_COLUMNS = tuple(
    buyer_readings.c[name]
    for name in (
        "channel", "intent", "confidence", "entities", "sentiment",
        "sentiment_confidence", "fallback", "source", "read_at",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One line of a transcript."""

    conversation_id: str
    kind: str  # message | event
    at: datetime
    sender: str | None = None  # buyer | bot | agent | system (messages)
    event: str | None = None  # the handoff event's kind (events)
    message_id: int | None = None
    seq: int | None = None
    text: str | None = None
    channel: str | None = None
    agent: str | None = None  # work name
    handoff_id: int | None = None
    reading: Reading | None = None
    detail: dict[str, Any] | None = None
    relabel: dict[str, Any] | None = None

    def sort_key(self) -> tuple[datetime, int, int]:
        """Time first; at the same instant a message precedes the events it caused."""
        return (self.at, 0 if self.kind == MESSAGE else 1, self.seq or self.message_id or 0)


class TranscriptStore(Database):
    """Reads whole transcripts, or every entry in a time range, in order."""

    async def transcript(self, conversation_id: str) -> list[Entry]:
        """The conversation's entries in order (empty when there is no such conversation)."""
        return await self._entries(
            messages.c.conversation_id == conversation_id,
            handoffs.c.conversation_id == conversation_id,
        )

    async def between(self, since: datetime, until: datetime) -> list[Entry]:
        """Every entry of every conversation with ``since <= at < until``, in order."""
        return await self._entries(
            (messages.c.created_at >= since) & (messages.c.created_at < until),
            (handoff_events.c.at >= since) & (handoff_events.c.at < until),
        )

    async def _entries(self, message_filter: Any, event_filter: Any) -> list[Entry]:
        async with self._connection() as conn:
            message_rows = (await conn.execute(_message_query(message_filter))).all()
            event_rows = (await conn.execute(_event_query(event_filter))).all()
            relabel_rows = (await conn.execute(_relabel_query(message_filter))).all()
        latest_relabel = {r.message_id: r for r in relabel_rows}  # rows come oldest first
        entries = [_message_entry(r, latest_relabel.get(r.id)) for r in message_rows]
        entries += [_event_entry(r) for r in event_rows]
        return sorted(entries, key=lambda e: (e.conversation_id, *e.sort_key()))


def _message_query(where: Any) -> Any:
    return (
        select(messages, *READING_COLUMNS)
        .outerjoin(buyer_readings, buyer_readings.c.message_id == messages.c.id)
        .where(where)
        .order_by(messages.c.conversation_id, messages.c.seq)
    )


def _event_query(where: Any) -> Any:
    return (
        select(
            handoff_events,
            handoffs.c.conversation_id,
            agents.c.work_name.label("agent_work_name"),
        )
        .join(handoffs, handoffs.c.id == handoff_events.c.handoff_id)
        .outerjoin(agents, agents.c.id == handoff_events.c.agent_id)
        .where(where)
        .order_by(handoff_events.c.id)
    )


def _relabel_query(message_filter: Any) -> Any:
    return (
        select(relabels, agents.c.work_name.label("by"))
        .join(messages, messages.c.id == relabels.c.message_id)
        .join(agents, agents.c.id == relabels.c.trainer_id)
        .where(message_filter)
        .order_by(relabels.c.id)
    )


def _message_entry(row: Any, relabel: Any) -> Entry:
    agent = ((row.custom or {}).get("agent") or {}).get("work_name")
    return Entry(
        conversation_id=row.conversation_id,
        kind=MESSAGE,
        at=as_utc(row.created_at),
        sender=row.sender,
        message_id=row.id,
        seq=row.seq,
        text=row.text,
        channel=row.channel,
        agent=agent if isinstance(agent, str) else None,
        reading=reading_of_row(row) if row.read_at is not None else None,
        relabel=(
            {
                "intent": relabel.intent,
                "sentiment": relabel.sentiment,
                "by": relabel.by,
                "at": as_utc(relabel.created_at).isoformat(),
            }
            if relabel is not None
            else None
        ),
    )


def _event_entry(row: Any) -> Entry:
    return Entry(
        conversation_id=row.conversation_id,
        kind=EVENT,
        at=as_utc(row.at),
        event=row.kind,
        agent=row.agent_work_name,
        handoff_id=row.handoff_id,
        detail=dict(row.detail or {}),
    )
