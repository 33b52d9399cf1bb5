"""Finding conversations worth a trainer's look: by date, intent, low confidence,
fallback, negative sentiment, handoff and agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, exists, func, select

from bot.db import Database, as_utc
from bot.gateway.store import conversations, messages
from bot.handoff.tables import agents, handoffs
from bot.transcripts.tables import buyer_readings

MAX_PAGE = 100


@dataclass(frozen=True)
class ReviewFilter:
    """What a trainer asks for; every criterion narrows the list."""

    since: datetime | None = None
    until: datetime | None = None
    intent: str | None = None
    low_confidence_below: float | None = None
    fallback: bool = False
    negative: bool = False
    handoff: bool = False
    agent_id: int | None = None


def _reading_exists(*conditions: Any) -> Any:
    return exists().where(buyer_readings.c.conversation_id == conversations.c.id, *conditions)


def _conditions(wanted: ReviewFilter) -> list[Any]:
    readings = buyer_readings.c
    found: list[Any] = [_reading_exists()]  # at least one buyer line
    if wanted.since is not None or wanted.until is not None:
        window = [readings.created_at >= wanted.since] if wanted.since else []
        window += [readings.created_at < wanted.until] if wanted.until else []
        found.append(_reading_exists(*window))
    if wanted.intent:
        found.append(_reading_exists(readings.intent == wanted.intent))
    if wanted.low_confidence_below is not None:
        found.append(_reading_exists(readings.confidence < wanted.low_confidence_below))
    if wanted.fallback:
        found.append(_reading_exists(readings.fallback.is_(True)))
    if wanted.negative:
        found.append(_reading_exists(readings.sentiment == "negative"))
    if wanted.handoff or wanted.agent_id is not None:
        held = [handoffs.c.conversation_id == conversations.c.id]
        if wanted.agent_id is not None:
            held.append(handoffs.c.accepted_by == wanted.agent_id)
        found.append(exists().where(*held))
    return found


class ReviewStore(Database):
    """Pages of conversation summaries for the trainer page."""

    async def search(
        self, wanted: ReviewFilter, low_confidence: float, offset: int = 0, limit: int = 50
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of matching conversations, latest activity first, and the total."""
        limit = max(1, min(limit, MAX_PAGE))
        last_at = (
            select(func.max(messages.c.created_at))
            .where(messages.c.conversation_id == conversations.c.id)
            .scalar_subquery()
        )
        where = and_(*_conditions(wanted))
        page = (
            select(conversations.c.id, conversations.c.created_at, last_at.label("last_at"))
            .where(where)
            .order_by(last_at.desc(), conversations.c.id)
            .offset(max(0, offset))
            .limit(limit)
        )
        async with self._connection() as conn:
            count = select(func.count()).select_from(conversations).where(where)
            total = (await conn.execute(count)).scalar_one()
            rows = (await conn.execute(page)).all()
            ids = [row.id for row in rows]
            stats = await _reading_stats(conn, ids, low_confidence)
            held = await _handoff_summaries(conn, ids)
        summaries = [
            {
                "id": row.id,
                "started_at": as_utc(row.created_at).isoformat(),
                "last_at": as_utc(row.last_at).isoformat() if row.last_at else None,
                **stats.get(row.id, _NO_STATS),
                "handoff": held.get(row.id),
            }
            for row in rows
        ]
        return summaries, int(total)


_NO_STATS = {"buyer_messages": 0, "intents": [], "lowest_confidence": None,
             "low_confidence": 0, "fallbacks": 0, "negatives": 0}  # fmt: skip


async def _reading_stats(conn: Any, ids: list[str], low: float) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    r = buyer_readings.c
    query = (
        select(
            r.conversation_id,
            func.count().label("buyer_messages"),
            func.min(r.confidence).label("lowest"),
            func.sum(func.cast(r.confidence < low, Integer)).label("low"),
            func.sum(func.cast(r.fallback.is_(True), Integer)).label("fallbacks"),
            func.sum(func.cast(r.sentiment == "negative", Integer)).label("negatives"),
        )
        .where(r.conversation_id.in_(ids))
        .group_by(r.conversation_id)
    )
    intents = select(r.conversation_id, r.intent).where(
        r.conversation_id.in_(ids), r.intent.is_not(None)
    )
    seen: dict[str, dict[str, None]] = {}
    for row in (await conn.execute(intents.order_by(r.message_id))).all():
        seen.setdefault(row.conversation_id, {})[row.intent] = None
    return {
        row.conversation_id: {
            "buyer_messages": row.buyer_messages,
            "intents": list(seen.get(row.conversation_id, {})),
            "lowest_confidence": row.lowest,
            "low_confidence": int(row.low or 0),
            "fallbacks": int(row.fallbacks or 0),
            "negatives": int(row.negatives or 0),
        }
        for row in (await conn.execute(query)).all()
    }


async def _handoff_summaries(conn: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    query = (
        select(handoffs.c.conversation_id, handoffs.c.reason, agents.c.work_name)
        .outerjoin(agents, agents.c.id == handoffs.c.accepted_by)
        .where(handoffs.c.conversation_id.in_(ids))
        .order_by(handoffs.c.id)
    )
    latest: dict[str, dict[str, Any]] = {}
    for row in (await conn.execute(query)).all():  # the latest handoff wins
        latest[row.conversation_id] = {"reason": row.reason, "agent": row.work_name}
    return latest
