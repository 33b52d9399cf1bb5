"""Handoffs through the real servers: an upset buyer reaches a person, and back.

The assistant of tests/e2e/conftest.py runs with a 2 s / 4 s window (instead of 15 s /
30 s) and two agent accounts. Every test closes its agents' sockets, so the next test
starts with nobody online.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests.e2e.conftest import AGENT_PASSWORD, RunningAssistant
from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket

pytestmark = pytest.mark.e2e
TURN_TIMEOUT_S = 30.0
ANGRY = "你们这什么垃圾店，骗子！！！我要投诉"


async def agent(http: aiohttp.ClientSession, deployment: RunningAssistant, name: str):
    return await AgentClient.log_in(http, deployment.gateway_url, name, AGENT_PASSWORD)


async def events_until(console: AgentClient, handoff_id: int, kind: str) -> list[str]:
    """The handoff's recorded event kinds, once ``kind`` is among them (within 15 s)."""
    for _ in range(75):
        status, record = await console.get(f"/handoffs/{handoff_id}/events")
        assert status == 200, record
        kinds = [event["kind"] for event in record["events"]]
        if kind in kinds:
            return kinds
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {kind} among {kinds}")


async def escalate(buyer: BuyerSocket, text: str = ANGRY) -> list[dict]:
    """Send an upset message; return the bot's replies of that turn."""
    _, bots = await buyer.exchange(text, timeout_s=TURN_TIMEOUT_S)
    status = await buyer.wait_for("handoff")
    assert status["mode"] == "waiting", status
    return bots


async def test_angry_buyer_reaches_an_agent_and_comes_back_to_the_bot(
    deployment: RunningAssistant, http
) -> None:
    async with (
        await agent(http, deployment, "agent1") as first,
        await agent(http, deployment, "agent2") as second,
        await BuyerSocket.connect(http, deployment.ws_url) as buyer,
    ):
        cid = buyer.conversation_id
        bots = await escalate(buyer)
        assert "理解您的心情" in bots[0]["text"]  # feelings first (E11)
        assert "转接人工客服" in bots[0]["text"] and "30秒" in bots[0]["text"]  # who, how soon
        # Every online agent is told; one of them is offered it.
        for console in (first, second):
            new = await console.handoff_event(cid, "new")
            assert new["handoff"]["sentiment"]["label"] == "negative"
            assert new["handoff"]["reason"] in {"threat", "complaint", "strong_negative"}
        assigned = (await first.handoff_event(cid, "assigned"))["handoff"]
        holder = first if assigned["assigned_agent"]["work_name"] == "客服001" else second
        status, accepted = await holder.post(f"/handoffs/{assigned['id']}/accept")
        assert status == 200, accepted
        joined = await buyer.wait_for("handoff", mode="human")
        assert joined["agent"]["work_name"] == assigned["assigned_agent"]["work_name"]
        greeting = await buyer.wait_for("agent")
        assert "感谢您的耐心等待" in greeting["text"]
        # The agent sees the whole story (E12).
        status, story = await holder.get(f"/conversations/{cid}")
        assert status == 200
        assert [m["text"] for m in story["transcript"] if m["sender"] == "buyer"] == [ANGRY]
        # Messages flow both ways; the bot stays silent.
        status, _ = await holder.post(
            f"/conversations/{cid}/messages", {"text": "给您添麻烦了，我来处理"}
        )
        assert status == 201
        assert (await buyer.wait_for("agent", text="给您添麻烦了，我来处理"))["agent"]
        _, bots = await buyer.exchange("好吧，订单号A1001", timeout_s=TURN_TIMEOUT_S)
        assert bots == []
        heard = await holder.wait_for(lambda f: f["type"] == "message" and f["sender"] == "buyer")
        assert heard["text"] == "好吧，订单号A1001"
        # Hand back: the bot answers again, knowing what the agent said.
        status, _ = await holder.post(f"/conversations/{cid}/handback")
        assert status == 200
        await buyer.wait_for("handoff", mode="bot")
        _, bots = await buyer.exchange("碎花连衣裙蓝色M码还有货吗", timeout_s=TURN_TIMEOUT_S)
        assert any("有现货" in (b["text"] or "") for b in bots), bots
    async with http.get(f"{deployment.rasa_url}/conversations/{cid}/tracker") as response:
        tracker = await response.json()
    said = [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    assert "给您添麻烦了，我来处理" in said


async def test_nobody_accepts_alert_at_the_half_window_and_ticket_at_the_end(
    deployment: RunningAssistant, http
) -> None:
    async with (
        await agent(http, deployment, "agent1") as idle_agent,
        await BuyerSocket.connect(http, deployment.ws_url) as buyer,
    ):
        started = time.monotonic()
        await escalate(buyer, "转人工")
        cid = buyer.conversation_id
        alert = await idle_agent.handoff_event(cid, "offered_to_all")
        missed = await idle_agent.handoff_event(cid, "window_missed")
        notice = await buyer.wait_for("notice")
        assert "让您久等了" in notice["text"]
        offer = await buyer.wait_for("handoff", callback_offered=True)
        assert offer["mode"] == "waiting"
        assert 4.0 <= time.monotonic() - started < 8.0
        status, record = await idle_agent.get(f"/handoffs/{missed['handoff']['id']}/events")
        assert status == 200
        kinds = [e["kind"] for e in record["events"]]
        assert kinds[:1] == ["requested"] and kinds[-3:] == [
            "offered_to_all",
            "window_missed",
            "ticket",
        ]
        assert record["ticket"]["reason"] == "window_missed"
        assert alert["handoff"]["stage"] == "offered_to_all"
        # The buyer leaves a number instead of waiting; the bot takes over again.
        await buyer.send_json({"type": "callback", "contact": "13800138000"})
        assert "登记回电" in (await buyer.wait_for("notice", timeout_s=10))["text"]
        await buyer.wait_for("handoff", mode="bot")


async def test_no_agent_online_is_told_at_once(deployment: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, deployment.ws_url) as buyer:
        _, bots = await buyer.exchange("我要人工客服", timeout_s=TURN_TIMEOUT_S)
        status = await buyer.wait_for("handoff")
    assert "转接人工客服" in bots[0]["text"]
    assert "不在线" in bots[-1]["text"], bots  # in the same turn: no fake wait
    assert status["mode"] == "waiting"


async def test_gateway_restart_mid_wait_keeps_the_handoff_and_its_timer(
    deployment: RunningAssistant, http
) -> None:
    async with await BuyerSocket.connect(http, deployment.ws_url) as buyer:
        await escalate(buyer, "转人工")
        cid = buyer.conversation_id
    await deployment.stop_group("gateway")  # scaled: both gateways
    await deployment.start_group("gateway", 60)
    async with await agent(http, deployment, "agent2") as console:
        waiting = [h for h in console.hello["waiting"] if h["conversation_id"] == cid]
        assert len(waiting) == 1  # still queued after the restart
        # The re-armed timer moves the window on, whether its deadline passed while the
        # gateway was down (at once) or after it came back.
        kinds = await events_until(console, waiting[0]["id"], "window_missed")
    assert kinds.count("window_missed") == 1, kinds
    async with await BuyerSocket.connect(http, deployment.ws_url, cid) as resumed:
        assert (await resumed.wait_for("handoff"))["mode"] == "waiting"


async def test_rasa_down_the_buyer_still_reaches_a_person(
    deployment: RunningAssistant, http
) -> None:
    await deployment.stop_group("Rasa server")  # scaled: both Rasa servers
    try:
        async with (
            await agent(http, deployment, "agent1") as console,
            await BuyerSocket.connect(http, deployment.ws_url) as buyer,
        ):
            _, bots = await buyer.exchange("这件T恤有M码吗", timeout_s=TURN_TIMEOUT_S)
            assert "转接人工客服" in bots[0]["text"]
            new = await console.handoff_event(buyer.conversation_id, "new")
            assert new["handoff"]["reason"] == "assistant_unavailable"
    finally:
        await deployment.start_group("Rasa server")


async def test_parse_results_carry_sentiment(deployment: RunningAssistant, http) -> None:
    url = f"{deployment.rasa_url}/model/parse"
    async with http.post(url, json={"text": "你们这什么破店，气死我了！！！"}) as response:
        angry = await response.json()
    async with http.post(url, json={"text": "请问这件有M码吗"}) as response:
        calm = await response.json()
    assert angry["sentiment"]["label"] == "negative"
    assert 0.5 < angry["sentiment"]["confidence"] <= 1.0
    assert calm["sentiment"]["label"] == "neutral"
