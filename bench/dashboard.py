"""The dashboard's cost on a big database: seed N messages over 30 days, time the figures.

Run: ``python -m bench.dashboard [--messages 100000] [--db /tmp/dashboard-bench.sqlite3]``.
The data is the seeded world the dashboard's tests check figure by figure
(tests/bot/reports/world.py).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date, timedelta
from pathlib import Path

from bot.db import create_engine_for, upgrade_schema
from bot.reports.metrics import dashboard
from tests.bot.reports.world import SHANGHAI, WINDOW_S, generate, local, seed


async def run(messages_wanted: int, db_path: Path) -> None:
    """Seed a fresh database and print the time of a 30-, 7- and 1-day report."""
    db_path.unlink(missing_ok=True)
    days = [date(2026, 10, 25) + timedelta(days=i) for i in range(30)]
    now = local(days[-1], 23, 59, 40)
    world = generate(42, days, conversations=round(messages_wanted / 10.5), now=now)
    engine = create_engine_for(f"sqlite+aiosqlite:///{db_path}")
    await upgrade_schema(engine)
    started = time.perf_counter()
    await seed(engine, world)
    print(f"seeded {len(world.messages)} messages, {len(world.handoffs)} handoffs, "
          f"{len(world.flags)} flags in {time.perf_counter() - started:.1f} s")  # fmt: skip
    for since, until in [(days[0], days[-1]), (days[-7], days[-1]), (days[-1], days[-1])]:
        started = time.perf_counter()
        report = await dashboard(engine, since, until, SHANGHAI, WINDOW_S, now=now)
        took = time.perf_counter() - started
        total = report.to_dict()["total"]
        print(f"{since} … {until}: {total['buyer_messages']} buyer messages in {took:.3f} s")
    await engine.dispose()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dashboard-bench.sqlite3"))
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.db))


if __name__ == "__main__":
    main()
