"""The queue lock shared by every gateway process (Redis), so that the handoff queue has
one writer at a time wherever a request lands."""

from __future__ import annotations

import asyncio
from types import TracebackType

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.errors import ClusterError

QUEUE_LOCK_KEY = "shop:handoff-queue-lock"
# Longer than any queue change takes (a few database writes); a process that dies while
# holding the lock blocks the queue for at most this long.
HOLD_LIMIT_S = 10.0
WAIT_LIMIT_S = 15.0
POLL_S = 0.005


class ClusterQueueLock:
    """An async context manager: this process's ``asyncio.Lock``, then Redis's lock.

    Coroutines of one process queue on the local lock, so only one of them polls Redis.
    """

    def __init__(self, redis: Redis, key: str = QUEUE_LOCK_KEY) -> None:
        self._redis = redis
        self._key = key
        self._local = asyncio.Lock()
        self._held: Lock | None = None

    async def __aenter__(self) -> ClusterQueueLock:
        await self._local.acquire()
        # thread_local=False: every coroutine runs on this one thread; the token is ours.
        lock = Lock(
            self._redis, self._key, timeout=HOLD_LIMIT_S, sleep=POLL_S,
            blocking_timeout=WAIT_LIMIT_S, thread_local=False,
        )  # fmt: skip
        try:
            acquired = await lock.acquire()
        except RedisError as err:
            self._local.release()
            raise ClusterError(f"cannot take the queue lock: {err}") from err
        if not acquired:
            self._local.release()
            raise ClusterError(f"the queue lock was busy for {WAIT_LIMIT_S:.0f} s")
        self._held = lock
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        lock, self._held = self._held, None
        try:
            if lock is not None:
                await lock.release()
        except (LockError, RedisError):
            pass  # expired meanwhile: another process may already hold it; nothing to undo
        finally:
            self._local.release()
