"""Tasks busy with Redis stop when stopped, although redis-py may swallow a cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import random

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.tasks import cancel_and_wait

TRIES = 100


async def _renew_forever(redis: Redis) -> None:
    # Like the cluster's loops: a command, then a pause. (A loop with no pause at all can
    # have every cancellation swallowed; bot.cluster's loops all pause or stop on a flag.)
    while True:
        with contextlib.suppress(RedisError):
            await redis.pexpire("shop:test", 3000)
        await asyncio.sleep(0.001)


async def test_a_task_cancelled_inside_redis_commands_stops(redis: Redis) -> None:
    rng = random.Random(6)
    for _ in range(TRIES):
        task = asyncio.create_task(_renew_forever(redis))
        await asyncio.sleep(rng.random() * 0.01)
        assert await cancel_and_wait(task)
        assert task.done()


async def test_tasks_already_finished_are_fine() -> None:
    async def nothing() -> None:
        return None

    task = asyncio.create_task(nothing())
    await task
    assert await cancel_and_wait(task)
