"""The dashboard's figures computed the slow, obvious way from a generated World (never
from a database): what the SQL of bot.reports must agree with."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from tests.bot.reports.world import AGENTS, World

# (name, upper limit in seconds, inclusive)
BUCKETS = [("le_1s", 1), ("1_5s", 5), ("5_10s", 10), ("10_30s", 30), ("30_60s", 60),
           ("1_3min", 180), ("gt_3min", math.inf)]  # fmt: skip


def day_of(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], p: int) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 · n) of the sorted values."""
    if not values:
        return None
    rank = math.ceil(Fraction(p, 100) * len(values))
    return sorted(values)[max(rank, 1) - 1]


def expected(world: World, since: date, until: date, tz: ZoneInfo) -> dict[str, Any]:
    """``{"days": [...], "total": {...}}`` in the shape of Dashboard.to_dict()."""
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    return {
        "days": [{"date": d.isoformat(), **_period(world, {d}, tz)} for d in days],
        "total": _period(world, set(days), tz),
    }


def _period(world: World, days: set[date], tz: ZoneInfo) -> dict[str, Any]:
    def inside(at: datetime) -> bool:
        return day_of(at, tz) in days

    return {
        **_first_responses(world, inside),
        **_conversations(world, days, tz),
        **_handoffs(world, inside),
        **_readings(world, inside),
        "etiquette": _etiquette(world, inside),
    }


def _first_responses(world: World, inside: Any) -> dict[str, Any]:
    buckets = Counter()
    for conversation in world.by_conversation().values():
        for i, message in enumerate(conversation):
            if message.sender != "buyer" or not inside(message.at):
                continue
            reply = next((m for m in conversation[i + 1 :] if m.sender != "buyer"), None)
            if reply is None:
                buckets["unanswered"] += 1
                continue
            wait = (reply.at - message.at).total_seconds()
            buckets[next(name for name, limit in BUCKETS if wait <= limit)] += 1
    names = [name for name, _ in BUCKETS] + ["unanswered"]
    total = sum(buckets.values())
    within = sum(buckets[name] for name in names[:4])
    ratio = share(within, total)
    return {
        "buyer_messages": total,
        "first_response": {
            "buckets": {name: buckets[name] for name in names},
            "answered": total - buckets["unanswered"],
            "within_target": within,
            "share_within_target": ratio,
            "meets_target": None if ratio is None else ratio >= 0.95,
        },
    }


def _conversations(world: World, days: set[date], tz: ZoneInfo) -> dict[str, Any]:
    # Per day, conversations with a buyer line that day; handed over: a handoff that day.
    # Over several days: with a buyer line on any of them, a handoff on any of them.
    active = {m.conversation_id for m in world.messages
              if m.sender == "buyer" and day_of(m.at, tz) in days}  # fmt: skip
    handed = {h.conversation_id for h in world.handoffs
              if day_of(h.triggered_at, tz) in days} & active  # fmt: skip
    return {
        "conversations": len(active),
        "contained": len(active - handed),
        "containment": share(len(active - handed), len(active)),
        "handed_over": len(handed),
        "handoff_rate": share(len(handed), len(active)),
    }


def _handoffs(world: World, inside: Any) -> dict[str, Any]:
    window = timedelta(seconds=world.window_s)
    mine = [h for h in world.handoffs if inside(h.triggered_at)]
    waits = [(h.accepted_at - h.triggered_at).total_seconds() for h in mine if h.accepted_at]

    def breach(h: Any) -> bool:
        if h.accepted_at is not None:
            return h.accepted_at - h.triggered_at > window
        if h.ended_at is not None and h.ended_at - h.triggered_at <= window:
            return False
        return world.now - h.triggered_at > window

    reasons = Counter(h.reason for h in mine)
    breaches = sum(breach(h) for h in mine)
    return {
        "handoffs": len(mine),
        "handoffs_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "acceptance": {
            "accepted": len(waits),
            "p50_s": percentile(waits, 50),
            "p90_s": percentile(waits, 90),
            "max_s": max(waits) if waits else None,
        },
        "breaches": breaches,
        "breach_share": share(breaches, len(mine)),
    }


def _readings(world: World, inside: Any) -> dict[str, Any]:
    read = [r for r in world.readings if r.read and inside(r.at)]
    fallback = sum(r.fallback for r in read)
    negative = sum(r.sentiment == "negative" for r in read)
    intents = Counter(r.intent for r in read)
    top = sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "readings": {
            "read": len(read),
            "fallback": fallback,
            "fallback_rate": share(fallback, len(read)),
            "negative": negative,
            "negative_rate": share(negative, len(read)),
        },
        "top_intents": [{"intent": i, "count": n, "share": share(n, len(read))} for i, n in top],
    }


def _etiquette(world: World, inside: Any) -> list[dict[str, Any]]:
    flags: dict[int, list[list[str]]] = {}
    for flag in world.flags:
        if inside(flag.at):
            flags.setdefault(flag.agent_id, []).append(flag.rule_ids)
    rows = []
    for agent_id, fired in flags.items():
        rules = Counter(rule for rule_ids in fired for rule in rule_ids)
        rows.append({
            "agent_id": agent_id,
            "work_name": AGENTS[agent_id][1],
            "flags": len(fired),
            "rules": dict(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        })  # fmt: skip
    return sorted(rows, key=lambda row: (-row["flags"], row["work_name"]))
