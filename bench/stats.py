"""Latency statistics: percentiles and a per-target summary."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """One buyer turn: how long it took, how many replies came, or why it failed."""

    latency_s: float
    replies: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    """The figures for one target (gateway, Rasa REST, ...) under one load."""

    label: str
    turns: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    per_second: float
    wall_s: float
    warmup_errors: int = 0
    replies: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks.

    Matches numpy's default ('linear') method. Returns NaN for an empty sequence.

    Raises:
        ValueError: ``q`` is outside 0-100.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0-100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and max of ``seconds``, in milliseconds (NaN when empty)."""
    ms = [s * 1000 for s in seconds]
    return {
        **{f"p{q}_ms": percentile(ms, q) for q in (50, 95, 99)},
        "max_ms": max(ms, default=math.nan),
    }


def summarise(
    label: str, outcomes: Sequence[Outcome], wall_s: float, warmup: Sequence[Outcome] = ()
) -> Summary:
    """Summarise measured ``outcomes`` that took ``wall_s`` seconds in all.

    Latencies and the rate count successful turns only; failed turns are counted as errors
    (by kind). ``warmup`` outcomes only contribute their error count.
    """
    good_ms = [o.latency_s * 1000 for o in outcomes if o.error is None]
    kinds = Counter(o.error for o in [*warmup, *outcomes] if o.error is not None)
    return Summary(
        label=label,
        turns=len(outcomes),
        errors=len(outcomes) - len(good_ms),
        p50_ms=percentile(good_ms, 50),
        p95_ms=percentile(good_ms, 95),
        p99_ms=percentile(good_ms, 99),
        max_ms=max(good_ms, default=math.nan),
        mean_ms=sum(good_ms) / len(good_ms) if good_ms else math.nan,
        per_second=len(good_ms) / wall_s if wall_s > 0 else math.nan,
        wall_s=wall_s,
        warmup_errors=sum(1 for o in warmup if o.error is not None),
        replies=sum(o.replies or 0 for o in outcomes),
        error_kinds=dict(kinds),
    )


def overhead(gateway: Summary, direct: Summary) -> float:
    """The gateway's throughput cost relative to Rasa direct: ``1 - gw_rate / rasa_rate``."""
    if not direct.per_second or math.isnan(direct.per_second):
        return math.nan
    return 1 - gateway.per_second / direct.per_second
