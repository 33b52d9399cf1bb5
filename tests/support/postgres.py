"""A real PostgreSQL for the tests: one private cluster per test session (Debian's
packages, started with the scaled profile's own code), a fresh database per test.

``gateway_db_url`` (tests/conftest.py) runs a store test once on SQLite and once on
PostgreSQL; PostgreSQL missing is an error, not a skip (CI installs it).
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg2
import pytest

from bot.cluster.postgres import PostgresCluster, create_databases, prepare_cluster, server_process
from bot.supervisor import free_port

STARTUP_TIMEOUT_S = 60.0


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """A private PostgreSQL server for the session (removed at the end)."""
    state_dir = tmp_path_factory.mktemp("postgres")
    cluster = prepare_cluster(state_dir, free_port())
    server = server_process(cluster, state_dir / "postgres.log")
    server.start()
    try:
        server.wait_ready(STARTUP_TIMEOUT_S)
        create_databases(cluster)
        yield cluster
    finally:
        server.stop()
        shutil.rmtree(cluster.data_dir, ignore_errors=True)
        Path(f"{cluster.data_dir}.password").unlink(missing_ok=True)


def _admin(cluster: PostgresCluster, sql: str) -> None:
    conn = psycopg2.connect(
        host="127.0.0.1", port=cluster.port, user="shop", password=cluster.password,
        dbname="postgres",
    )  # fmt: skip
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def create_database(cluster: PostgresCluster) -> str:
    """A new, empty database of the cluster; returns its name."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    _admin(cluster, f'CREATE DATABASE "{name}"')
    return name


def drop_database(cluster: PostgresCluster, name: str) -> None:
    """Drop a test database (connections still open to it are ended first)."""
    _admin(cluster, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def postgres_db_url(postgres_cluster: PostgresCluster) -> AsyncIterator[str]:
    """The async URL of a fresh database, dropped after the test."""
    name = await asyncio.to_thread(create_database, postgres_cluster)
    yield postgres_cluster.url(name)
    await asyncio.to_thread(drop_database, postgres_cluster, name)
