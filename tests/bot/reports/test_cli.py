"""``python -m bot report`` as a subprocess on a seeded database: JSON with every figure,
a readable text table, and the exit codes of bad arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.db import create_engine_for, upgrade_schema
from bot.settings import PROJECT_ROOT
from tests.bot.reports.reference import expected
from tests.bot.reports.world import SHANGHAI, World, generate, local, seed

DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
RANGE = ["--since", "2026-11-01", "--until", "2026-11-03"]


@pytest.fixture
async def floor(tmp_path: Path) -> tuple[World, Path]:
    """A generated floor in a fresh SQLite file."""
    path = tmp_path / "gateway.sqlite3"
    world = generate(9, DAYS, conversations=100, now=local(DAYS[-1], 23, 59, 40))
    engine = create_engine_for(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade_schema(engine)
        await seed(engine, world)
    finally:
        await engine.dispose()
    return world, path


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SHOP_TIMEZONE": "Asia/Shanghai", "HANDOFF_WINDOW_S": "30"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        cwd=PROJECT_ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _expected(world: World) -> dict:
    world.now = datetime.now(timezone.utc)  # the command's clock: every window is over
    return expected(world, DAYS[0], DAYS[-1], SHANGHAI)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def test_json_has_every_figure_of_the_gateway_database(floor) -> None:
    world, path = floor
    done = _run(*RANGE, "--format", "json", GATEWAY_DB_URL=f"sqlite+aiosqlite:///{path}")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    want = _expected(world)
    assert report["days"] == want["days"]
    assert report["total"] == want["total"]
    assert (report["since"], report["until"], report["window_s"]) == (
        "2026-11-01",
        "2026-11-03",
        30.0,
    )


def test_text_is_a_table_of_days_then_the_breakdowns(floor) -> None:
    world, path = floor
    done = _run(*RANGE, "--db", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Dashboard 2026-11-01 .. 2026-11-03 (Asia/Shanghai)")
    want = _expected(world)
    rows = {line.split()[0]: line.split() for line in lines[2:7]}
    assert list(rows) == ["date", "2026-11-01", "2026-11-02", "2026-11-03", "total"]
    for day in [*want["days"], {"date": "total", **want["total"]}]:
        cells = rows[day["date"]]
        assert cells[1] == str(day["buyer_messages"])
        assert cells[2] == _percent(day["first_response"]["share_within_target"])
        assert cells[3] == str(day["conversations"])
        assert cells[10] == str(day["breaches"])
    intents = lines[lines.index("Top intents (share of buyer messages read):") + 1 :][:10]
    assert [line.split()[0] for line in intents] == [
        i["intent"] for i in want["total"]["top_intents"]
    ]
    flags = lines[lines.index("Etiquette flags by agent:") + 1 :]
    assert [line.split()[0] for line in flags] == [
        a["work_name"] for a in want["total"]["etiquette"]
    ]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--since", "2026-11-03", "--until", "2026-11-01"], 2, "before"),
        (["--since", "11/01/2026"], 2, "YYYY-MM-DD"),
        (["--since", "2025-01-01", "--until", "2026-11-01"], 2, "366"),
        (["--format", "xml"], 2, "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_reason(floor, args, code, says) -> None:
    done = _run(*args, "--db", str(floor[1]))
    assert (done.returncode, done.stdout) == (code, "")
    assert says in done.stderr


def test_a_missing_database_exits_1_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "gateway.sqlite3"
    done = _run(*RANGE, "--db", str(missing))
    assert done.returncode == 1 and "no database" in done.stderr
    assert not missing.parent.exists()
