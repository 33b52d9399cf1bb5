"""The supervisor's 看板 in a real browser on the real stack: a generated shop floor is
written into the running gateway's database (three days in October, long before any
other test's traffic), and the page shows its figures and draws its charts."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.db import create_engine_for, upgrade_schema
from bot.settings import Settings
from tests.bot.reports.reference import expected
from tests.bot.reports.world import SHANGHAI, World, generate, local, seed
from tests.e2e.browser.pages import Console, DashboardPage
from tests.e2e.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, TRAINER_USERNAME, RunningAssistant
from tests.support.browser import SCREENSHOT_DIR

pytestmark = pytest.mark.e2e
DAYS = [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)]


async def _write(url: str, world: World) -> None:
    engine = create_engine_for(url)
    try:
        await upgrade_schema(engine)
        await seed(engine, world, open_handoffs=False)  # nothing joins the live queue
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def floor(assistant: RunningAssistant) -> dict[str, Any]:
    """The floor in the gateway's database, and its figures as the gateway must report
    them (its window is the e2e one; its clock is now, long after October)."""
    settings = Settings.from_env(assistant.process("gateway").env)
    world = generate(21, DAYS, conversations=90, now=local(DAYS[-1], 23, 59, 40), tag="dash")
    for reading in world.readings:  # the gateway would read pending lines itself (sweep)
        if not reading.read:
            reading.read, reading.intent, reading.sentiment = True, "greet", "neutral"
    # Playwright's sync API keeps an event loop in this thread: write from another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _write(settings.gateway_db_url, world)).result()
    world.window_s = settings.handoff.window_s
    world.now = datetime.now(timezone.utc)
    return expected(world, DAYS[0], DAYS[-1], SHANGHAI)


def _js_round(value: float) -> int:
    """JavaScript's Math.round (halves up; Python's round() halves to even)."""
    return math.floor(value + 0.5)


def _close(a: str | None, b: float | None) -> bool:
    return (a in (None, "") and b is None) or abs(float(a or "nan") - (b or 0)) < 1e-9


def test_a_supervisor_sees_the_figures_and_charts_of_a_date_range(
    console_login: Callable[..., Console], floor: dict[str, Any]
) -> None:
    # Tall enough for the whole board in the screenshot (the console scrolls inside).
    console = console_login(
        ADMIN_USERNAME, ADMIN_PASSWORD, viewport={"width": 1280, "height": 1350}
    )
    board = DashboardPage(console)
    board.open()  # the last 7 days first
    board.show(DAYS[0].isoformat(), DAYS[-1].isoformat())
    total = floor["total"]

    # Headline numbers: the raw value behind each, and what is shown.
    heads = {
        "share_within_target": total["first_response"]["share_within_target"],
        "containment": total["containment"],
        "handoff_rate": total["handoff_rate"],
        "acceptance_p50": total["acceptance"]["p50_s"],
        "acceptance_p90": total["acceptance"]["p90_s"],
        "acceptance_max": total["acceptance"]["max_s"],
        "breaches": total["breaches"],
        "fallback_rate": total["readings"]["fallback_rate"],
        "negative_rate": total["readings"]["negative_rate"],
    }
    for metric, value in heads.items():
        shown = board.stat(metric)
        expect(shown).to_be_visible()
        assert _close(shown.get_attribute("data-value"), value), (metric, value)
    share = total["first_response"]["share_within_target"]
    expect(board.stat("share_within_target").locator(".stat__value")).to_have_text(
        f"{_js_round(share * 1000) / 10:.1f}%"
    )
    expect(board.stat("share_within_target")).to_contain_text("目标 95.0%")
    expect(board.stat("breaches").locator(".stat__value")).to_have_text(str(total["breaches"]))

    # Charts: one bar per bucket, day, reason, intent and flagged agent, with their values.
    buckets = total["first_response"]["buckets"]
    assert board.bars("first_response") == [[k, float(v)] for k, v in buckets.items()]
    days = [
        [d["date"], _js_round(d["first_response"]["share_within_target"] * 1000) / 10]
        for d in floor["days"]
    ]
    assert board.bars("daily_share") == days
    expect(board.chart("daily_share").locator("line.chart__target")).to_have_count(1)
    reasons = [[r, float(n)] for r, n in total["handoffs_by_reason"].items()]
    assert board.bars("reasons") == reasons
    intents = [[i["intent"], float(i["count"])] for i in total["top_intents"]]
    assert len(intents) == 10 and board.bars("intents") == intents
    agents = [[str(a["agent_id"]), float(a["flags"])] for a in total["etiquette"]]
    assert agents and board.bars("etiquette") == agents

    # Accessible: every chart has a title, an aria-label with its values, and a table.
    for name in ("first_response", "daily_share", "reasons", "intents", "etiquette"):
        chart = board.chart(name)
        expect(chart.locator("figcaption h3")).not_to_be_empty()
        expect(chart.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile(r"："))
        assert chart.locator("table tbody tr").count() == chart.locator("rect.chart__bar").count()
    expect(board.chart("etiquette").locator("table")).to_contain_text("×")

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    console.page.screenshot(
        path=str(SCREENSHOT_DIR / "dashboard.png"), full_page=True, animations="disabled"
    )

    # A backwards range is refused on the page, the figures stay.
    board.since.fill(DAYS[-1].isoformat())
    board.until.fill(DAYS[0].isoformat())
    board.apply.click()
    expect(board.error).to_contain_text("结束日期不能早于开始日期")
    expect(board.section).to_have_attribute(
        "data-loaded", f"{DAYS[0].isoformat()}/{DAYS[-1].isoformat()}"
    )

    # Another tab hides the board; the board comes back with its figures.
    console.page.locator("#tab-desk").click()
    expect(board.section).to_be_hidden()
    board.tab.click()
    expect(board.section).to_be_visible()
    expect(console.page.locator("#desk")).to_be_hidden()


@pytest.mark.parametrize("username", ["agent1", TRAINER_USERNAME])
def test_agents_and_trainers_have_no_board(
    console_login: Callable[..., Console], username: str
) -> None:
    console = console_login(username)
    expect(console.page.locator("#app[data-ready=true]")).to_be_attached()
    expect(console.page.locator("#me-role")).not_to_be_empty()
    expect(DashboardPage(console).tab).to_be_hidden()
