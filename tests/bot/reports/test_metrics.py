"""The dashboard's figures on a real SQLite database seeded with a random (seeded) shop
floor, checked against the same figures computed from the generated list itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine_for, upgrade_schema
from bot.errors import BadRequestError
from bot.reports.metrics import BUCKETS, dashboard
from tests.bot.reports.reference import day_of, expected
from tests.bot.reports.world import (
    SHANGHAI,
    Handoff,
    Message,
    Reading,
    World,
    generate,
    local,
    ms,
    seed,
)

DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
NOW = local(DAYS[-1], 23, 59, 40)  # the last day is not over yet


@pytest.fixture
async def engine(gateway_db_url: str) -> AsyncIterator[AsyncEngine]:
    # SQLite, then PostgreSQL: bot/reports/sql.py has a function per dialect.
    engine = create_engine_for(gateway_db_url)
    await upgrade_schema(engine)
    yield engine
    await engine.dispose()


def _assert_world_covers_every_case(world: World) -> None:
    """The generated floor exercises what the figures distinguish (else the test is weak)."""
    by_conversation = world.by_conversation().values()
    waits = set()
    for conversation in by_conversation:
        for i, message in enumerate(conversation):
            if message.sender == "buyer":
                reply = next((m for m in conversation[i + 1 :] if m.sender != "buyer"), None)
                waits.add(None if reply is None else (reply.at - message.at).total_seconds())
    assert None in waits and {1.0, 30.0} <= waits  # unanswered, and waits on a limit
    for low, high in [(0, 1), (1, 5), (5, 10), (10, 30), (30, 60), (60, 180), (180, 1e9)]:
        assert any(w is not None and low < w <= high for w in waits), (low, high)
    window = timedelta(seconds=world.window_s)
    accepted = [h.accepted_at - h.triggered_at for h in world.handoffs if h.accepted_at]
    assert window in accepted  # accepted exactly at the window's end: not a breach
    assert any(a > window for a in accepted) and any(a < window for a in accepted)
    in_time = [h for h in world.handoffs if not h.accepted_at and h.ended_at]
    assert any(h.ended_at - h.triggered_at < window for h in in_time)
    assert any(h.ended_at - h.triggered_at == window for h in in_time)
    assert any(h.ended_at - h.triggered_at > window for h in in_time)
    assert any(world.now - h.triggered_at < window for h in world.handoffs)  # still in time
    crossing = [c for c in by_conversation if len({day_of(m.at, SHANGHAI) for m in c}) > 1]
    assert len(crossing) >= 5
    assert any(not r.read for r in world.readings) and world.flags


@pytest.mark.parametrize("seed_value", [1, 2, 3])
async def test_every_figure_matches_the_generated_floor(engine, seed_value: int) -> None:
    world = generate(seed_value, DAYS, conversations=220, now=NOW)
    _assert_world_covers_every_case(world)
    await seed(engine, world)

    report = await dashboard(engine, DAYS[0], DAYS[-1], SHANGHAI, world.window_s, now=NOW)
    figures = report.to_dict()

    want = expected(world, DAYS[0], DAYS[-1], SHANGHAI)
    assert [day["date"] for day in figures["days"]] == [d.isoformat() for d in DAYS]
    for got_day, want_day in zip(figures["days"], want["days"], strict=True):
        assert got_day == want_day, got_day["date"]
    assert figures["total"] == want["total"]
    assert figures["buckets"] == list(BUCKETS)
    assert figures["window_s"] == world.window_s and figures["timezone"] == "Asia/Shanghai"


async def test_one_day_of_the_range_and_the_days_around_it(engine) -> None:
    world = generate(7, DAYS, conversations=150, now=NOW)
    await seed(engine, world)
    for since, until in [(DAYS[1], DAYS[1]), (DAYS[0] - timedelta(days=1), DAYS[0])]:
        report = await dashboard(engine, since, until, SHANGHAI, world.window_s, now=NOW)
        assert report.to_dict()["total"] == expected(world, since, until, SHANGHAI)["total"]
    before = (await dashboard(engine, DAYS[0] - timedelta(days=1), DAYS[0] - timedelta(days=1),
                              SHANGHAI, world.window_s, now=NOW)).to_dict()["total"]  # fmt: skip
    assert before["buyer_messages"] > 0  # the floor starts three hours before the range


async def test_a_shorter_window_makes_more_breaches(engine) -> None:
    world = generate(11, DAYS, conversations=150, now=NOW)
    await seed(engine, world)
    world.window_s = 10.0
    report = await dashboard(engine, DAYS[0], DAYS[-1], SHANGHAI, 10.0, now=NOW)
    total = report.to_dict()["total"]
    assert total == expected(world, DAYS[0], DAYS[-1], SHANGHAI)["total"]
    longer = await dashboard(engine, DAYS[0], DAYS[-1], SHANGHAI, 30.0, now=NOW)
    assert total["breaches"] > longer.to_dict()["total"]["breaches"]


def _floor_in(tz: ZoneInfo, times: list[datetime]) -> World:
    """One conversation per time: a buyer line answered by the bot a second later."""
    world = World(now=times[-1] + timedelta(days=1))
    for i, at in enumerate(times):
        cid = f"d{i}"
        world.conversations[cid] = at
        world.messages += [Message(2 * i + 1, cid, "buyer", at, seq=1),
                           Message(2 * i + 2, cid, "bot", at + ms(1), seq=2)]  # fmt: skip
        world.readings.append(Reading(2 * i + 1, cid, at, True, "greet", "neutral"))
    world.handoffs.append(Handoff(1, "d0", "complaint", times[0], 1, times[0] + ms(40)))
    return world


@pytest.mark.parametrize(
    ("since", "until"),
    [(date(2026, 3, 7), date(2026, 3, 10)), (date(2026, 10, 31), date(2026, 11, 2))],
)
async def test_days_follow_daylight_saving_time(engine, since: date, until: date) -> None:
    new_york = ZoneInfo("America/New_York")
    times = []
    for i in range((until - since).days + 2):
        day = since + timedelta(days=i - 1)
        times += [local(day, 0, 0, 0, new_york), local(day, 23, 59, 59, new_york) + ms(0.999),
                  local(day, 1, 30, 0, new_york), local(day, 12, 0, 0, new_york)]  # fmt: skip
    world = _floor_in(new_york, sorted(times))
    await seed(engine, world)
    report = (await dashboard(engine, since, until, new_york, 30.0, now=world.now)).to_dict()
    assert report == {**report, **expected(world, since, until, new_york)}
    assert [d["buyer_messages"] for d in report["days"]] == [4] * ((until - since).days + 1)


async def test_an_empty_range_has_no_ratios(engine) -> None:
    report = (await dashboard(engine, DAYS[0], DAYS[0], SHANGHAI, 30.0)).to_dict()
    total = report["total"]
    assert total["buyer_messages"] == 0 and total["first_response"]["share_within_target"] is None
    assert total["containment"] is None and total["acceptance"]["p50_s"] is None
    assert total["readings"]["fallback_rate"] is None and total["top_intents"] == []
    assert report["days"][0] == {"date": DAYS[0].isoformat(), **total}


@pytest.mark.parametrize(
    ("since", "until"),
    [(date(2026, 11, 3), date(2026, 11, 2)), (date(2024, 12, 31), date(2026, 1, 1))],
)
async def test_a_backwards_or_too_long_range_is_refused(engine, since, until) -> None:
    with pytest.raises(BadRequestError) as caught:
        await dashboard(engine, since, until, SHANGHAI, 30.0)
    assert caught.value.code == "bad_range"


async def test_stored_timestamps_are_utc_whatever_zone_they_were_given_in(engine) -> None:
    # The seed writes aware UTC datetimes; a row written with another zone's offset would be
    # stored as its wall-clock text by SQLite. The figures bind only UTC instants.
    at = datetime(2026, 11, 1, 23, 30, tzinfo=SHANGHAI).astimezone(timezone.utc)
    world = _floor_in(SHANGHAI, [at])
    await seed(engine, world)
    report = (await dashboard(engine, DAYS[0], DAYS[0], SHANGHAI, 30.0, now=world.now)).to_dict()
    assert report["total"]["buyer_messages"] == 1
    next_day = (await dashboard(engine, DAYS[1], DAYS[1], SHANGHAI, 30.0)).to_dict()
    assert next_day["total"]["buyer_messages"] == 0
