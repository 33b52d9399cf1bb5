"""Two handoff services over one database and one Redis queue lock, as two gateway
processes run them: every process arms every timer, and each stage happens once."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.cluster.locks import ClusterQueueLock
from tests.bot.handoff.conftest import FAST
from tests.bot.handoff.test_service import new_request
from tests.support.redis import RedisInstance


async def test_each_window_stage_happens_once_with_two_processes(
    make_desk, redis: Redis, redis_instance: RedisInstance
) -> None:
    second_client = Redis.from_url(redis_instance.url)
    try:
        first = await make_desk(FAST, lock=ClusterQueueLock(redis))
        second = await make_desk(FAST, lock=ClusterQueueLock(second_client))
        await first.online(await first.agent("slow"))  # holds 3 chats: offered all three
        requests = [await new_request(first) for _ in range(3)]
        handoffs = [(await first.service.request(r))[0] for r in requests]
        await second.service.rearm_waiting()  # what the cluster's sync round does
        assert {h.id for h in handoffs} <= second.service.timers.armed()
        await asyncio.sleep(FAST.window_s + 0.5)
        for handoff in handoffs:
            events = await first.service.store.events_of(handoff.id)
            kinds = [e.kind for e in events]
            assert kinds == [
                "requested", "assigned", "offered_to_all", "window_missed", "ticket",
            ], kinds  # fmt: skip
            missed_after = (events[3].at - handoff.triggered_at).total_seconds()
            assert missed_after >= FAST.window_s  # not moved on early by the other process
            lines = await first.conversations.history(handoff.conversation_id)
            notices = [m for m in lines if m.sender == "system"]
            assert len(notices) == 1, notices  # the buyer is told once
    finally:
        await second_client.close()


async def test_offers_to_an_agent_gone_everywhere_go_back_to_the_queue(make_desk) -> None:
    desk = await make_desk(FAST)
    agent = await desk.agent("gone")
    await desk.online(agent)
    handoff, _ = await desk.service.request(await new_request(desk))
    assert handoff.assigned_agent_id == agent.id
    await desk.service.requeue_stale_offers()  # still online: nothing changes
    assert (await desk.service.store.get_handoff(handoff.id)).assigned_agent_id == agent.id
    desk.service.presence._seats.clear()
    await desk.service.requeue_stale_offers()
    requeued = await desk.service.store.get_handoff(handoff.id)
    assert requeued.assigned_agent_id is None
    kinds = [e.kind for e in await desk.service.store.events_of(handoff.id)]
    assert kinds[-1] == "requeued"
