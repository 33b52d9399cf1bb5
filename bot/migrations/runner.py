"""Run Alembic from code over the gateway's async engine, on SQLite and PostgreSQL alike.

Every run happens in one transaction that holds the migration lock: PostgreSQL's advisory
lock, or SQLite's write lock (``BEGIN IMMEDIATE``). Gateways starting together migrate
one after the other, and a migration that fails leaves the database as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import StorageError

logger = logging.getLogger(__name__)

# Any constant that no other code of this database uses as an advisory lock ("shopmig").
MIGRATION_LOCK_KEY = 0x73686F706D6967


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file (so logging is left alone)."""
    config = Config()
    config.set_main_option("script_location", "bot:migrations")
    if connection is not None:
        config.attributes["connection"] = connection  # env.py migrates over it
    return config


def head_revision() -> str:
    """The newest revision of the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "bot/migrations/versions holds no revision"
    return head


async def upgrade_schema(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to the newest revision (or ``revision``); idempotent.

    A database made by ``create_all`` before migrations existed (tables but no
    ``alembic_version``) is adopted: ``0001_initial`` creates only the tables it lacks.

    Raises:
        StorageError: the database failed or its revision is unknown to this code.
    """

    def upgrade(conn: Connection) -> None:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "conversation" in tables:
            logger.info("adopting a gateway database made before migrations existed")
        command.upgrade(alembic_config(conn), revision)

    await run_locked(engine, upgrade)


async def downgrade_schema(engine: AsyncEngine, revision: str) -> None:
    """Take the database back to ``revision`` (for developers; may drop data)."""
    await run_locked(engine, lambda conn: command.downgrade(alembic_config(conn), revision))


async def run_locked(engine: AsyncEngine, migrate: Callable[[Connection], None]) -> None:
    """Run ``migrate`` in one transaction holding the migration lock.

    Raises:
        StorageError: the database or Alembic failed; nothing was changed.
    """
    sqlite = engine.dialect.name == "sqlite"
    try:
        async with engine.connect() as conn:
            if sqlite:
                # SQLite's own advice for schema changes: batch migrations copy a table,
                # drop it and rename the copy, which enforced foreign keys would refuse
                # (the pragma is ignored inside a transaction, hence before BEGIN).
                await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                if sqlite:
                    # pysqlite starts no transaction before DDL, so each CREATE would
                    # commit on its own; an explicit one makes the run all-or-nothing,
                    # and IMMEDIATE takes the write lock before the version is read.
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    # Released at commit; a second gateway waits, then finds the head.
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                await conn.run_sync(migrate)
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
            finally:
                if sqlite:  # the connection goes back to the pool: enforce keys again
                    await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await conn.commit()
    except (SQLAlchemyError, CommandError, OSError) as err:
        raise StorageError(f"database migration failed: {err}") from err
