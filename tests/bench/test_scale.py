"""The pure parts of the scale-out benchmark: /proc parsing, process kinds, CPU sums."""

from __future__ import annotations

import json
import math

import pytest

from bench.scale_report import (
    ProcStat,
    cpu_used,
    figures,
    handoff_event,
    kind_of,
    parse_cpu_line,
    parse_stat,
    steady_rate,
    subtree_ticks,
    to_json,
)
from bench.stats import Outcome

# A real line of /proc/<pid>/stat, with a command name holding a space and a parenthesis.
STAT = (
    "4242 (python (x) 3) S 4000 4242 4242 0 -1 4194560 41528 0 0 0 1234 567 89 10 20 0 "
    "12 0 123456 1064960000 60000 18446744073709551615 1 1 0 0 0 0 0 16781312 16386 0 0 0 "
    "17 1 0 0 0 0 0"
)


def test_parse_stat_reads_pid_ppid_and_cpu_ticks() -> None:
    stat = parse_stat(STAT)
    assert stat == ProcStat(pid=4242, ppid=4000, own_ticks=1234 + 567, reaped_ticks=89 + 10)


@pytest.mark.parametrize("text", ["", "4242 python S 1", "4242 (python) S 1 2 3"])
def test_parse_stat_refuses_what_is_not_a_stat_line(text: str) -> None:
    with pytest.raises(ValueError):
        parse_stat(text)


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["/venv/bin/python", "-m", "bot.rasa_server", "run", "--model", "m.tar.gz"], "Rasa"),
        (["/venv/bin/python", "-m", "bot.gateway"], "gateway"),
        (["/venv/bin/python", "-m", "rasa_sdk", "--actions", "actions"], "actions"),
        (
            ["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/postgres", "-D"],
            "PostgreSQL",
        ),  # fmt: skip
        (["/usr/lib/postgresql/15/bin/postgres", "-D", "/data"], "PostgreSQL"),
        (["/usr/bin/redis-server 127.0.0.1:6379", "", ""], "Redis"),  # its rewritten title
        # The state folder's name must not decide: nginx's prefix here names postgres.
        (["/usr/sbin/nginx", "-p", "/tmp/postgres-2rasa/nginx", "-g", "daemon off;"], "nginx"),
        (["nginx: master process /usr/sbin/nginx -p /tmp/x -g daemon off;", ""], "nginx"),
        (["/bin/sleep", "1"], "other"),
        ([], "other"),
    ],
)
def test_kind_of_names_the_server_a_command_line_starts(argv: list[str], kind: str) -> None:
    assert kind_of(argv) == kind


def test_subtree_ticks_adds_live_descendants_and_reaped_children_only() -> None:
    stats = [
        ProcStat(10, 1, 100, 5),  # runuser, 5 ticks of reaped children
        ProcStat(11, 10, 200, 30),  # postmaster: backends that ended
        ProcStat(12, 11, 7, 0),  # a backend
        ProcStat(20, 1, 1000, 0),  # another server: not in 10's subtree
    ]
    assert subtree_ticks(stats, 10) == 100 + 5 + 200 + 30 + 7
    assert subtree_ticks(stats, 12) == 7
    assert subtree_ticks(stats, 99) == 0  # gone


def test_cpu_used_subtracts_snapshots_and_keeps_new_kinds() -> None:
    before = {"Rasa": (10.0, 2), "gateway": (3.0, 2)}
    after = {"Rasa": (25.5, 2), "gateway": (4.0, 2), "nginx": (0.5, 1)}
    used = cpu_used(before, after)
    assert used["Rasa"] == {"cpu_s": 15.5, "processes": 2}
    assert used["gateway"]["cpu_s"] == 1.0
    assert used["nginx"]["cpu_s"] == 0.5


def test_figures_are_milliseconds_and_nan_when_empty() -> None:
    got = figures([0.010, 0.020, 0.030])
    assert got["n"] == 3
    assert got["p50_ms"] == pytest.approx(20.0)
    assert got["max_ms"] == pytest.approx(30.0)
    empty = figures([])
    assert empty["n"] == 0 and math.isnan(empty["p99_ms"]) and math.isnan(empty["max_ms"])


def test_handoff_event_matches_one_conversation_and_event() -> None:
    match = handoff_event("c1", "new")
    assert match({"type": "handoff", "event": "new", "handoff": {"conversation_id": "c1"}})
    assert not match({"type": "handoff", "event": "new", "handoff": {"conversation_id": "c2"}})
    assert not match({"type": "handoff", "event": "assigned", "handoff": {"conversation_id": "c1"}})
    assert not match({"type": "message", "text": "hi"})


def test_to_json_writes_nan_as_null() -> None:
    assert json.loads(to_json({"p99": math.nan, "runs": [{"x": 1.5}]})) == {
        "p99": None,
        "runs": [{"x": 1.5}],
    }


def test_parse_cpu_line_counts_idle_and_iowait_as_not_busy() -> None:
    # user nice system idle iowait irq softirq steal guest guest_nice
    assert parse_cpu_line("cpu  100 5 50 800 20 3 2 0 0 0") == (160, 980)


def test_steady_rate_counts_turns_until_the_first_buyer_is_done() -> None:
    fast = [Outcome(1.0), Outcome(1.0)]  # done at 2 s: the window
    straggler = [Outcome(0.5), Outcome(0.5, error="protocol"), Outcome(30.0, error="timeout")]
    # Within 2 s: both of the fast buyer's turns, and the straggler's first (its second
    # turn failed, its third ends at 31 s).
    assert steady_rate([fast, straggler]) == pytest.approx(3 / 2.0)
    assert math.isnan(steady_rate([]))
