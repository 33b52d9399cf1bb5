"""Messages between the gateway processes over Redis publish/subscribe.

Every process publishes on one channel and listens to it; a message carries its sender
(``node``) and a topic, and each process ignores its own (it has already acted on them
locally). Redis keeps the order of one publisher's messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.cluster.tasks import cancel_and_wait
from bot.errors import ClusterError

log = logging.getLogger(__name__)

CHANNEL = "shop:gateway-bus"
RETRY_S = 0.5
Handler = Callable[[str, dict[str, Any]], Awaitable[None]]


class RedisBus:
    """Publish to, and dispatch from, the gateways' channel."""

    def __init__(self, redis: Redis, node: str, channel: str = CHANNEL) -> None:
        self._redis = redis
        self.node = node
        self._channel = channel
        self._handlers: dict[str, Handler] = {}
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    def on(self, topic: str, handler: Handler) -> None:
        """Call ``handler(node, payload)`` for other processes' messages on ``topic``."""
        self._handlers[topic] = handler

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Send ``payload`` to the other processes.

        Raises:
            ClusterError: Redis is unreachable.
        """
        message = json.dumps({"node": self.node, "topic": topic, "payload": payload})
        try:
            await self._redis.publish(self._channel, message)
        except RedisError as err:
            raise ClusterError(f"cannot publish on the gateway bus: {err}") from err

    async def start(self) -> None:
        """Subscribe and start dispatching (returns once subscribed)."""
        self._listener = asyncio.get_running_loop().create_task(self._listen())
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)

    async def close(self) -> None:
        """Stop listening."""
        if self._listener is not None:
            await cancel_and_wait(self._listener)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        await self._dispatch(message.get("data"))
            except RedisError as err:
                log.warning("gateway bus lost Redis (%s); resubscribing", err)
                await asyncio.sleep(RETRY_S)

    async def _dispatch(self, data: Any) -> None:
        try:
            message = json.loads(data)
            node, topic, payload = message["node"], message["topic"], message["payload"]
        except (TypeError, ValueError, KeyError):
            log.warning("gateway bus: ignored a malformed message")
            return
        handler = self._handlers.get(topic)
        if node == self.node or handler is None:
            return
        try:
            await handler(node, payload)
        except Exception:  # one bad message must not stop the bus
            log.exception("gateway bus: handling %s from %s failed", topic, node)
