"""Stopping tasks that talk to Redis.

redis-py 4.x, the newest that Rasa 3.6 allows, checks a pooled connection inside
``async_timeout(0)`` before each command; on Python 3.10 a cancellation that lands there
is taken for that time-out and swallowed, and the command goes on. Measured: a task
looping over ``PEXPIRE`` and cancelled once at a random moment kept running in 217 of 300
tries. A task cancelled once may therefore never stop; ``cancel_and_wait`` cancels again
until it has. That works for loops that pause between commands (a cancellation then lands
in the pause); a loop that must stop promptly also checks a flag (``bot.cluster.leases``).
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

RECANCEL_EVERY_S = 0.05
GIVE_UP_AFTER_S = 5.0


async def cancel_and_wait(*tasks: asyncio.Task[object]) -> bool:
    """Cancel ``tasks`` and wait until every one has finished, cancelling again while not.

    Returns:
        False if some task still ran after ``GIVE_UP_AFTER_S`` (it is logged and left).
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + GIVE_UP_AFTER_S
    pending = {task for task in tasks if not task.done()}
    while pending and loop.time() < give_up_at:
        for task in pending:
            task.cancel()
        _done, pending = await asyncio.wait(pending, timeout=RECANCEL_EVERY_S)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("a stopped task had failed: %r", task.exception())
    if pending:
        log.error("%d task(s) would not stop: %s", len(pending), pending)
    return not pending
