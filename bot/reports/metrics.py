"""The supervisor's figures per day (in the shop's time zone) and for a whole date range.

Definitions (each figure is over a *period*: one day, or the whole range):

- **First response** of a buyer message: the time until the next bot, agent or system
  message of its conversation (the first one stored after it, in ``seq`` order). Several
  buyer messages sent before one reply all wait for that reply, each from its own time.
  While a buyer waits for a person this rule still holds and is what the buyer sees: the
  message that triggers a handoff is answered by the transfer notice (正在为您转接…,
  stored by the bot, or by the system when Rasa is down); lines written while waiting are
  answered by the next agent line (the agent's greeting on accepting) or system line
  (the honest "still busy" notice when the window is missed): each of them tells the
  buyer that someone is dealing with them, which is what E3 asks for ("when the buyer has
  to wait: say why, say how long"). Buyer lines are never replies. A message counts in
  the day it was written, wherever its reply falls. Buckets: ≤ 1 s, 1–5 s,
  5–10 s, 10–30 s, 30–60 s, 1–3 min, > 3 min (upper limits included), and unanswered (no
  reply stored yet). The share within 30 s counts unanswered messages as late: it is
  answered-within-30-s / all buyer messages, against the 95 % target of rule E3.
- **Conversations**: those with at least one buyer message in the period. **Handed
  over**: of those, the ones with a handoff triggered in the period; **contained** are
  the rest. A handoff is triggered by a buyer message, so contained + handed over =
  conversations. A conversation handed over on a later day still counts as contained
  on earlier days: a closed day's figures never change afterwards.
- **Handoffs** (by reason, acceptance, breaches): handoffs triggered in the period.
  Acceptance = ``accepted_at - triggered_at`` over accepted handoffs: nearest-rank p50 and
  p90 (``bot.reports.stats.nearest_rank``) and the maximum. A **breach** is a handoff not
  accepted within ``window_s`` of its trigger: accepted later, or never accepted and not
  ended within the window (a buyer who left a number in time is not a breach, as in the
  supervisor's list) once the window is over; the share is breaches / handoffs.
- **Readings**: buyer lines of the period whose reading is known (``read_at`` set).
  Fallback rate = readings with ``fallback`` / read; negative rate = readings whose
  sentiment is negative / read; top intents: the 10 most frequent intents with their
  share of the lines read (ties by name).
- **Etiquette flags**: agent messages of the period flagged by the checker, per agent,
  with how often each rule fired.

Counting is done by SQL (``bot.reports.queries``); percentiles and sorting in Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import utcnow
from bot.reports.days import Days
from bot.reports.queries import (
    UNANSWERED,
    AgentFlags,
    HandoffCounts,
    ReadingCounts,
    ReportQueries,
)
from bot.reports.ranges import check_range
from bot.reports.stats import nearest_rank, ratio

BUCKETS = ("le_1s", "1_5s", "5_10s", "10_30s", "30_60s", "1_3min", "gt_3min", "unanswered")
REPLY_TARGET_S = 30  # rule E3: 95 % of buyer messages answered within 30 s
TARGET_SHARE = 0.95
WITHIN_TARGET = BUCKETS.index("10_30s") + 1  # the buckets up to 30 s
TOP_INTENTS = 10


@dataclass
class PeriodCounts:
    """What SQL counted for one period (a day, or the range)."""

    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    conversations: int = 0
    handed_over: int = 0
    handoffs: HandoffCounts = field(default_factory=HandoffCounts)
    readings: ReadingCounts = field(default_factory=ReadingCounts)
    flags: dict[int, AgentFlags] = field(default_factory=dict)

    def add(self, other: PeriodCounts) -> None:
        """Add another period's additive counts (not the conversations: a conversation
        may span days)."""
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]
        self.handoffs.by_reason.update(other.handoffs.by_reason)
        self.handoffs.breaches += other.handoffs.breaches
        self.handoffs.accept_waits_ms.extend(other.handoffs.accept_waits_ms)
        mine, theirs = self.readings, other.readings
        mine.read, mine.fallback = mine.read + theirs.read, mine.fallback + theirs.fallback
        mine.negative += theirs.negative
        mine.intents.update(theirs.intents)
        for agent_id, flags in other.flags.items():
            total = self.flags.setdefault(agent_id, AgentFlags(flags.work_name))
            total.flags += flags.flags
            total.rules.update(flags.rules)


@dataclass(frozen=True)
class Dashboard:
    """The figures of every day of a range, and of the whole range."""

    since: date
    until: date
    tz: ZoneInfo
    window_s: float
    days: list[tuple[date, PeriodCounts]]
    total: PeriodCounts

    def to_dict(self) -> dict[str, Any]:
        """The JSON of the dashboard (``days`` in order, then ``total``)."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "timezone": self.tz.key,
            "window_s": self.window_s,
            "target": {"reply_within_s": REPLY_TARGET_S, "share": TARGET_SHARE},
            "buckets": list(BUCKETS),
            "days": [{"date": day.isoformat(), **figures(c)} for day, c in self.days],
            "total": figures(self.total),
        }


def figures(counts: PeriodCounts) -> dict[str, Any]:
    """The figures of one period from its counts."""
    messages = sum(counts.buckets)
    within = sum(counts.buckets[:WITHIN_TARGET])
    share = ratio(within, messages)
    handoffs = sum(counts.handoffs.by_reason.values())
    return {
        "buyer_messages": messages,
        "first_response": {
            "buckets": dict(zip(BUCKETS, counts.buckets, strict=True)),
            "answered": messages - counts.buckets[UNANSWERED],
            "within_target": within,
            "share_within_target": share,
            "meets_target": None if share is None else share >= TARGET_SHARE,
        },
        "conversations": counts.conversations,
        "contained": counts.conversations - counts.handed_over,
        "containment": ratio(counts.conversations - counts.handed_over, counts.conversations),
        "handed_over": counts.handed_over,
        "handoff_rate": ratio(counts.handed_over, counts.conversations),
        "handoffs": handoffs,
        "handoffs_by_reason": _ranked(counts.handoffs.by_reason),
        "acceptance": _acceptance(counts.handoffs.accept_waits_ms),
        "breaches": counts.handoffs.breaches,
        "breach_share": ratio(counts.handoffs.breaches, handoffs),
        "readings": _readings(counts.readings),
        "top_intents": [
            {"intent": intent, "count": n, "share": ratio(n, counts.readings.read)}
            for intent, n in _ranked(counts.readings.intents).items()
        ][:TOP_INTENTS],
        "etiquette": _etiquette(counts.flags),
    }


def _ranked(counter: Counter[str]) -> dict[str, int]:
    """Most frequent first, ties by name."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _acceptance(waits_ms: list[int]) -> dict[str, Any]:
    def seconds(ms: float | None) -> float | None:
        return None if ms is None else ms / 1000

    return {
        "accepted": len(waits_ms),
        "p50_s": seconds(nearest_rank(waits_ms, 50)),
        "p90_s": seconds(nearest_rank(waits_ms, 90)),
        "max_s": seconds(max(waits_ms, default=None)),
    }


def _readings(readings: ReadingCounts) -> dict[str, Any]:
    return {
        "read": readings.read,
        "fallback": readings.fallback,
        "fallback_rate": ratio(readings.fallback, readings.read),
        "negative": readings.negative,
        "negative_rate": ratio(readings.negative, readings.read),
    }


def _etiquette(flags: dict[int, AgentFlags]) -> list[dict[str, Any]]:
    """Agents with flags, most flagged first (then by work name)."""
    ordered = sorted(flags.items(), key=lambda item: (-item[1].flags, item[1].work_name))
    return [
        {
            "agent_id": agent_id,
            "work_name": f.work_name,
            "flags": f.flags,
            "rules": _ranked(f.rules),
        }
        for agent_id, f in ordered
    ]


async def dashboard(
    engine: AsyncEngine,
    since: date,
    until: date,
    tz: ZoneInfo,
    window_s: float,
    now: datetime | None = None,
) -> Dashboard:
    """The figures of the days ``since`` … ``until`` (both included) in ``tz``.

    Args:
        engine: the gateway database.
        since: the first day.
        until: the last day (not before ``since``).
        tz: where a day starts (the shop's time zone).
        window_s: the handoff window a person must accept within (breaches).
        now: the current time (default: now); a handoff still waiting inside its window
            is not a breach yet.

    Raises:
        BadRequestError: ``until`` before ``since``, or more than MAX_DAYS days.
        StorageError: the database cannot be read.
    """
    check_range(since, until)
    days = Days(since, until, tz)
    queries = ReportQueries(engine)
    buckets = await queries.first_responses(days)
    conversations, (active, handed) = await queries.conversations(days)
    handoffs = await queries.handoffs(days, round(window_s * 1000), now or utcnow())
    readings = await queries.readings(days)
    flags = await queries.etiquette(days)
    per_day: list[tuple[date, PeriodCounts]] = []
    total = PeriodCounts(conversations=active, handed_over=handed)
    for index, day in enumerate(days.dates):
        counts = PeriodCounts(
            buckets=buckets.get(index, [0] * len(BUCKETS)),
            conversations=conversations.get(index, (0, 0))[0],
            handed_over=conversations.get(index, (0, 0))[1],
            handoffs=handoffs.get(index, HandoffCounts()),
            readings=readings.get(index, ReadingCounts()),
            flags=flags.get(index, {}),
        )
        per_day.append((day, counts))
        total.add(counts)
    return Dashboard(since, until, tz, window_s, per_day, total)
