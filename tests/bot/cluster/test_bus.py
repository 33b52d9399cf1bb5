"""The gateway bus over a real Redis: other processes get messages in order, the sender
does not, a bad message does not stop it."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.cluster.bus import CHANNEL, RedisBus


class Inbox:
    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []
        self.arrived = asyncio.Event()

    async def __call__(self, node: str, payload: dict[str, Any]) -> None:
        self.got.append((node, payload))
        self.arrived.set()

    async def wait_for(self, count: int) -> None:
        while len(self.got) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)


async def test_messages_reach_other_processes_in_order_and_not_the_sender(redis: Redis) -> None:
    a, b = RedisBus(redis, "gateway-a"), RedisBus(redis, "gateway-b")
    inbox_a, inbox_b = Inbox(), Inbox()
    a.on("buyer", inbox_a)
    b.on("buyer", inbox_b)
    await a.start()
    await b.start()
    try:
        for i in range(20):
            await a.publish("buyer", {"n": i, "text": "您好"})
        await b.publish("buyer", {"n": "from b"})
        await inbox_b.wait_for(20)
        await inbox_a.wait_for(1)
        assert [p["n"] for _, p in inbox_b.got] == list(range(20))
        assert {node for node, _ in inbox_b.got} == {"gateway-a"}
        assert inbox_a.got == [("gateway-b", {"n": "from b"})]  # never its own
    finally:
        await a.close()
        await b.close()


async def test_malformed_messages_and_failing_handlers_do_not_stop_the_bus(redis: Redis) -> None:
    a, b = RedisBus(redis, "gateway-a"), RedisBus(redis, "gateway-b")
    inbox = Inbox()

    async def broken(_node: str, _payload: dict[str, Any]) -> None:
        raise RuntimeError("a handler bug")

    b.on("broken", broken)
    b.on("buyer", inbox)
    await b.start()
    try:
        await redis.publish(CHANNEL, b"\xff not json")
        await redis.publish(CHANNEL, '{"node": "x"}')
        await a.publish("broken", {})
        await a.publish("unknown topic", {})
        await a.publish("buyer", {"still": "working"})
        await inbox.wait_for(1)
        assert inbox.got == [("gateway-a", {"still": "working"})]
    finally:
        await b.close()
