"""``python -m bot report``: the dashboard's figures on the command line.

    python -m bot report --since 2026-11-01 --until 2026-11-23 [--format text|json] [--db URL]

Days start at midnight in ``SHOP_TIMEZONE``; breaches use ``HANDOFF_WINDOW_S``; the
database is the gateway's (``GATEWAY_DB_URL``) unless ``--db`` names another (a URL, or
the path of a SQLite file). Without dates: the last 7 days up to today.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.db import create_engine_for
from bot.errors import BadRequestError, SettingsError, StorageError
from bot.reports.metrics import dashboard
from bot.reports.ranges import report_range
from bot.reports.text import render
from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot report", description="The supervisor's dashboard figures."
    )
    parser.add_argument("--since", help="first day, YYYY-MM-DD (default: 6 days before until)")
    parser.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--db", help="database URL or SQLite file (default: the gateway's)")
    return parser


def database_url(raw: str) -> str:
    """A database URL from ``--db``: a URL as given, a file path as SQLite.

    Raises:
        StorageError: a SQLite file that does not exist (a report never creates one).
    """
    url = raw if "://" in raw else f"sqlite+aiosqlite:///{Path(raw).resolve()}"
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).is_file():
        raise StorageError(f"no database at {file}")
    return url


async def _figures(url: str, since: date, until: date, settings: Settings) -> dict[str, Any]:
    engine = create_engine_for(url)
    try:
        report = await dashboard(
            engine, since, until, settings.shop_timezone, settings.handoff.window_s
        )
    finally:
        await engine.dispose()
    return report.to_dict()


def main(argv: list[str] | None = None) -> int:
    """Print the figures; 0 on success, 2 for bad arguments, 1 when the database fails."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        today = datetime.now(settings.shop_timezone).date()
        since, until = report_range(args.since, args.until, today)
    except (SettingsError, BadRequestError) as err:
        print(f"report: {err}", file=sys.stderr)
        return 2
    try:
        url = database_url(args.db or settings.gateway_db_url)
        figures = asyncio.run(_figures(url, since, until, settings))
    except StorageError as err:
        print(f"report: {err}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(render(figures), end="")
    return 0
