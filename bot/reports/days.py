"""The calendar of a report: the days of a date range in the shop's time zone.

A day starts at midnight in the shop's time zone (``Settings.shop_timezone``), so a buyer
message at 23:59 in Shanghai belongs to that day even though it is 15:59 UTC. Rows are
put in their day by SQL (``day_of``), exactly also in zones with daylight saving time,
where a day may last 23 or 25 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlalchemy.sql.expression import ColumnElement

from bot.reports.sql import MS_PER_DAY, epoch_ms, floor_div, number


def local_midnight_ms(day: date, tz: ZoneInfo) -> int:
    """Milliseconds since the epoch of midnight starting ``day`` in ``tz``."""
    return round(datetime.combine(day, time.min, tzinfo=tz).timestamp() * 1000)


@dataclass(frozen=True)
class Days:
    """The days ``since`` … ``until`` (both included) in ``tz``."""

    since: date
    until: date
    tz: ZoneInfo

    @property
    def dates(self) -> list[date]:
        """Every day of the range, in order."""
        return [self.since + timedelta(days=i) for i in range((self.until - self.since).days + 1)]

    @property
    def boundaries_ms(self) -> list[int]:
        """Start of every day, then the end of the last one (epoch milliseconds)."""
        ends = [*self.dates, self.until + timedelta(days=1)]
        return [local_midnight_ms(day, self.tz) for day in ends]

    @property
    def start(self) -> datetime:
        """The range's first instant, in UTC (bind it as such: SQLite compares text)."""
        return _utc(self.boundaries_ms[0])

    @property
    def end(self) -> datetime:
        """The instant just after the range (exclusive), in UTC."""
        return _utc(self.boundaries_ms[-1])

    def in_range(self, column: ColumnElement) -> ColumnElement:
        """``start <= column < end``."""
        return (column >= self.start) & (column < self.end)

    def day_of(self, column: ColumnElement) -> ColumnElement:
        """SQL: the 0-based index of the day a timestamp column (within the range) falls in."""
        at = epoch_ms(column)
        pieces = self._pieces()
        if len(pieces) == 1:
            return _piece_value(at, pieces[0])
        whens = [(at < number(piece.end), _piece_value(at, piece)) for piece in pieces[:-1]]
        return case(*whens, else_=_piece_value(at, pieces[-1]))

    def _pieces(self) -> list[_Piece]:
        """Runs of 24-hour days; a 23- or 25-hour day (a change of daylight saving time) is
        a piece of its own."""
        bounds = self.boundaries_ms
        pieces: list[_Piece] = []
        for i in range(len(bounds) - 1):
            regular = bounds[i + 1] - bounds[i] == MS_PER_DAY
            if pieces and regular and pieces[-1].regular:
                last = pieces[-1]
                pieces[-1] = _Piece(last.first, last.start, bounds[i + 1], True)
            else:
                pieces.append(_Piece(i, bounds[i], bounds[i + 1], regular))
        return pieces


@dataclass(frozen=True)
class _Piece:
    first: int  # index of its first day
    start: int  # epoch ms
    end: int  # epoch ms, exclusive
    regular: bool  # every day of it lasts 24 hours


def _piece_value(at: ColumnElement, piece: _Piece) -> ColumnElement:
    if not piece.regular:
        return number(piece.first)
    # Within a run of 24-hour days the index grows by one every 86 400 000 ms.
    return number(piece.first) + floor_div(at - number(piece.start), number(MS_PER_DAY))


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
