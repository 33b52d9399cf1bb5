"""ClusterNode: what makes one gateway process one of several (``REDIS_URL`` set).

It connects to Redis and provides the cluster's hub, queue lock and turn leases to the
gateway's services, then keeps this process in step with the others: its agents'
presence is published on every change and every ``SYNC_EVERY_S`` (other processes' are
mirrored, and forgotten after ``NODE_SILENT_AFTER_S`` of silence), and timers are armed
for handoffs queued elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.bus import RedisBus
from bot.cluster.hub import ClusterHub
from bot.cluster.leases import RedisTurnLeases
from bot.cluster.locks import ClusterQueueLock
from bot.cluster.tasks import cancel_and_wait
from bot.errors import ClusterError
from bot.handoff.presence import Presence, RemoteSeat, Status
from bot.handoff.service import HandoffService

log = logging.getLogger(__name__)

SYNC_EVERY_S = 2.0
NODE_SILENT_AFTER_S = 7.0
PRESENCE_TOPIC = "presence"
HELLO_TOPIC = "hello"
STATUS_TOPIC = "presence_status"


class ClusterNode:
    """Redis and everything built on it, for one gateway process."""

    def __init__(self, redis: Redis, node: str) -> None:
        self.redis = redis
        self.node = node
        self.bus = RedisBus(redis, node)
        self.hub = ClusterHub(self.bus)
        self.queue_lock = ClusterQueueLock(redis)
        self.turns = RedisTurnLeases(redis, node)
        self._handoffs: HandoffService | None = None
        self._updates: asyncio.Queue[tuple[str, list[RemoteSeat]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def connect(cls, redis_url: str, node: str) -> ClusterNode:
        """Connect to Redis (checked with a PING).

        Raises:
            ClusterError: Redis does not answer.
        """
        redis = Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=10)
        try:
            await redis.ping()
        except RedisError as err:
            await redis.close()
            raise ClusterError(f"Redis at REDIS_URL does not answer: {err}") from err
        return cls(redis, node)

    async def start(self, handoffs: HandoffService) -> None:
        """Join the cluster: presence shared, timers of every waiting handoff armed."""
        self._handoffs = handoffs
        presence = handoffs.presence
        presence.on_local_change = self._publish_presence
        presence.relay_status = self._relay_status
        self.bus.on(PRESENCE_TOPIC, self._presence_received)
        self.bus.on(HELLO_TOPIC, self._hello_received)
        self.bus.on(STATUS_TOPIC, self._status_received)
        await self.bus.start()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._apply_updates()),
            loop.create_task(self._keep_in_step()),
        ]
        await self.bus.publish(HELLO_TOPIC, {})

    async def close(self) -> None:
        """Leave: stop the loops and the bus, close the Redis connections."""
        await cancel_and_wait(*self._tasks)
        await self.bus.close()
        await self.redis.close()

    async def _publish_presence(self) -> None:
        if self._handoffs is not None:
            snapshot = self._handoffs.presence.snapshot()
            await self.bus.publish(PRESENCE_TOPIC, {"seats": snapshot})

    async def _relay_status(self, agent_id: int, status: Status) -> None:
        await self.bus.publish(STATUS_TOPIC, {"agent_id": agent_id, "status": status})

    async def _presence_received(self, node: str, payload: dict[str, Any]) -> None:
        seats = [RemoteSeat.from_snapshot(seat) for seat in payload.get("seats", [])]
        # Applied by one worker, in order: a flip takes the queue lock, and the bus must
        # not wait for it.
        await self._updates.put((node, seats))

    async def _hello_received(self, _node: str, _payload: dict[str, Any]) -> None:
        await self._publish_presence()  # a new process learns who is online at once

    async def _status_received(self, _node: str, payload: dict[str, Any]) -> None:
        if self._handoffs is not None and payload.get("status") in ("online", "away"):
            presence: Presence = self._handoffs.presence
            await presence.set_local_status(int(payload["agent_id"]), payload["status"])

    async def _apply_updates(self) -> None:
        assert self._handoffs is not None
        while True:
            node, seats = await self._updates.get()
            try:
                await self._handoffs.presence.apply_remote(node, seats)
            except Exception:  # the next snapshot will bring it right
                log.exception("applying %s's presence failed", node)

    async def _keep_in_step(self) -> None:
        assert self._handoffs is not None
        while True:
            await asyncio.sleep(SYNC_EVERY_S)
            try:
                await self._publish_presence()
                await self._handoffs.presence.expire_remote(NODE_SILENT_AFTER_S)
                await self._handoffs.rearm_waiting()
                await self._handoffs.requeue_stale_offers()
            except Exception:  # Redis or the database away for a moment: next round
                log.exception("cluster sync round failed")
