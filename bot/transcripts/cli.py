"""``python -m bot transcripts``: export transcripts for review, or apply retention now.

    python -m bot transcripts export --since 2026-11-01 --until 2026-11-23 --format jsonl
    python -m bot transcripts export --since 2026-11-23 --until 2026-11-23 --format csv
    python -m bot transcripts purge [--days 180]

Dates are whole days in the shop's time zone (SHOP_TIMEZONE); ISO date-times work too.
``--out FILE`` writes to a file instead of standard output.
The database is the gateway's (GATEWAY_DB_URL, default var/gateway.sqlite3).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.db import create_engine_for, upgrade_schema
from bot.errors import ShopAssistantError
from bot.settings import Settings
from bot.transcripts.entries import TranscriptStore
from bot.transcripts.export import FORMATS, export_lines, parse_range
from bot.transcripts.redaction import Redactor
from bot.transcripts.retention import RetentionStore, purge


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot transcripts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write transcripts as JSON Lines or CSV")
    export.add_argument("--since", required=True, help="first day (YYYY-MM-DD) or date-time")
    export.add_argument("--until", required=True, help="last day (inclusive) or date-time")
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    purge_cmd = commands.add_parser("purge", help="delete conversations past retention")
    purge_cmd.add_argument("--days", type=int, help="default: TRANSCRIPT_RETENTION_DAYS")
    return parser


async def _export(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    since, until = parse_range(args.since, args.until, settings.shop_timezone)
    engine = create_engine_for(settings.gateway_db_url)
    try:
        await upgrade_schema(engine)
        entries = await TranscriptStore(engine).between(since, until)
    finally:
        await engine.dispose()
    redactor = Redactor.from_settings(settings)
    for line in export_lines(entries, args.format, redactor.redact):
        out.write(line)
    print(f"{len(entries)} entries exported", file=sys.stderr)
    return 0


async def _purge(settings: Settings, days: int | None) -> int:
    engine = create_engine_for(settings.gateway_db_url)
    try:
        await upgrade_schema(engine)
        days = settings.transcript_retention_days if days is None else days
        result = await purge(RetentionStore(engine), days)
    finally:
        await engine.dispose()
    if days <= 0:
        print("retention is off (0 days): nothing deleted")
    else:
        print(f"deleted {result.conversations} conversations ({result.messages} messages) "
              f"older than {days} days")  # fmt: skip
    return 0


def main(argv: list[str]) -> int:
    """Run ``export`` or ``purge``; exit 2 with the reason on bad input."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "purge":
            return asyncio.run(_purge(settings, args.days))
        if args.out is None:
            return asyncio.run(_export(settings, args, sys.stdout))
        with args.out.open("w", encoding="utf-8", newline="") as out:
            return asyncio.run(_export(settings, args, out))
    except ShopAssistantError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
