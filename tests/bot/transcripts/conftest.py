"""A real gateway database per test (SQLite, then PostgreSQL), with the stores the
transcripts use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine_for, upgrade_schema


@pytest.fixture
def db_url(gateway_db_url: str) -> str:
    return gateway_db_url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine_for(db_url)
    await upgrade_schema(built)
    yield built
    await built.dispose()
