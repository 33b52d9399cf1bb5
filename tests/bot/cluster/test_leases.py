"""Turn leases: a re-sent message waits for a running turn, and a turn whose process
died (its lease no longer renewed) lapses within the lease's time."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

import bot.cluster.leases as leases_module
from bot.cluster.leases import TTL_S, RedisTurnLeases
from bot.gateway.turns import LocalTurnLeases


async def _waits_for_a_running_turn(leases: RedisTurnLeases | LocalTurnLeases) -> None:
    async def turn() -> None:
        async with leases.hold(7):
            await asyncio.sleep(0.3)

    running = asyncio.create_task(turn())
    await asyncio.sleep(0.05)
    assert not await leases.wait_released(7, timeout_s=0.1)  # still answering
    assert await leases.wait_released(7, timeout_s=5)
    assert running.done() or await asyncio.wait_for(running, 1) is None
    assert await leases.wait_released(8, timeout_s=0)  # never held


async def test_a_running_turn_is_waited_for_across_processes(redis: Redis) -> None:
    await _waits_for_a_running_turn(RedisTurnLeases(redis, "gateway-a"))


async def test_a_running_turn_is_waited_for_in_one_process() -> None:
    await _waits_for_a_running_turn(LocalTurnLeases())


async def test_a_lease_outlives_its_ttl_while_renewed(redis: Redis) -> None:
    leases = RedisTurnLeases(redis, "gateway-a")
    async with leases.hold(9):
        await asyncio.sleep(TTL_S + 0.5)
        assert await redis.get("shop:turn:9") == b"gateway-a"
    assert not await redis.exists("shop:turn:9")


async def test_the_lease_of_a_dead_process_lapses(redis: Redis) -> None:
    # A process that died leaves its key without renewals: as SET with the TTL does.
    await redis.set("shop:turn:10", "gateway-dead", px=int(TTL_S * 1000))
    leases = RedisTurnLeases(redis, "gateway-b")
    assert await leases.wait_released(10, timeout_s=TTL_S + 2)


async def test_leaving_a_lease_while_it_is_being_renewed_returns(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Renewing without pause: the turn always ends while a PEXPIRE is on the wire, where
    # redis-py may swallow the renewer's cancellation (bot.cluster.tasks).
    monkeypatch.setattr(leases_module, "RENEW_EVERY_S", 0)
    leases = RedisTurnLeases(redis, "gateway-a")

    async def turn(message_id: int) -> None:
        async with leases.hold(message_id):
            await asyncio.sleep(0.002)

    for message_id in range(100, 150):
        await asyncio.wait_for(turn(message_id), timeout=2)
        assert not await redis.exists(f"shop:turn:{message_id}")
