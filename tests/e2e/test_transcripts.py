"""Transcript completeness through the real servers: a conversation with the bot, personal
data, a handoff, a gateway restart, a hand-back and a Rasa outage, read back whole by a
trainer and exported by the command line, with no personal data anywhere."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import AGENT_PASSWORD, TRAINER_USERNAME, RunningAssistant
from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket

pytestmark = pytest.mark.e2e
TURN_TIMEOUT_S = 30.0
PHONE, STREET = "13812345678", "建国路88号"
AGENT = "agent3"  # holds no chats from other tests
SAID = (
    "这件T恤有M码吗",
    f"我的手机号是{PHONE}，寄到北京市朝阳区{STREET}3单元501室",
    "你们这什么垃圾店，骗子！！！我要投诉",
    "快点帮我处理",  # to the agent
    "好的谢谢",  # to the agent, after the gateway restarted
    "还在吗",  # while Rasa is down
)


async def _log_in(http: aiohttp.ClientSession, deployment: RunningAssistant, who: str):
    return await AgentClient.log_in(http, deployment.gateway_url, who, AGENT_PASSWORD)


async def _with_the_bot_then_an_agent(http, deployment: RunningAssistant) -> str:
    async with (
        await _log_in(http, deployment, AGENT) as console,
        await BuyerSocket.connect(http, deployment.ws_url) as buyer,
    ):
        for text in SAID[:3]:
            await buyer.exchange(text, timeout_s=TURN_TIMEOUT_S)
        cid = buyer.conversation_id
        assigned = (await console.handoff_event(cid, "assigned"))["handoff"]
        assert (await console.post(f"/handoffs/{assigned['id']}/accept"))[0] == 200
        await buyer.wait_for("agent")
        await console.post(f"/conversations/{cid}/messages", {"text": "您好，我来帮您处理"})
        await buyer.exchange(SAID[3], timeout_s=TURN_TIMEOUT_S)
        await console.wait_for(lambda f: f["type"] == "message" and f["sender"] == "buyer")
    return cid


async def _after_a_gateway_restart(http, deployment: RunningAssistant, cid: str) -> None:
    await deployment.stop_group("gateway")  # scaled: both gateways
    await deployment.start_group("gateway")
    async with (
        await _log_in(http, deployment, AGENT) as console,
        await BuyerSocket.connect(http, deployment.ws_url, cid) as buyer,
    ):
        await buyer.exchange(SAID[4], timeout_s=TURN_TIMEOUT_S)
        assert (await console.post(f"/conversations/{cid}/handback"))[0] == 200
        await buyer.wait_for("handoff", mode="bot")
        await deployment.stop_group("Rasa server")
        try:
            _, replies = await buyer.exchange(SAID[5], timeout_s=TURN_TIMEOUT_S)
            assert replies, "the buyer is told what happens while Rasa is down"
        finally:
            await deployment.start_group("Rasa server")


async def _whole_transcript(http, deployment: RunningAssistant, cid: str) -> list[dict]:
    trainer = await AgentClient.log_in(
        http, deployment.gateway_url, TRAINER_USERNAME, AGENT_PASSWORD
    )
    for _ in range(100):  # lines said while Rasa was down are read once it is back
        status, body = await trainer.get(f"/trainer/conversations/{cid}")
        assert status == 200, body
        buyer_lines = [e for e in body["entries"] if e.get("sender") == "buyer"]
        if all(e["reading"] for e in buyer_lines):
            return body["entries"]
        await asyncio.sleep(0.3)
    raise AssertionError(f"some buyer lines were never read: {buyer_lines}")


async def test_every_line_and_event_survives_restarts_redacted(
    deployment: RunningAssistant, http
) -> None:
    cid = await _with_the_bot_then_an_agent(http, deployment)
    await _after_a_gateway_restart(http, deployment, cid)
    entries = await _whole_transcript(http, deployment, cid)

    buyer_lines = [e for e in entries if e.get("sender") == "buyer"]
    assert len(buyer_lines) == len(SAID)
    assert [e["text"] for e in buyer_lines][2:] == list(SAID[2:])
    assert PHONE not in buyer_lines[1]["text"] and STREET not in buyer_lines[1]["text"]
    assert "北京市朝阳区" in buyer_lines[1]["text"]  # the region the bot needs stays
    sources = [e["reading"]["source"] for e in buyer_lines]
    assert sources[:3] == ["rasa"] * 3 and sources[3:] == ["parse"] * 3, sources
    assert buyer_lines[0]["reading"]["intent"] == "ask_stock"
    assert buyer_lines[2]["reading"]["sentiment"]["label"] == "negative"
    events = [e["event"] for e in entries if e["kind"] == "event"]
    for kind in ("requested", "assigned", "accepted", "handed_back"):
        assert kind in events, events
    assert events.count("requested") == 2  # the second: Rasa down, the gateway handed over
    agent_lines = [e for e in entries if e.get("sender") == "agent"]
    assert {e["agent"] for e in agent_lines} == {"客服003"}
    assert any(e.get("sender") == "bot" for e in entries)
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    assert times == sorted(times)

    async with http.get(f"{deployment.rasa_url}/conversations/{cid}/tracker") as response:
        assert PHONE not in await response.text()  # Rasa never saw the number either
    for process in deployment.processes:
        assert PHONE not in process.log_tail(2_000_000), process.name


async def test_the_command_line_export_has_the_conversation(
    deployment: RunningAssistant, http
) -> None:
    async with await BuyerSocket.connect(http, deployment.ws_url) as buyer:
        await buyer.exchange("发什么快递", timeout_s=TURN_TIMEOUT_S)
    await _whole_transcript(http, deployment, buyer.conversation_id)  # read, as batches do
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the shop's day
    env = dict(deployment.env or {})
    result = subprocess.run(
        [sys.executable, "-m", "bot", "transcripts", "export", "--since", "2000-01-01",
         "--until", "2000-01-02", "--format", "jsonl"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout == "", result.stderr
    wide = [f"--since={today}T00:00:00+00:00", "--until", "2999-01-01T00:00:00+00:00"]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "transcripts", "export", *wide, "--format", "jsonl"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "at most" in result.stderr  # more than a year
    result = subprocess.run(
        [sys.executable, "-m", "bot", "transcripts", "export", "--since", today,
         "--until", today, "--format", "jsonl"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    said = [r for r in rows if r["text"] == "发什么快递"]
    assert said and said[0]["intent"] == "ask_shipping" and said[0]["channel"] == "websocket"
