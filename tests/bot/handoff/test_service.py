"""The queue, assignment and the 30-second window, with short timers (FAST in conftest)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.errors import HandoffError
from bot.gateway.models import BotReply
from bot.handoff.service import HandoffRequest
from tests.bot.handoff.conftest import FAST, Desk


async def new_request(desk: Desk, reason: str = "strong_negative", **extra) -> HandoffRequest:
    conversation = await desk.conversations.create_conversation()
    buyer, _ = await desk.conversations.add_buyer_message(conversation.id, "气死我了！！！", None)
    replies = await desk.conversations.add_replies(
        conversation.id, "bot", [BotReply("非常理解您的心情…")], buyer.id
    )
    return HandoffRequest(
        conversation_id=conversation.id,
        reason=reason,
        triggered_at=buyer.created_at,
        paused_after_seq=replies[-1].seq,
        trigger_message_id=buyer.id,
        sentiment={"label": "negative", "confidence": 0.98},
        intent="complain",
        slots={"order_id": "A1001", "product": "碎花连衣裙"},
        **extra,
    )


async def kinds(desk: Desk, handoff_id: int) -> list[str]:
    return [e.kind for e in await desk.service.store.events_of(handoff_id)]


async def test_new_handoff_is_pushed_to_every_agent_and_given_to_the_least_loaded(desk) -> None:
    busy, free = await desk.agent("busy"), await desk.agent("free")
    busy_sink, free_sink = await desk.online(busy), await desk.online(free)
    first, _ = await desk.service.request(await new_request(desk))
    assert first.assigned_agent_id == busy.id  # equal load: the lower id
    second, notices = await desk.service.request(await new_request(desk))
    assert second.assigned_agent_id == free.id
    assert notices == []  # agents are online: no "nobody is here" notice
    for sink in (busy_sink, free_sink):
        assert sink.events() == ["new", "assigned", "new", "assigned"]
    pushed = free_sink.frames[-1]["handoff"]
    assert pushed["slots"] == {"order_id": "A1001", "product": "碎花连衣裙"}
    assert pushed["sentiment"] == {"label": "negative", "confidence": 0.98}
    assert pushed["reason"] == "strong_negative"


async def test_duplicate_escalation_keeps_one_handoff(desk) -> None:
    request = await new_request(desk)
    first, _ = await desk.service.request(request)
    again, notices = await desk.service.request(request)
    assert again.id == first.id
    assert notices == []
    assert await kinds(desk, first.id) == ["requested", "ticket"]  # nobody online


async def test_accept_puts_the_buyer_through_to_the_agent(desk) -> None:
    agent = await desk.agent("a")
    await desk.online(agent)
    request = await new_request(desk)
    buyer = await desk.buyer(request.conversation_id)
    handoff, _ = await desk.service.request(request)
    accepted = await desk.service.accept(handoff.id, agent)
    assert accepted.state == "active"
    mode = await desk.service.store.mode_of(request.conversation_id)
    assert mode.mode == "human"
    status, greeting = buyer.frames
    assert status["type"] == "handoff"
    assert status["mode"] == "human"
    assert status["agent"] == {"work_name": "客服a"}
    assert greeting["type"] == "agent"
    assert "客服a" in greeting["text"]
    assert "感谢您的耐心等待" in greeting["text"]
    assert await kinds(desk, handoff.id) == ["requested", "assigned", "accepted"]
    with pytest.raises(HandoffError) as taken:
        await desk.service.accept(handoff.id, agent)
    assert taken.value.code == "taken"


async def test_only_the_assigned_agent_may_accept_before_the_alert(desk) -> None:
    first, other = await desk.agent("first"), await desk.agent("other")
    await desk.online(first)
    handoff, _ = await desk.service.request(await new_request(desk))
    await desk.online(other)
    with pytest.raises(HandoffError) as refused:
        await desk.service.accept(handoff.id, other)
    assert refused.value.code == "not_yours"
    boss = await desk.agent("boss", role="supervisor")
    assert (await desk.service.accept(handoff.id, boss)).accepted_by == boss.id


async def test_decline_passes_the_handoff_on(desk) -> None:
    first, second = await desk.agent("first"), await desk.agent("second")
    await desk.online(first)
    await desk.online(second)
    handoff, _ = await desk.service.request(await new_request(desk))
    assert handoff.assigned_agent_id == first.id
    passed = await desk.service.decline(handoff.id, first)
    assert passed.assigned_agent_id == second.id
    again = await desk.service.decline(handoff.id, second)
    assert again.assigned_agent_id is None  # both declined: it waits for someone else
    assert await kinds(desk, handoff.id) == [
        "requested", "assigned", "declined", "assigned", "declined",
    ]  # fmt: skip


async def test_agent_going_offline_or_away_has_offers_requeued(desk) -> None:
    leaving, staying = await desk.agent("leaving"), await desk.agent("staying")
    await desk.online(leaving)
    handoff, _ = await desk.service.request(await new_request(desk))
    assert handoff.assigned_agent_id == leaving.id
    await desk.online(staying)
    await desk.service.presence.disconnected(leaving.id)
    moved = await desk.service.store.get_handoff(handoff.id)
    assert moved.assigned_agent_id == staying.id
    await desk.service.presence.set_status(staying.id, "away")
    assert (await desk.service.store.get_handoff(handoff.id)).assigned_agent_id is None
    assert "requeued" in await kinds(desk, handoff.id)


async def test_capacity_is_respected_and_freed(desk) -> None:
    agent = await desk.agent("a")  # accounts hold 3 chats by default
    await desk.online(agent)
    handoffs = [(await desk.service.request(await new_request(desk)))[0] for _ in range(4)]
    assigned = [h.assigned_agent_id for h in handoffs]
    assert assigned == [agent.id, agent.id, agent.id, None]  # max_chats 3 (the default)


async def test_window_stages_fire_on_time_with_a_ticket(desk) -> None:
    agent = await desk.agent("slow")
    agent_sink = await desk.online(agent)
    request = await new_request(desk)
    buyer = await desk.buyer(request.conversation_id)
    handoff, _ = await desk.service.request(request)
    await asyncio.sleep(FAST.window_s + 0.4)
    assert agent_sink.events()[-2:] == ["offered_to_all", "window_missed"]
    events = await desk.service.store.events_of(handoff.id)
    assert [e.kind for e in events] == [
        "requested", "assigned", "offered_to_all", "window_missed", "ticket",
    ]  # fmt: skip
    offered, missed = events[2].at, events[3].at
    assert offered - request.triggered_at >= timedelta(seconds=FAST.offer_all_after_s)
    assert missed - request.triggered_at >= timedelta(seconds=FAST.window_s)
    assert missed - request.triggered_at < timedelta(seconds=FAST.window_s + 0.3)
    ticket = await desk.service.store.ticket_for(handoff.id)
    assert (ticket.reason, ticket.status) == ("window_missed", "open")
    notice, status = buyer.frames[-2:]
    assert notice["type"] == "notice"
    assert "让您久等了" in notice["text"]
    assert status["callback_offered"] is True
    # The buyer may keep waiting: a late accept still works and settles the ticket.
    await desk.service.accept(handoff.id, agent)
    assert (await desk.service.store.ticket_for(handoff.id)).status == "chat_accepted"


async def test_nobody_online_tells_the_buyer_at_once(desk) -> None:
    handoff, notices = await desk.service.request(await new_request(desk))
    assert len(notices) == 1
    assert "不在线" in notices[0].text
    assert notices[0].in_reply_to == handoff.trigger_message_id
    ticket = await desk.service.store.ticket_for(handoff.id)
    assert ticket.reason == "no_agents"
    await asyncio.sleep(FAST.window_s + 0.3)
    # The window still runs (an agent may come online), but the buyer is not told twice.
    history = await desk.conversations.history(handoff.conversation_id)
    assert sum(1 for m in history if m.sender == "system") == 1
    assert "window_missed" in await kinds(desk, handoff.id)


async def test_restart_mid_wait_resumes_the_timer_with_the_time_left(make_desk) -> None:
    slow = FAST.__class__(offer_all_after_s=1.0, window_s=1.6, max_chats=3, idle_after_s=30)
    first = await make_desk(slow)
    agent = await first.agent("a")
    await first.online(agent)
    handoff, _ = await first.service.request(await new_request(first))
    await first.service.close()  # the gateway stops before the first stage
    await asyncio.sleep(0.3)
    second = await make_desk(slow)  # a new process over the same database
    restored = await second.service.store.get_handoff(handoff.id)
    assert restored.assigned_agent_id is None  # nobody is connected after a restart
    assert second.service.timers.armed() == {handoff.id}
    await asyncio.sleep(slow.window_s)
    events = await second.service.store.events_of(handoff.id)
    assert [e.kind for e in events][-3:] == ["offered_to_all", "window_missed", "ticket"]
    late = events[-2].at - restored.triggered_at
    assert timedelta(seconds=slow.window_s) <= late < timedelta(seconds=slow.window_s + 0.5)


async def test_a_past_deadline_fires_at_once_after_a_restart(make_desk) -> None:
    first = await make_desk()
    request = await new_request(first)
    long_ago = datetime.now(timezone.utc) - timedelta(seconds=60)
    handoff, _ = await first.service.request(
        HandoffRequest(**{**request.__dict__, "triggered_at": long_ago})
    )
    await first.service.close()
    second = await make_desk()
    await asyncio.sleep(0.3)
    assert (await second.service.store.get_handoff(handoff.id)).stage >= 1


async def test_an_idle_console_has_its_offers_requeued(make_desk) -> None:
    idle = FAST.__class__(offer_all_after_s=5, window_s=10, max_chats=3, idle_after_s=0.3)
    desk = await make_desk(idle)
    agent = await desk.agent("sleepy")
    await desk.online(agent)
    handoff, _ = await desk.service.request(await new_request(desk))
    assert handoff.assigned_agent_id == agent.id
    await asyncio.sleep(0.6)  # no heartbeat
    assert desk.service.presence.status_of(agent.id) == "idle"
    assert (await desk.service.store.get_handoff(handoff.id)).assigned_agent_id is None
    await desk.service.presence.heartbeat(agent.id)  # back: offered again
    assert (await desk.service.store.get_handoff(handoff.id)).assigned_agent_id == agent.id
