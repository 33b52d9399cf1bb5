"""The benchmark's pure parts: percentiles, summaries, message scripts."""

from __future__ import annotations

import math

import pytest

from bench.scripts import BUYER_SCRIPTS, NEW_CONVERSATION, buyer_messages
from bench.stats import Outcome, overhead, percentile, summarise


def test_percentile_interpolates_like_numpy_linear() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_of_one_value_and_of_none() -> None:
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_percentile_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_counts_errors_apart_from_latencies() -> None:
    outcomes = [Outcome(0.1, 1), Outcome(0.3, 2), Outcome(30.0, error="timeout"), Outcome(0.2, 1)]
    summary = summarise("x", outcomes, wall_s=2.0, warmup=[Outcome(0.5, error="timeout")])
    assert (summary.turns, summary.errors, summary.warmup_errors) == (4, 1, 1)
    assert summary.max_ms == pytest.approx(300)
    assert summary.p50_ms == pytest.approx(200)
    assert summary.per_second == pytest.approx(1.5)
    assert summary.replies == 4
    assert summary.error_kinds == {"timeout": 2}


def test_overhead_is_the_throughput_lost() -> None:
    gateway = summarise("gw", [Outcome(0.1, 1)] * 3, wall_s=1.0)
    direct = summarise("rasa", [Outcome(0.1, 1)] * 4, wall_s=1.0)
    assert overhead(gateway, direct) == pytest.approx(0.25)


def test_buyer_messages_repeat_the_script_in_a_new_conversation() -> None:
    script = BUYER_SCRIPTS[1]
    messages = buyer_messages(1 + len(BUYER_SCRIPTS), len(script) + 2)
    assert messages == [*script, NEW_CONVERSATION, *script[:2]]
