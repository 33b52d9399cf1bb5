"""One timer per handoff, armed at a wall-clock deadline (no polling job).

Deadlines are stored timestamps, so after a restart ``arm`` is simply called again with
the stored deadline and the timer fires after the time that is left (at once if past).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class DeadlineTimers:
    """Keyed timers that run a coroutine function when their deadline passes."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._handles: dict[int, asyncio.TimerHandle] = {}
        self._running: set[asyncio.Task[None]] = set()

    def arm(self, key: int, deadline: datetime, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` at ``deadline``, replacing any timer already armed for ``key``."""
        self.cancel(key)
        delay = max(0.0, (deadline - self._clock()).total_seconds())
        loop = asyncio.get_running_loop()
        self._handles[key] = loop.call_later(delay, self._fire, key, callback)

    def cancel(self, key: int) -> None:
        """Disarm ``key``'s timer, if any."""
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()

    def armed(self) -> set[int]:
        """The keys with a timer armed."""
        return set(self._handles)

    async def close(self) -> None:
        """Disarm every timer and wait for callbacks already running."""
        for key in list(self._handles):
            self.cancel(key)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _fire(self, key: int, callback: Callable[[], Awaitable[None]]) -> None:
        self._handles.pop(key, None)
        task = asyncio.get_running_loop().create_task(self._run(key, callback))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    @staticmethod
    async def _run(key: int, callback: Callable[[], Awaitable[None]]) -> None:
        try:
            await callback()
        except Exception:  # a failed stage must not kill the loop; it is logged
            log.exception("timer %s failed", key)
