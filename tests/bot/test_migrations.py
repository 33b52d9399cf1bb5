"""The gateway database's migrations (bot/migrations), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# Imported for their tables: ``metadata`` must be complete before it is compared.
import bot.console.tables
import bot.handoff.tables
import bot.transcripts.tables  # noqa: F401
from bot.db import create_engine_for, metadata, upgrade_schema
from bot.errors import StorageError
from bot.gateway.store import ConversationStore
from bot.migrations.runner import downgrade_schema, head_revision
from bot.migrations.runner import upgrade_schema as upgrade_to

# What the first gateway releases had: conversations and messages, no later feature tables
# (dependents first, so PostgreSQL lets them go).
LATER_TABLES = (
    "ticket", "handoff_event", "conversation_mode", "relabel", "handoff", "etiquette_flag",
    "buyer_reading", "canned_reply", "agent_session", "agent",
)  # fmt: skip


@pytest.fixture
async def engine(gateway_db_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine_for(gateway_db_url)
    yield built
    await built.dispose()


def _differences(conn: Connection, target: MetaData = metadata) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(context, target)


async def differences(engine: AsyncEngine, target: MetaData = metadata) -> list[Any]:
    """What autogenerate would write into a new migration for ``target``."""
    async with engine.connect() as conn:
        return await conn.run_sync(_differences, target)


async def revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def index_names(engine: AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as conn:
        indexes = await conn.run_sync(lambda c: inspect(c).get_indexes(table))
    return {index["name"] for index in indexes}


async def execute(engine: AsyncEngine, *statements: str) -> None:
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def test_an_empty_database_gets_the_declared_schema(engine: AsyncEngine) -> None:
    await upgrade_schema(engine)

    assert await revision(engine) == head_revision() == "0003"
    # Nothing left for autogenerate: every table, column, type, index and constraint of
    # the table modules was made by a migration. No dialect noise needed filtering:
    # JSON, DateTime(timezone=True), Float and the partial unique index reflect back as
    # declared on both SQLite and PostgreSQL with SQLAlchemy 1.4 / Alembic 1.13.
    assert await differences(engine) == []


async def test_the_comparison_sees_columns_and_types_without_a_migration(
    engine: AsyncEngine,
) -> None:
    await upgrade_schema(engine)
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["message"].append_column(Column("channel", String(16)))
    changed.tables["conversation"].c.script.type = String(32)

    found = await differences(engine, changed)

    # Column changes come grouped per column in a list; table-level ones as tuples.
    flat = [d for group in found for d in (group if isinstance(group, list) else [group])]
    # (kind, table, column): add_column carries the Column, modify_type its name.
    assert sorted((d[0], d[2], getattr(d[3], "name", d[3])) for d in flat) == [
        ("add_column", "message", "channel"),
        ("modify_type", "conversation", "script"),
    ]


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    await upgrade_schema(engine)
    conversation = await ConversationStore(engine).create_conversation()

    await upgrade_schema(engine)

    assert await revision(engine) == head_revision()
    assert await ConversationStore(engine).get_conversation(conversation.id) == conversation


async def test_a_database_from_before_migrations_is_adopted(engine: AsyncEngine) -> None:
    # What metadata.create_all built: revision 0001's schema without alembic_version.
    await upgrade_to(engine, "0001")
    await execute(engine, "DROP TABLE alembic_version")
    store = ConversationStore(engine)
    conversation = await store.create_conversation()
    message, _ = await store.add_buyer_message(conversation.id, "还没发货吗", "c-1")

    await upgrade_schema(engine)

    assert await revision(engine) == head_revision()
    assert "ix_message_created_at" in await index_names(engine, "message")
    assert await store.get_conversation(conversation.id) == conversation
    assert await store.history(conversation.id) == [message]
    assert await count(engine, "buyer_reading") == 1
    assert await differences(engine) == []


async def test_an_old_database_gains_the_tables_added_since(engine: AsyncEngine) -> None:
    await upgrade_to(engine, "0001")
    await execute(engine, "DROP TABLE alembic_version", *(f"DROP TABLE {t}" for t in LATER_TABLES))
    conversation = await ConversationStore(engine).create_conversation()

    await upgrade_schema(engine)

    assert set(LATER_TABLES) <= await table_names(engine)
    assert await differences(engine) == []
    assert await ConversationStore(engine).get_conversation(conversation.id) == conversation


async def test_a_failed_upgrade_leaves_the_database_as_it_was(engine: AsyncEngine) -> None:
    # A table holding the name of 0002's index: 0001 runs, then 0002 fails.
    await execute(engine, "CREATE TABLE ix_message_created_at (id INTEGER)")

    with pytest.raises(StorageError):
        await upgrade_schema(engine)

    # Everything 0001 created went with the failure (SQLite too: one transaction).
    assert await table_names(engine) == {"ix_message_created_at"}


async def test_a_database_from_newer_code_is_refused(engine: AsyncEngine) -> None:
    await upgrade_schema(engine)
    await execute(engine, "UPDATE alembic_version SET version_num = '9999'")

    with pytest.raises(StorageError, match="9999"):
        await upgrade_schema(engine)


async def test_migrations_can_be_undone(engine: AsyncEngine) -> None:
    await upgrade_schema(engine)

    await downgrade_schema(engine, "0002")
    # What the tables declare and the database lacks: exactly 0003's wider ticket.status.
    ((change,),) = await differences(engine)
    assert change[0] == "modify_type" and change[2:4] == ("ticket", "status")

    await downgrade_schema(engine, "0001")

    assert await revision(engine) == "0001"
    assert "ix_message_created_at" not in await index_names(engine, "message")
    kinds = [d[0] if isinstance(d, tuple) else d[0][0] for d in await differences(engine)]
    assert sorted(kinds) == ["add_index", "modify_type"]


async def test_sqlite_enforces_foreign_keys_again_after_upgrading(tmp_path: Any) -> None:
    # The upgrade turns them off on its connection (SQLite's advice for table rebuilds);
    # that connection goes back to the pool.
    engine = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    try:
        await upgrade_schema(engine)
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_gateways_starting_together_migrate_once(postgres_db_url: str) -> None:
    # Three engines, three connections: like gateway processes, they meet only in the
    # database. Without the advisory lock their migrations interleave and block each
    # other (in one process they even share Alembic's global ``op``), hence the timeout.
    engines = [create_engine_for(postgres_db_url) for _ in range(3)]
    try:
        await asyncio.wait_for(
            asyncio.gather(*(upgrade_schema(engine) for engine in engines)), timeout=60
        )

        assert await revision(engines[0]) == head_revision()
        assert await differences(engines[0]) == []
    finally:
        for engine in engines:
            await engine.dispose()
