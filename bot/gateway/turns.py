"""Turn leases: which buyer messages a gateway process is answering right now.

A buyer whose socket dropped re-sends the messages that had no ``turn_end``. The gateway
must then tell apart a turn still being answered (its replies follow through the hub)
from one whose process died mid-turn (nobody will answer it, so it is answered now).
While a turn runs its process holds a lease on the message; a re-send waits until the
lease is released or has lapsed. In one process an ``asyncio.Event`` is the lease; with
several, a Redis key that expires when its process stops renewing it
(``bot.cluster.leases``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class TurnLeases(Protocol):
    """Leases on buyer messages whose turn is running."""

    def hold(self, message_id: int) -> AbstractAsyncContextManager[None]:
        """Hold the lease on ``message_id`` while the block runs."""
        ...

    async def wait_released(self, message_id: int, timeout_s: float) -> bool:
        """Wait until nobody holds ``message_id``'s lease; False if still held at timeout."""
        ...


class LocalTurnLeases:
    """Leases of one gateway process."""

    def __init__(self) -> None:
        self._running: dict[int, asyncio.Event] = {}

    @asynccontextmanager
    async def hold(self, message_id: int) -> AsyncIterator[None]:
        """Hold the lease on ``message_id`` while the block runs."""
        done = self._running.setdefault(message_id, asyncio.Event())
        try:
            yield
        finally:
            done.set()
            self._running.pop(message_id, None)

    async def wait_released(self, message_id: int, timeout_s: float) -> bool:
        """Wait until the turn of ``message_id`` has finished here (True at once if none)."""
        done = self._running.get(message_id)
        if done is None:
            return True
        try:
            await asyncio.wait_for(done.wait(), timeout_s)
        except asyncio.TimeoutError:
            return False
        return True
