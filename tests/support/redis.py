"""A real Redis for the tests: one private server per session (Debian's redis-server,
started with the scaled profile's own code), flushed before each test that uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from bot.cluster.redis_server import RedisInstance, prepare_redis, server_process
from bot.supervisor import free_port

STARTUP_TIMEOUT_S = 30.0


@pytest.fixture(scope="session")
def redis_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisInstance]:
    """A private Redis server for the session."""
    state_dir = tmp_path_factory.mktemp("redis")
    instance = prepare_redis(state_dir, free_port())
    server = server_process(instance, state_dir, state_dir / "redis.log")
    server.start()
    try:
        server.wait_ready(STARTUP_TIMEOUT_S)
        yield instance
    finally:
        server.stop()


@pytest.fixture
async def redis(redis_instance: RedisInstance) -> AsyncIterator[Redis]:
    """A client of an emptied Redis."""
    client = Redis.from_url(redis_instance.url)
    await client.flushall()
    yield client
    await client.close()
