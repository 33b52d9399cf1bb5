"""Accounts on SQLite and PostgreSQL: the columns' limits are checked before the
database (PostgreSQL enforces them, SQLite would not), and two gateways creating the first
supervisor at once both start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.db import create_engine_for, upgrade_schema
from bot.errors import AuthError
from bot.handoff.accounts import create_account, ensure_admin
from bot.handoff.store import HandoffStore


@pytest.fixture
async def stores(gateway_db_url: str) -> AsyncIterator[list[HandoffStore]]:
    """Two stores over one database, as two gateway processes have."""
    engines = [create_engine_for(gateway_db_url) for _ in range(2)]
    await upgrade_schema(engines[0])
    yield [HandoffStore(engine) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def test_names_longer_than_their_columns_are_refused(stores) -> None:
    with pytest.raises(AuthError, match="64"):
        await create_account(stores[0], "u" * 65, "password1", "客服001")
    with pytest.raises(AuthError, match="32"):
        await create_account(stores[0], "li", "password1", "客" * 33)
    made = await create_account(stores[0], "u" * 64, "password1", "客" * 32)
    assert (made.username, made.work_name) == ("u" * 64, "客" * 32)


async def test_two_gateways_creating_the_first_supervisor_at_once_both_start(stores) -> None:
    await asyncio.gather(*(ensure_admin(s, "admin", "admin-password-1") for s in stores))
    found = await stores[1].agent_with_hash("admin")
    assert found is not None and found[0].role == "supervisor"
