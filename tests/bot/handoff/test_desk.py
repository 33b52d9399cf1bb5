"""Talking with the buyer, handing back to the bot, closing, and the buyer's call-back."""

from __future__ import annotations

import pytest

from bot.errors import HandoffError
from tests.bot.handoff.conftest import Desk
from tests.bot.handoff.test_service import new_request


async def accepted_chat(desk: Desk):
    agent = await desk.agent("a")
    sink = await desk.online(agent)
    request = await new_request(desk)
    handoff, _ = await desk.service.request(request)
    await desk.service.accept(handoff.id, agent)
    return agent, sink, request.conversation_id


async def test_messages_flow_both_ways(desk) -> None:
    agent, agent_sink, cid = await accepted_chat(desk)
    buyer = await desk.buyer(cid)
    sent = await desk.desk.send(cid, agent, "您好，我帮您查一下订单")
    assert buyer.frames[-1] == {
        "type": "agent", "text": "您好，我帮您查一下订单", "message_id": sent.id,
        "agent": {"work_name": "客服a"},
    }  # fmt: skip
    stored, _ = await desk.conversations.add_buyer_message(cid, "好的谢谢", None)
    await desk.desk.buyer_wrote(cid, stored)
    assert agent_sink.frames[-1]["sender"] == "buyer"
    assert agent_sink.frames[-1]["text"] == "好的谢谢"


async def test_a_traditional_buyer_reads_the_agent_in_traditional(desk) -> None:
    agent, _, cid = await accepted_chat(desk)
    await desk.conversations.set_script(cid, "traditional")
    buyer = await desk.buyer(cid)
    sent = await desk.desk.send(cid, agent, "您好，我帮您查一下订单")
    assert sent.text == buyer.frames[-1]["text"] == "您好，我幫您查一下訂單"


async def test_only_the_holder_may_talk(desk) -> None:
    _, _, cid = await accepted_chat(desk)
    other = await desk.agent("other")
    with pytest.raises(HandoffError) as refused:
        await desk.desk.send(cid, other, "我来")
    assert refused.value.code == "not_yours"


async def test_hand_back_records_the_human_part_in_rasa_and_resumes(desk) -> None:
    agent, _, cid = await accepted_chat(desk)
    buyer = await desk.buyer(cid)
    await desk.desk.send(cid, agent, "已为您加急处理")
    stored, _ = await desk.conversations.add_buyer_message(cid, "好的", None)
    ended = await desk.desk.hand_back(cid, agent)
    assert (ended.state, ended.outcome) == ("ended", "handed_back")
    assert (await desk.service.store.mode_of(cid)).mode == "bot"
    [(conversation_id, events)] = desk.tracker.appended
    assert conversation_id == cid
    texts = [(e["event"], e.get("text")) for e in events]
    assert ("bot", "已为您加急处理") in texts
    assert ("user", "好的") in texts
    assert [e["event"] for e in events][-2:] == ["resume", "action"]
    assert not any(e.get("text") == "气死我了！！！" for e in events)  # Rasa has it already
    assert buyer.frames[-1]["mode"] == "bot"
    assert (await desk.service.store.mode_of(cid)).resume_after_seq is None


async def test_resume_is_retried_when_rasa_was_down_at_hand_back(desk) -> None:
    agent, _, cid = await accepted_chat(desk)
    desk.tracker.down = True
    await desk.desk.hand_back(cid, agent)
    assert (await desk.service.store.mode_of(cid)).resume_after_seq is not None
    desk.tracker.down = False
    assert await desk.desk.resume_bot(cid)
    assert len(desk.tracker.appended) == 1


async def test_close_with_a_note(desk) -> None:
    agent, _, cid = await accepted_chat(desk)
    ended = await desk.desk.close(cid, agent, "已补发，买家满意")
    assert (ended.outcome, ended.note) == ("closed", "已补发，买家满意")
    assert (await desk.service.store.mode_of(cid)).mode == "closed"
    history = await desk.conversations.history(cid)
    assert "本次服务已结束" in history[-1].text
    with pytest.raises(HandoffError):
        await desk.desk.close(cid, agent, "again")


async def test_buyer_leaves_a_contact_instead_of_waiting(desk) -> None:
    request = await new_request(desk)
    handoff, _ = await desk.service.request(request)  # nobody online: ticket at once
    with pytest.raises(HandoffError) as bad:
        await desk.desk.leave_callback(request.conversation_id, "<script>")
    assert bad.value.code == "invalid_contact"
    notices = await desk.desk.leave_callback(request.conversation_id, "138 0013 8000")
    assert "已经为您登记回电" in notices[0].text
    ticket = await desk.service.store.ticket_for(handoff.id)
    assert (ticket.status, ticket.contact) == ("callback_requested", "138 0013 8000")
    history = await desk.conversations.history(request.conversation_id)
    assert not any("138" in (m.text or "") for m in history)  # the number stays in the ticket
    assert (await desk.service.store.mode_of(request.conversation_id)).mode == "bot"
    assert desk.service.timers.armed() == set()


async def test_traditional_buyers_read_notices_in_traditional(desk) -> None:
    request = await new_request(desk)
    await desk.conversations.set_script(request.conversation_id, "traditional")
    _, notices = await desk.service.request(request)  # nobody online
    assert "線" in notices[0].text and "线" not in notices[0].text


def test_rasa_accepts_every_event_of_a_hand_back() -> None:
    from datetime import datetime, timezone

    import jsonschema
    from rasa.shared.core.events import Event
    from rasa.shared.utils.schemas.events import EVENTS_SCHEMA

    from bot.gateway.models import StoredMessage
    from bot.handoff.desk import tracker_events

    def line(seq: int, sender: str, text: str, custom=None) -> StoredMessage:
        now = datetime.now(timezone.utc)
        return StoredMessage(seq, "c", seq, sender, text, (), custom, None, None, now)

    lines = [
        line(1, "buyer", "好吧"),
        line(2, "agent", "我来处理", {"agent": {"work_name": "客服001"}}),
        line(3, "system", "客服001已接入"),
    ]
    parse = {"intent": {"name": "inform", "confidence": 0.9}, "entities": [], "text": "好吧",
             "sentiment": {"label": "neutral", "confidence": 0.8}}  # fmt: skip
    payload = tracker_events(lines, {1: parse})
    jsonschema.validate(payload, EVENTS_SCHEMA)  # what Rasa's HTTP API checks first
    events = [Event.from_parameters(e) for e in payload]
    assert [type(e).__name__ for e in events] == [
        "UserUttered", "BotUttered", "ConversationResumed", "ActionExecuted",
    ]  # fmt: skip
    assert events[0].intent_name == "inform"
    assert events[0].parse_data["sentiment"]["label"] == "neutral"
