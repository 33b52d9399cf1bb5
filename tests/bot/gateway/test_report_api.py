"""GET /api/agent/supervisor/report on a real gateway process whose database holds a
generated shop floor: the figures, who may ask, and which ranges are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.db import create_engine_for, upgrade_schema
from tests.bot.reports.reference import expected
from tests.bot.reports.world import SHANGHAI, World, generate, local, seed
from tests.support.gateway import RunningGateway, add_agent_and_trainer, running_gateway
from tests.support.processes import attach_to_test

PASSWORD = "report-password-1"
DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
ENV = {"SHOP_ADMIN_USERNAME": "boss", "SHOP_ADMIN_PASSWORD": PASSWORD, "HANDOFF_WINDOW_S": "30"}
REPORT = "/api/agent/supervisor/report"


@pytest.fixture
async def floor(tmp_path: Path) -> World:
    """The generated floor, written into the gateway's database before it starts."""
    world = generate(5, DAYS, conversations=120, now=local(DAYS[-1], 23, 59, 40))
    engine = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'gateway.sqlite3'}")
    try:
        await upgrade_schema(engine)
        await seed(engine, world, open_handoffs=False)
    finally:
        await engine.dispose()
    await add_agent_and_trainer(tmp_path / "var", PASSWORD)
    return world


@pytest.fixture
async def gateway(tmp_path: Path, request, floor: World) -> AsyncIterator[RunningGateway]:
    async with running_gateway(tmp_path, extra_env=ENV) as gw:
        attach_to_test(request.node, gw.process)
        yield gw


async def _token(http: aiohttp.ClientSession, gw: RunningGateway, username: str) -> str:
    body = {"username": username, "password": PASSWORD}
    async with http.post(f"{gw.base_url}/api/agent/login", json=body) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["token"]


async def _report(
    http: aiohttp.ClientSession, gw: RunningGateway, query: str, token: str | None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(f"{gw.base_url}{REPORT}{query}", headers=headers) as response:
        return response.status, await response.json()


async def test_supervisors_get_every_figure(gateway, http, floor: World) -> None:
    boss = await _token(http, gateway, "boss")
    status, report = await _report(http, gateway, "?since=2026-11-01&until=2026-11-03", boss)
    assert status == 200, report
    # The gateway's clock is now, long after the floor: every open handoff's window is over.
    floor.now = datetime.now(timezone.utc)
    want = expected(floor, DAYS[0], DAYS[-1], SHANGHAI)
    assert report["days"] == want["days"]
    assert report["total"] == want["total"]
    assert (report["since"], report["until"]) == ("2026-11-01", "2026-11-03")
    assert (report["timezone"], report["window_s"]) == ("Asia/Shanghai", 30.0)
    assert report["target"] == {"reply_within_s": 30, "share": 0.95}
    assert report["total"]["buyer_messages"] > 300 and report["total"]["breaches"] > 0


async def test_agents_and_trainers_are_refused_and_strangers_must_log_in(gateway, http) -> None:
    for username in ("a1", "t1"):
        status, answer = await _report(http, gateway, "", await _token(http, gateway, username))
        assert (status, answer["error"]) == (403, "forbidden"), username
    status, answer = await _report(http, gateway, "", None)
    assert (status, answer["error"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?since=2026-13-01&until=2026-11-03", "bad_date"),
        ("?since=yesterday", "bad_date"),
        ("?since=2026-11-01&until=2026/11/03", "bad_date"),
        ("?since=2026-11-03&until=2026-11-01", "bad_range"),
        ("?since=2025-11-01&until=2026-11-02", "bad_range"),  # 367 days
    ],
)
async def test_bad_dates_and_ranges_are_refused_with_a_reason(gateway, http, query, code) -> None:
    status, answer = await _report(http, gateway, query, await _token(http, gateway, "boss"))
    assert (status, answer["error"]) == (400, code)
    assert answer["reason"]


async def test_without_dates_the_last_seven_days(gateway, http) -> None:
    boss = await _token(http, gateway, "boss")
    before = datetime.now(SHANGHAI).date()
    status, report = await _report(http, gateway, "", boss)
    after = datetime.now(SHANGHAI).date()
    assert status == 200
    assert report["until"] in {before.isoformat(), after.isoformat()}
    until = date.fromisoformat(report["until"])
    assert report["since"] == (until - timedelta(days=6)).isoformat()
    assert len(report["days"]) == 7
    status, report = await _report(http, gateway, "?since=2026-11-01&until=2026-11-01", boss)
    assert status == 200 and [d["date"] for d in report["days"]] == ["2026-11-01"]
    status, report = await _report(http, gateway, "?since=2025-11-02&until=2026-11-02", boss)
    assert status == 200 and len(report["days"]) == 366
