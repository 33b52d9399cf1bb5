"""The date range of a report: parsed from ``YYYY-MM-DD`` text, checked, with a default."""

from __future__ import annotations

from datetime import date, timedelta

from bot.errors import BadRequestError

MAX_DAYS = 366
DEFAULT_DAYS = 7


def parse_day(raw: str | None, name: str) -> date | None:
    """``raw`` as a date (None when empty).

    Raises:
        BadRequestError: code ``bad_date``, not an ISO date.
    """
    if raw is None or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as err:
        reason = f"{name} must be a date written YYYY-MM-DD, got {raw[:40]!r}"
        raise BadRequestError(reason, code="bad_date") from err


def check_range(since: date, until: date) -> None:
    """Refuse a range that ends before it starts or is longer than MAX_DAYS days.

    Raises:
        BadRequestError: code ``bad_range``.
    """
    if until < since:
        raise BadRequestError(f"until ({until}) is before since ({since})", code="bad_range")
    if (until - since).days + 1 > MAX_DAYS:
        reason = f"the range {since} … {until} is longer than {MAX_DAYS} days"
        raise BadRequestError(reason, code="bad_range")


def report_range(since_raw: str | None, until_raw: str | None, today: date) -> tuple[date, date]:
    """The days asked for; by default the last DEFAULT_DAYS days up to ``today``.

    Only ``since``: up to today. Only ``until``: the DEFAULT_DAYS days ending then.

    Raises:
        BadRequestError: a malformed date (``bad_date``) or range (``bad_range``).
    """
    since = parse_day(since_raw, "since")
    until = parse_day(until_raw, "until")
    if until is None:
        until = today
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    check_range(since, until)
    return since, until
