"""Turn leases shared by the gateway processes: a Redis key per running turn that lapses
within ``TTL_S`` when its process dies (see ``bot.gateway.turns``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.tasks import cancel_and_wait
from bot.errors import ClusterError

TTL_S = 3.0
RENEW_EVERY_S = 1.0
POLL_S = 0.1


class RedisTurnLeases:
    """Leases as Redis keys ``shop:turn:<message id>``, renewed while the turn runs."""

    def __init__(self, redis: Redis, node: str) -> None:
        self._redis = redis
        self._node = node

    @staticmethod
    def _key(message_id: int) -> str:
        return f"shop:turn:{message_id}"

    @asynccontextmanager
    async def hold(self, message_id: int) -> AsyncIterator[None]:
        """Hold the lease on ``message_id`` while the block runs (renewed every second)."""
        key = self._key(message_id)
        try:
            await self._redis.set(key, self._node, px=int(TTL_S * 1000))
        except RedisError as err:
            raise ClusterError(f"cannot take a turn lease: {err}") from err
        turn_over = asyncio.Event()
        renewer = asyncio.get_running_loop().create_task(self._renew(key, turn_over))
        try:
            yield
        finally:
            # The renewer stops on the event, not on a cancellation, which redis-py may
            # swallow (bot.cluster.tasks); the cancellation only cuts its pause short.
            turn_over.set()
            await cancel_and_wait(renewer)
            with contextlib.suppress(RedisError):  # it lapses by itself within TTL_S
                await self._redis.delete(key)

    async def _renew(self, key: str, turn_over: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            if turn_over.is_set():
                return
            with contextlib.suppress(RedisError):
                await self._redis.pexpire(key, int(TTL_S * 1000))

    async def wait_released(self, message_id: int, timeout_s: float) -> bool:
        """Poll until the key is gone (released, or lapsed with its process)."""
        key = self._key(message_id)
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + timeout_s
        try:
            while await self._redis.exists(key):
                if loop.time() >= give_up_at:
                    return False
                await asyncio.sleep(POLL_S)
        except RedisError as err:
            raise ClusterError(f"cannot read a turn lease: {err}") from err
        return True
