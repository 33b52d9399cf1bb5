"""The production profile's own promises, through its real servers (PostgreSQL, Redis,
nginx, two gateways, two Rasa servers): a buyer on one gateway and the agent on the other
hear each other; the window's stages happen once; a gateway killed mid-conversation loses
no message and no handoff; a Rasa server killed leaves the other answering."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.conftest import AGENT_PASSWORD, ScaledAssistant
from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket

pytestmark = pytest.mark.e2e
TURN_TIMEOUT_S = 30.0
GATEWAY_A, GATEWAY_B = 0, 1


def ws(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/ws/buyer"


async def agent_on(http: aiohttp.ClientSession, base_url: str, name: str) -> AgentClient:
    return await AgentClient.log_in(http, base_url, name, AGENT_PASSWORD)


async def ask_for_a_person(buyer: BuyerSocket) -> None:
    await buyer.exchange("转人工", timeout_s=TURN_TIMEOUT_S)
    assert (await buyer.wait_for("handoff"))["mode"] == "waiting"


async def accept(console: AgentClient, buyer: BuyerSocket) -> dict:
    cid = buyer.conversation_id
    offered = (await console.handoff_event(cid, "assigned", timeout_s=15))["handoff"]
    status, body = await console.post(f"/handoffs/{offered['id']}/accept")
    assert status == 200, body
    await buyer.wait_for("handoff", mode="human")
    await buyer.wait_for("agent")  # the greeting in the agent's name
    return offered


async def test_buyer_on_one_gateway_and_agent_on_the_other_hear_each_other(
    scaled_assistant: ScaledAssistant, http
) -> None:
    a, b = scaled_assistant.node_url(GATEWAY_A), scaled_assistant.node_url(GATEWAY_B)
    async with (
        await agent_on(http, b, "agent4") as console,
        await BuyerSocket.connect(http, ws(a)) as buyer,
    ):
        cid = buyer.conversation_id
        await ask_for_a_person(buyer)  # handled on A, which sees the agent online on B
        await accept(console, buyer)
        await buyer.exchange("我的订单还没发货", timeout_s=TURN_TIMEOUT_S)
        heard = await console.wait_for(
            lambda f: f["type"] == "message" and f.get("text") == "我的订单还没发货"
        )
        assert heard["sender"] == "buyer"
        status, _ = await console.post(f"/conversations/{cid}/messages", {"text": "我来查一下"})
        assert status == 201
        await buyer.wait_for("agent", text="我来查一下")  # pushed from B to A
        assert (await console.post(f"/conversations/{cid}/handback"))[0] == 200
        await buyer.wait_for("handoff", mode="bot")


async def test_window_stages_happen_once_across_gateways(
    scaled_assistant: ScaledAssistant, http
) -> None:
    a, b = scaled_assistant.node_url(GATEWAY_A), scaled_assistant.node_url(GATEWAY_B)
    async with (
        await agent_on(http, b, "agent5") as console,
        await BuyerSocket.connect(http, ws(a)) as buyer,
    ):
        cid = buyer.conversation_id
        await ask_for_a_person(buyer)
        missed = (await console.handoff_event(cid, "window_missed", timeout_s=20))["handoff"]
        # Both gateways armed a timer for each stage; give a second firing time to show.
        await asyncio.sleep(3)
        status, record = await console.get(f"/handoffs/{missed['id']}/events")
        assert status == 200
        kinds = [e["kind"] for e in record["events"]]
        assert kinds.count("offered_to_all") == 1, kinds
        assert kinds.count("window_missed") == 1, kinds
        assert kinds.count("ticket") == 1, kinds
        status, body = await console.post(f"/handoffs/{missed['id']}/accept")
        assert status == 200, body
        assert (await console.post(f"/conversations/{cid}/close", {"note": "测试"}))[0] == 200
    async with http.get(f"{scaled_assistant.gateway_url}/api/conversations/{cid}/messages") as r:
        lines = (await r.json())["messages"]
    notices = [m for m in lines if m["sender"] == "system" and "久等了" in (m["text"] or "")]
    assert len(notices) == 1, lines  # the buyer was told once that nobody came in time


async def test_gateway_killed_mid_conversation_loses_nothing(
    scaled_assistant: ScaledAssistant, http
) -> None:
    gateway_a = scaled_assistant.process("gateway 1")
    a = scaled_assistant.node_url(GATEWAY_A)
    front = scaled_assistant.gateway_url  # nginx: sends the buyer to a gateway that is up
    try:
        async with await agent_on(http, scaled_assistant.node_url(GATEWAY_B), "agent4") as console:
            async with await BuyerSocket.connect(http, ws(a)) as buyer:
                cid = buyer.conversation_id
                await ask_for_a_person(buyer)
                await accept(console, buyer)
                await asyncio.to_thread(gateway_a.kill)  # with a person on the line
            async with await BuyerSocket.connect(http, ws(front), cid) as buyer:
                assert (await buyer.wait_for("handoff"))["mode"] == "human"
                await buyer.exchange("你还在吗", timeout_s=TURN_TIMEOUT_S)
                await console.wait_for(lambda f: f.get("text") == "你还在吗")
                await console.post(f"/conversations/{cid}/messages", {"text": "在的"})
                await buyer.wait_for("agent", text="在的")
                assert (await console.post(f"/conversations/{cid}/handback"))[0] == 200
                await buyer.wait_for("handoff", mode="bot")
        await asyncio.to_thread(gateway_a.start)
        await asyncio.to_thread(gateway_a.wait_ready, 60)
        await _kill_mid_turn(http, scaled_assistant, cid)
    finally:
        if not gateway_a.running:
            gateway_a.start()
            await asyncio.to_thread(gateway_a.wait_ready, 60)


async def _kill_mid_turn(http, scaled_assistant: ScaledAssistant, cid: str) -> None:
    """The buyer's message is stored on A, A dies before answering: the widget re-sends it
    on its next socket and it is answered there, once."""
    question, client_id = "这件T恤有M码吗", str(uuid.uuid4())
    async with await BuyerSocket.connect(
        http, ws(scaled_assistant.node_url(GATEWAY_A)), cid
    ) as buyer:
        await buyer.send_message(question, client_id)
        await buyer.wait_for("ack")
        await asyncio.to_thread(scaled_assistant.process("gateway 1").kill)
    async with await BuyerSocket.connect(http, ws(scaled_assistant.gateway_url), cid) as buyer:
        _, bots = await buyer.exchange(question, client_id, timeout_s=TURN_TIMEOUT_S)
        assert bots, "the message stored before the crash is answered"
        assert all("转接人工" not in b["text"] for b in bots), bots
    async with http.get(f"{scaled_assistant.gateway_url}/api/conversations/{cid}/messages") as r:
        lines = (await r.json())["messages"]
    said = [m["text"] for m in lines if m["sender"] == "buyer"]
    assert said == ["转人工", "你还在吗", question], said  # every line, each once
    assert lines[-1]["sender"] == "bot"


async def test_one_rasa_server_killed_the_other_answers(
    scaled_assistant: ScaledAssistant, http
) -> None:
    rasa = scaled_assistant.process("Rasa server 1")
    await asyncio.to_thread(rasa.kill)
    try:
        async with await BuyerSocket.connect(http, scaled_assistant.ws_url) as buyer:
            for question in ("这件T恤有M码吗", "什么时候发货", "可以退货吗", "有优惠吗"):
                _, bots = await buyer.exchange(question, timeout_s=TURN_TIMEOUT_S)
                assert bots and all("转接人工" not in b["text"] for b in bots), bots
            assert not [f for f in buyer.pushed if f["type"] == "handoff"], buyer.pushed
    finally:
        rasa.start()
        await asyncio.to_thread(rasa.wait_ready, 240)


async def test_nginx_never_logs_a_conversation_id(scaled_assistant: ScaledAssistant, http) -> None:
    async with await BuyerSocket.connect(http, scaled_assistant.ws_url) as buyer:
        await buyer.exchange("你好", timeout_s=TURN_TIMEOUT_S)
        cid = buyer.conversation_id
    async with http.get(f"{scaled_assistant.gateway_url}/api/conversations/{cid}/messages") as r:
        assert r.status == 200
    nginx_dir = Path(scaled_assistant.env["SHOP_VAR_DIR"]) / "scaled" / "nginx"
    access = (nginx_dir / "access.log").read_text(encoding="utf-8")
    assert "/api/conversations/*/messages" in access  # the request was logged, masked
    for log_file in ("access.log", "error.log"):
        assert cid not in (nginx_dir / log_file).read_text(encoding="utf-8"), log_file
