"""The gateway's database: one SQLAlchemy metadata, the engine factory, schema upgrades,
and a base class that turns database failures into StorageError.

SQLite by default; the same code runs on PostgreSQL when the shop scales out. Tables are
declared next to the code that uses them (``bot.gateway.store``, ``bot.handoff.tables``,
``bot.console.tables``, ``bot.transcripts.tables``), all on ``metadata`` so that their
foreign keys resolve. The schema itself is made by the Alembic migrations in
``bot/migrations`` (``upgrade_schema``): a change to a table needs a new revision there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from bot.errors import StorageError

metadata = MetaData()


def create_engine_for(db_url: str) -> AsyncEngine:
    """Build the async engine; for SQLite, create the database's folder and enable WAL."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(db_url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # SQLAlchemy 1.4 defaults file-based SQLite to NullPool: a new connection, thread and
    # PRAGMAs for every statement. A small pool keeps connections open (bench: ~30 ms less
    # gateway time per buyer message).
    engine = create_async_engine(
        db_url, poolclass=AsyncAdaptedQueuePool, pool_size=5, max_overflow=5
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets history reads proceed while a reply is being written.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL keeps every committed message across process crashes and
    # restarts; only an OS crash or power loss can drop the last commits. It spares an
    # fsync per commit (two per buyer message, ~10 ms on this machine's disk).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def upgrade_schema(engine: AsyncEngine) -> None:
    """Bring the database to the newest revision (creating it when empty); idempotent.

    Raises:
        StorageError: the database failed, or its revision is unknown to this code.
    """
    # Imported on use: Alembic takes ~0.15 s to import, and most importers of this module
    # (the stores, the CLIs' other commands) never upgrade the schema.
    from bot.migrations.runner import upgrade_schema as upgrade

    await upgrade(engine)


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from the database, in UTC."""
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Database:
    """Base of the stores: a connection helper over one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def _connection(self, begin: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection (in a transaction when ``begin``); database errors become StorageError."""
        try:
            async with self._engine.connect() as conn:
                if not begin:
                    yield conn
                    return
                async with conn.begin():
                    yield conn
        except IntegrityError:
            raise  # callers decide what a constraint violation means
        except SQLAlchemyError as err:
            raise StorageError(f"database error: {type(err).__name__}") from err
