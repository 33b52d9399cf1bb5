"""The days of a report in the shop's time zone (the SQL side is tested with the figures)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.reports.days import Days

HOUR_MS = 3_600_000


def test_a_shanghai_day_starts_at_four_pm_utc_the_day_before() -> None:
    days = Days(date(2026, 11, 1), date(2026, 11, 3), ZoneInfo("Asia/Shanghai"))
    assert days.dates == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert days.start == datetime(2026, 10, 31, 16, tzinfo=timezone.utc)
    assert days.end == datetime(2026, 11, 3, 16, tzinfo=timezone.utc)
    assert len(days._pieces()) == 1  # one formula for the whole range


def test_days_of_23_and_25_hours_get_pieces_of_their_own() -> None:
    new_york = ZoneInfo("America/New_York")
    spring = Days(date(2026, 3, 7), date(2026, 3, 10), new_york)
    lengths = [b - a for a, b in zip(spring.boundaries_ms, spring.boundaries_ms[1:], strict=False)]
    assert lengths == [24 * HOUR_MS, 23 * HOUR_MS, 24 * HOUR_MS, 24 * HOUR_MS]
    assert [(p.first, p.regular) for p in spring._pieces()] == [(0, True), (1, False), (2, True)]
    autumn = Days(date(2026, 11, 1), date(2026, 11, 1), new_york)
    assert autumn.boundaries_ms[1] - autumn.boundaries_ms[0] == 25 * HOUR_MS
