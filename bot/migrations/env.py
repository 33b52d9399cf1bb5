"""Alembic's environment: migrate over the connection that ``runner`` hands in.

Run by the ``alembic`` CLI (alembic.ini at the project root), it opens its own engine on
``GATEWAY_DB_URL`` (default: the gateway's SQLite file) and takes the same lock as the
gateway. ``fileConfig`` is never called: in the gateway, logging stays as configured.
"""

from __future__ import annotations

import asyncio
import logging

from alembic import context
from sqlalchemy.engine import Connection, make_url

# Imported for their side effect of declaring tables on ``metadata``.
import bot.console.tables
import bot.gateway.store
import bot.handoff.tables
import bot.transcripts.tables  # noqa: F401
from bot.db import create_engine_for, metadata
from bot.migrations.runner import run_locked

target_metadata = metadata


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations over ``connection`` (inside the caller's transaction)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # True on SQLite too: ``runner.run_locked`` wraps the run in one transaction.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _cli_url() -> str:
    from bot.settings import Settings

    return context.config.get_main_option("sqlalchemy.url") or Settings.from_env().gateway_db_url


async def _run_from_cli() -> None:
    engine = create_engine_for(_cli_url())
    try:
        await run_locked(engine, run_migrations)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    # ``alembic upgrade --sql``: print the SQL instead of running it.
    url = _cli_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.config.attributes.get("connection") is not None:
    run_migrations(context.config.attributes["connection"])
else:
    # The ``alembic`` CLI configures no logging; show its INFO lines (which revisions ran).
    logging.basicConfig(level=logging.INFO, format="%(levelname)s [%(name)s] %(message)s")
    if context.is_offline_mode():
        _run_offline()
    else:
        asyncio.run(_run_from_cli())
