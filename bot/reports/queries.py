"""The SQL of the dashboard: counts per day of the range, computed by the database.

Every query puts its rows in their day (``Days.day_of``) in an inner select and counts in
an outer one grouped by that column, so an expression never has to be repeated. Only the
acceptance waits (for percentiles) and the etiquette flags (a JSON list of rule ids per
row, few rows) come back as rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from bot.console.tables import etiquette_flags
from bot.db import Database
from bot.gateway.store import messages
from bot.handoff.tables import agents, handoffs
from bot.reports.days import Days
from bot.reports.sql import epoch_ms, number
from bot.transcripts.tables import buyer_readings

# Upper limits (inclusive) of the first-response buckets, in milliseconds; a wait above
# the last limit is "over 3 minutes", a message without any reply is "unanswered".
BUCKET_LIMITS_MS = (1_000, 5_000, 10_000, 30_000, 60_000, 180_000)
OVER_LAST_LIMIT = len(BUCKET_LIMITS_MS)
UNANSWERED = OVER_LAST_LIMIT + 1


@dataclass
class HandoffCounts:
    """Handoffs triggered in one day."""

    by_reason: Counter[str] = field(default_factory=Counter)
    breaches: int = 0
    accept_waits_ms: list[int] = field(default_factory=list)


@dataclass
class ReadingCounts:
    """Readings of buyer lines of one day."""

    read: int = 0
    fallback: int = 0
    negative: int = 0
    intents: Counter[str] = field(default_factory=Counter)


@dataclass
class AgentFlags:
    """Etiquette flags of one agent."""

    work_name: str
    flags: int = 0
    rules: Counter[str] = field(default_factory=Counter)


class ReportQueries(Database):
    """Counts per day over the gateway's tables; database errors become StorageError."""

    async def first_responses(self, days: Days) -> dict[int, list[int]]:
        """Per day, buyer messages per first-response bucket (the last one: unanswered)."""
        buyer, reply = messages.alias("buyer"), aliased(messages, name="reply")
        replied_ms = (
            select(epoch_ms(reply.c.created_at))
            .where(
                reply.c.conversation_id == buyer.c.conversation_id,
                reply.c.seq > buyer.c.seq,
                reply.c.sender != "buyer",
            )
            .order_by(reply.c.seq)
            .limit(1)
            .scalar_subquery()
        )
        waits = (
            select(
                days.day_of(buyer.c.created_at).label("day"),
                (replied_ms - epoch_ms(buyer.c.created_at)).label("wait_ms"),
            )
            .where(buyer.c.sender == "buyer", days.in_range(buyer.c.created_at))
            # Computed once per message: inlined, the look-up of the reply would run again
            # for every bucket limit it is compared with.
            .cte("waits")
            .prefix_with("MATERIALIZED")
        )
        limits = [
            (waits.c.wait_ms <= number(ms), number(i)) for i, ms in enumerate(BUCKET_LIMITS_MS)
        ]
        bucket = case(
            (waits.c.wait_ms.is_(None), number(UNANSWERED)), *limits, else_=number(OVER_LAST_LIMIT)
        )
        bucketed = select(waits.c.day, bucket.label("bucket")).subquery()
        query = select(bucketed.c.day, bucketed.c.bucket, func.count()).group_by(
            bucketed.c.day, bucketed.c.bucket
        )
        found: dict[int, list[int]] = defaultdict(lambda: [0] * (UNANSWERED + 1))
        for day, index, count in await self._rows(query):
            found[day][index] = count
        return dict(found)

    async def conversations(self, days: Days) -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
        """Conversations with a buyer message, and how many of those had a handoff triggered,
        per day and over the whole range: ``({day: (active, handed_over)}, (active, handed))``.
        """
        buyer = messages.alias("buyer")
        in_range = and_(buyer.c.sender == "buyer", days.in_range(buyer.c.created_at))
        triggered = and_(
            handoffs.c.conversation_id == buyer.c.conversation_id,
            days.in_range(handoffs.c.triggered_at),
        )
        same_day = days.day_of(handoffs.c.triggered_at) == days.day_of(buyer.c.created_at)
        per_day = (
            select(
                days.day_of(buyer.c.created_at).label("day"),
                buyer.c.conversation_id.label("cid"),
                exists().where(triggered, same_day).label("handed"),
            )
            .where(in_range)
            .subquery()
        )
        whole = (
            select(buyer.c.conversation_id.label("cid"), exists().where(triggered).label("handed"))
            .where(in_range)
            .subquery()
        )

        def counts(inner: Any) -> list[Any]:
            handed = distinct(case((inner.c.handed, inner.c.cid)))
            return [func.count(distinct(inner.c.cid)), func.count(handed)]

        daily = select(per_day.c.day, *counts(per_day)).group_by(per_day.c.day)
        by_day = {day: (active, handed) for day, active, handed in await self._rows(daily)}
        total = (await self._rows(select(*counts(whole))))[0]
        return by_day, (total[0], total[1])

    async def handoffs(self, days: Days, window_ms: int, now: datetime) -> dict[int, HandoffCounts]:
        """Per day, handoffs by reason, breaches of the window and the acceptance waits."""
        triggered = epoch_ms(handoffs.c.triggered_at)
        accepted = epoch_ms(handoffs.c.accepted_at) - triggered
        ended = epoch_ms(handoffs.c.ended_at) - triggered
        now_ms = round(now.timestamp() * 1000)
        window = number(window_ms)
        breach = or_(
            and_(handoffs.c.accepted_at.is_not(None), accepted > window),
            and_(
                handoffs.c.accepted_at.is_(None),
                # ended in time without a person: the buyer left a number, or the bot
                # took the conversation back (as in bot.handoff.views.missed_window)
                not_(and_(handoffs.c.ended_at.is_not(None), ended <= window)),
                number(now_ms) - triggered > window,  # still waiting, window not over yet
            ),
        )
        inner = (
            select(
                days.day_of(handoffs.c.triggered_at).label("day"),
                handoffs.c.reason,
                case((breach, number(1)), else_=number(0)).label("breach"),
                case((handoffs.c.accepted_at.is_not(None), accepted)).label("accept_ms"),
            )
            .where(days.in_range(handoffs.c.triggered_at))
            .subquery()
        )
        grouped = select(
            inner.c.day, inner.c.reason, func.count(), func.sum(inner.c.breach)
        ).group_by(inner.c.day, inner.c.reason)
        found: dict[int, HandoffCounts] = defaultdict(HandoffCounts)
        for day, reason, count, breaches in await self._rows(grouped):
            found[day].by_reason[reason] += count
            found[day].breaches += int(breaches or 0)
        waits = select(inner.c.day, inner.c.accept_ms).where(inner.c.accept_ms.is_not(None))
        for day, wait_ms in await self._rows(waits):
            found[day].accept_waits_ms.append(int(wait_ms))
        return dict(found)

    async def readings(self, days: Days) -> dict[int, ReadingCounts]:
        """Per day, buyer lines read, of them fallbacks and negatives, and their intents."""
        inner = (
            select(
                days.day_of(buyer_readings.c.created_at).label("day"),
                buyer_readings.c.intent,
                case((buyer_readings.c.fallback, number(1)), else_=number(0)).label("fallback"),
                case((buyer_readings.c.sentiment == "negative", number(1)), else_=number(0)).label(
                    "negative"
                ),
            )
            .where(
                buyer_readings.c.read_at.is_not(None), days.in_range(buyer_readings.c.created_at)
            )
            .subquery()
        )
        grouped = select(
            inner.c.day,
            inner.c.intent,
            func.count(),
            func.sum(inner.c.fallback),
            func.sum(inner.c.negative),
        ).group_by(inner.c.day, inner.c.intent)
        found: dict[int, ReadingCounts] = defaultdict(ReadingCounts)
        for day, intent, read, fallback, negative in await self._rows(grouped):
            counts = found[day]
            counts.read += read
            counts.fallback += int(fallback or 0)
            counts.negative += int(negative or 0)
            if intent is not None:
                counts.intents[intent] += read
        return dict(found)

    async def etiquette(self, days: Days) -> dict[int, dict[int, AgentFlags]]:
        """Per day and agent id, the agent's etiquette flags and the rules that fired."""
        query = (
            select(
                days.day_of(etiquette_flags.c.created_at).label("day"),
                etiquette_flags.c.agent_id,
                agents.c.work_name,
                etiquette_flags.c.rule_ids,
            )
            .join(agents, agents.c.id == etiquette_flags.c.agent_id)
            .where(days.in_range(etiquette_flags.c.created_at))
        )
        found: dict[int, dict[int, AgentFlags]] = defaultdict(dict)
        for day, agent_id, work_name, rule_ids in await self._rows(query):
            flags = found[day].setdefault(agent_id, AgentFlags(work_name))
            flags.flags += 1
            flags.rules.update(str(rule) for rule in rule_ids or ())
        return dict(found)

    async def _rows(self, query: Any) -> list[Any]:
        async with self._connection() as conn:
            return list((await conn.execute(query)).all())
