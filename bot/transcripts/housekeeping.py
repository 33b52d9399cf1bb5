"""The gateway's periodic upkeep of transcripts: readings to record, and retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.errors import ShopAssistantError
from bot.transcripts.readings import ReadingRecorder
from bot.transcripts.retention import RetentionStore, purge

log = logging.getLogger(__name__)

SETTLE_EVERY_S = 3.0  # new lines are read in batches this often
SWEEP_EVERY_S = 30.0  # lines left pending (Rasa was down) are retried this often
PURGE_EVERY_S = 3600.0


class Housekeeping:
    """Records marked readings every few seconds, sweeps pending ones every half minute
    and purges old transcripts hourly (once at start)."""

    def __init__(
        self,
        recorder: ReadingRecorder,
        retention: RetentionStore,
        retention_days: int,
        settle_every_s: float = SETTLE_EVERY_S,
    ) -> None:
        self._recorder = recorder
        self._retention = retention
        self._days = retention_days
        self._settle_every_s = settle_every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until ``close``."""
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        since_sweep, since_purge = 0.0, PURGE_EVERY_S
        while True:
            if since_purge >= PURGE_EVERY_S:
                since_purge = 0.0
                await self._step(self._purge)
            if since_sweep >= SWEEP_EVERY_S:
                since_sweep = 0.0
                await self._step(self._recorder.sweep)
            await self._step(self._recorder.settle_marked)
            await asyncio.sleep(self._settle_every_s)
            since_sweep += self._settle_every_s
            since_purge += self._settle_every_s

    async def _purge(self) -> None:
        result = await purge(self._retention, self._days)
        if result.conversations:
            log.info("retention: deleted %d conversations older than %d days",
                     result.conversations, self._days)  # fmt: skip

    @staticmethod
    async def _step(step: Callable[[], Awaitable[Any]]) -> None:
        try:
            await step()
        except ShopAssistantError as err:
            # The database or Rasa is away; the next round retries.
            log.warning("transcript upkeep postponed: %s", err)
