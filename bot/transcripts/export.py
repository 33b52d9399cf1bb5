"""Transcripts as files for review: JSON Lines or CSV, one row per entry.

Rows are flat and the same in both formats. A conversation appears under a pseudonym (a
hash of its id): the id itself is the buyer's key to the conversation and must not travel
in a file. Text is redacted again on the way out, so lines stored before a kind of
personal data was made redactable leave redacted too. Rows are entries whose time lies in
the range, so consecutive daily exports neither miss nor repeat a line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import BadRequestError
from bot.gateway.chat import conversation_tag
from bot.reports.ranges import MAX_DAYS as MAX_RANGE_DAYS
from bot.transcripts.entries import Entry

FORMATS = ("jsonl", "csv")
COLUMNS = (
    "conversation", "at", "kind", "sender", "event", "seq", "text", "channel", "agent",
    "intent", "confidence", "fallback", "entities", "sentiment", "sentiment_confidence",
    "handoff_id", "detail",
)  # fmt: skip


def parse_range(
    since: str, until: str, tz: ZoneInfo, max_days: int | None = MAX_RANGE_DAYS
) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC from two ISO dates (whole days in ``tz``) or datetimes.

    Raises:
        BadRequestError: a value is not an ISO date/datetime, or ``until`` is before
            ``since``, or the range is longer than ``max_days`` (None: no limit).
    """
    start = _instant(since, tz, "since", end_of_day=False)
    end = _instant(until, tz, "until", end_of_day=True)
    if end <= start:
        raise BadRequestError("until must not be before since", "bad_range")
    if max_days is not None and end - start > timedelta(days=max_days):
        raise BadRequestError(f"the range may span at most {max_days} days", "bad_range")
    return start, end


def _instant(raw: str, tz: ZoneInfo, name: str, *, end_of_day: bool) -> datetime:
    raw = (raw or "").strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))
        moment = datetime.fromisoformat(raw)
    except ValueError as err:
        raise BadRequestError(
            f"{name} must be an ISO date (2026-11-23) or date-time, got {raw[:40]!r}", "bad_range"
        ) from err
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(ZoneInfo("UTC"))


def row_of(entry: Entry, redact: Callable[[str], str]) -> dict[str, Any]:
    """One entry as a flat row (the conversation under its pseudonym, text redacted)."""
    reading = entry.reading
    return {
        "conversation": conversation_tag(entry.conversation_id),
        "at": entry.at.isoformat(),
        "kind": entry.kind,
        "sender": entry.sender,
        "event": entry.event,
        "seq": entry.seq,
        "text": redact(entry.text) if entry.text else entry.text,
        "channel": entry.channel,
        "agent": entry.agent,
        "intent": reading.intent if reading else None,
        "confidence": reading.confidence if reading else None,
        "fallback": reading.fallback if reading else None,
        "entities": reading.to_dict()["entities"] if reading else None,
        "sentiment": reading.sentiment if reading else None,
        "sentiment_confidence": reading.sentiment_confidence if reading else None,
        "handoff_id": entry.handoff_id,
        "detail": entry.detail,
    }


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Each row as one line of JSON (UTF-8 text, Chinese unescaped)."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A header and one CSV line per row; lists and objects as JSON in their cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    yield _drain(buffer)
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        yield _drain(buffer)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # A spreadsheet would run a cell starting like a formula (CSV injection).
        return "'" + value
    return value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_lines(entries: Iterable[Entry], fmt: str, redact: Callable[[str], str]) -> Iterator[str]:
    """The export of ``entries`` in ``fmt`` (jsonl or csv), as text lines.

    Raises:
        BadRequestError: an unknown format.
    """
    if fmt not in FORMATS:
        raise BadRequestError(f"format must be one of {', '.join(FORMATS)}", "bad_format")
    rows = (row_of(entry, redact) for entry in entries)
    return jsonl_lines(rows) if fmt == "jsonl" else csv_lines(rows)
