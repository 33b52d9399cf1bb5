"""The queue lock over a real Redis: one holder at a time across "processes" (separate
clients and lock objects), released on errors."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.cluster.locks import ClusterQueueLock
from tests.support.redis import RedisInstance


async def test_two_processes_never_hold_the_lock_together(
    redis: Redis, redis_instance: RedisInstance
) -> None:
    other_client = Redis.from_url(redis_instance.url)
    locks = [ClusterQueueLock(redis), ClusterQueueLock(other_client)]
    holders: list[int] = []
    overlaps: list[list[int]] = []

    async def critical(which: int) -> None:
        async with locks[which]:
            holders.append(which)
            if len(holders) > 1:
                overlaps.append(list(holders))
            await asyncio.sleep(0.01)
            holders.remove(which)

    try:
        await asyncio.gather(*(critical(i % 2) for i in range(40)))
    finally:
        await other_client.close()
    assert overlaps == []
    assert not await redis.exists("shop:handoff-queue-lock")  # released at the end


async def test_an_error_inside_releases_the_lock(redis: Redis) -> None:
    lock = ClusterQueueLock(redis)
    with pytest.raises(ValueError):
        async with lock:
            raise ValueError("a failed queue change")
    async with lock:  # would wait for 15 s and fail if the lock were still held
        assert await redis.exists("shop:handoff-queue-lock")
