"""A real gateway process talking to a stand-in Rasa: the path when Rasa is up."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.buyer_client import BuyerSocket
from tests.support.gateway import RunningGateway, running_gateway
from tests.support.processes import attach_to_test
from tests.support.stand_in_rasa import StandInRasa, running_stand_in_rasa

RASA_REPLIES = [
    {
        "recipient_id": "x",
        "text": "您好,请问您想了解哪方面呢?",
        "buttons": [{"title": "查询库存", "payload": "/ask_stock"}],
    },
    {"recipient_id": "x", "custom": {"kind": "size_chart", "product": "T01"}},
]


@pytest.fixture
async def rasa() -> AsyncIterator[StandInRasa]:
    async with running_stand_in_rasa() as stand_in:
        stand_in.replies = RASA_REPLIES
        yield stand_in


@pytest.fixture
async def gateway(
    tmp_path: Path, request: pytest.FixtureRequest, rasa: StandInRasa
) -> AsyncIterator[RunningGateway]:
    async with running_gateway(tmp_path, rasa_url=rasa.url, action_server_url=rasa.url) as gw:
        attach_to_test(request.node, gw.process)
        yield gw


async def test_replies_arrive_as_bot_frames(gateway, http, rasa) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        ack, bots = await buyer.exchange("有货吗", "m1", replies=2)
        cid = buyer.conversation_id
    assert rasa.received == [
        {
            "sender": cid,
            "message": "有货吗",
            "metadata": {"script": "simplified", "message_id": ack["message_id"]},
        }
    ]
    assert bots == [
        {
            "type": "bot",
            "text": "您好,请问您想了解哪方面呢?",
            "buttons": [{"title": "查询库存", "payload": "/ask_stock"}],
            "custom": None,
            "message_id": ack["message_id"] + 1,
        },
        {
            "type": "bot",
            "text": None,
            "buttons": [],
            "custom": {"kind": "size_chart", "product": "T01"},
            "message_id": ack["message_id"] + 2,
        },
    ]


async def test_traditional_buyer_gets_traditional_text_and_titles(gateway, http, rasa) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        _ack, bots = await buyer.exchange("請問還有貨嗎", "t1", replies=2)
    assert rasa.received[0]["message"] == "請問還有貨嗎"  # Rasa normalises the script itself
    assert bots[0]["text"] == "您好,請問您想了解哪方面呢?"
    assert bots[0]["buttons"] == [{"title": "查詢庫存", "payload": "/ask_stock"}]


async def test_ping_is_answered_while_rasa_is_slow(gateway, http, rasa) -> None:
    rasa.delay_s = 2.0
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_message("在吗", "slow-1")
        ack = await buyer.next_frame(timeout_s=1.0)  # stored: acknowledged before Rasa answers
        assert ack["type"] == "ack"
        started = time.monotonic()
        await buyer.send_json({"type": "ping"})
        assert await buyer.next_frame() == {"type": "pong"}
        assert time.monotonic() - started < 1.0
        assert (await buyer.next_frame())["type"] == "bot"


async def test_health_is_ok_when_everything_answers(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/health") as response:
        assert response.status == 200
        report = await response.json()
    assert report["status"] == "ok"
    assert report["rasa"] == {"ok": True, "detail": "Hello from Rasa: 3.6.21"}
    assert report["action_server"] == {"ok": True, "detail": "ok"}


async def test_log_holds_neither_message_text_nor_conversation_id(gateway, http) -> None:
    secret_text = "我的手机号是13800000000"
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.exchange(secret_text, "p1", replies=2)
        await buyer.ws.send_str("{broken")
        await buyer.next_frame()
        cid = buyer.conversation_id
    log = gateway.process.log_tail()
    assert "conversation" in log  # it does log, just not the contents
    assert secret_text not in log
    assert cid not in log


async def test_replies_follow_the_buyer_to_a_new_socket(gateway, http, rasa) -> None:
    """The network drops after the ack while Rasa is still thinking: the widget reconnects
    and re-sends; the replies reach the new socket once, not the dead one."""
    rasa.delay_s = 1.5
    async with await BuyerSocket.connect(http, gateway.ws_url) as first:
        await first.send_json({"type": "message", "text": "有货吗", "client_message_id": "c-1"})
        ack = await first.wait_for("ack")
        cid = first.conversation_id
    async with await BuyerSocket.connect(http, gateway.ws_url, cid) as second:
        await second.send_json({"type": "message", "text": "有货吗", "client_message_id": "c-1"})
        assert (await second.wait_for("ack"))["message_id"] == ack["message_id"]
        reply = await second.wait_for("bot", timeout_s=10)
        assert reply["text"] == RASA_REPLIES[0]["text"]
        await second.wait_for("turn_end", replies=2)
    assert len(rasa.received) == 1  # asked once
