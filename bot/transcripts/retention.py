"""Retention: conversations whose last line is older than N days are deleted, whole.

A conversation goes with everything that hangs off it (messages, readings, relabels,
etiquette flags, handoffs with their events and tickets, its mode). One still waiting for
or held by a person is never deleted, however old. Rasa's tracker store is not touched:
it only ever saw redacted text (see ``ChatService``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.console.tables import etiquette_flags
from bot.db import Database, utcnow
from bot.gateway.store import conversations, messages
from bot.handoff.tables import conversation_modes, handoff_events, handoffs, tickets
from bot.transcripts.tables import buyer_readings, relabels

PURGE_BATCH = 200


@dataclass(frozen=True)
class PurgeResult:
    """What one purge deleted."""

    conversations: int
    messages: int


class RetentionStore(Database):
    """Deletes conversations past the retention period."""

    async def expired(self, cutoff: datetime, limit: int = PURGE_BATCH) -> list[str]:
        """Ids of conversations with no line since ``cutoff`` and nobody attending them."""
        last_line = (
            select(messages.c.conversation_id, func.max(messages.c.created_at).label("last_at"))
            .group_by(messages.c.conversation_id)
            .subquery()
        )
        attended = select(conversation_modes.c.conversation_id).where(
            conversation_modes.c.mode.in_(("waiting", "human"))
        )
        query = (
            select(conversations.c.id)
            .outerjoin(last_line, last_line.c.conversation_id == conversations.c.id)
            .where(func.coalesce(last_line.c.last_at, conversations.c.created_at) < cutoff)
            .where(conversations.c.id.not_in(attended))
            .limit(limit)
        )
        async with self._connection() as conn:
            return [row.id for row in (await conn.execute(query)).all()]

    async def delete(self, conversation_ids: list[str]) -> PurgeResult:
        """Delete these conversations and everything recorded about them, in one transaction."""
        if not conversation_ids:
            return PurgeResult(0, 0)
        handoff_ids = select(handoffs.c.id).where(handoffs.c.conversation_id.in_(conversation_ids))
        in_them = conversation_ids
        async with self._connection(begin=True) as conn:
            for statement in (
                delete(etiquette_flags).where(etiquette_flags.c.conversation_id.in_(in_them)),
                delete(relabels).where(relabels.c.conversation_id.in_(in_them)),
                delete(buyer_readings).where(buyer_readings.c.conversation_id.in_(in_them)),
                delete(handoff_events).where(handoff_events.c.handoff_id.in_(handoff_ids)),
                delete(tickets).where(tickets.c.conversation_id.in_(in_them)),
                delete(conversation_modes).where(conversation_modes.c.conversation_id.in_(in_them)),
                delete(handoffs).where(handoffs.c.conversation_id.in_(in_them)),
            ):
                await conn.execute(statement)
            # Replies point at the line they answer: drop the links, then the lines.
            await conn.execute(
                messages.update()
                .where(messages.c.conversation_id.in_(in_them))
                .values(in_reply_to=None)
            )
            removed = await conn.execute(
                delete(messages).where(messages.c.conversation_id.in_(in_them))
            )
            gone = await conn.execute(delete(conversations).where(conversations.c.id.in_(in_them)))
        return PurgeResult(gone.rowcount, removed.rowcount)


async def purge(store: RetentionStore, days: int, now: datetime | None = None) -> PurgeResult:
    """Delete every conversation older than ``days`` (0 keeps everything), in batches."""
    if days <= 0:
        return PurgeResult(0, 0)
    cutoff = (now or utcnow()) - timedelta(days=days)
    total = PurgeResult(0, 0)
    while ids := await store.expired(cutoff):
        done = await store.delete(ids)
        total = PurgeResult(
            total.conversations + done.conversations, total.messages + done.messages
        )
    return total
