"""Buyers chatting with the real assistant over the gateway's WebSocket.

Every answer checked here comes from the demo shop's data (data/shop), through the real
NLU model, dialogue policy, action server and gateway.
"""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.conftest import RunningAssistant
from tests.support.buyer_client import BuyerSocket

pytestmark = pytest.mark.e2e
TURN_TIMEOUT_S = 30.0


async def say(buyer: BuyerSocket, text: str) -> str:
    """Send one message; return all reply texts of the turn joined."""
    _, bots = await buyer.exchange(text, timeout_s=TURN_TIMEOUT_S)
    assert bots, f"no reply to {text!r}"
    return "\n".join(frame["text"] or "" for frame in bots)


async def test_stock_question_answered_from_stock(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        reply = await say(buyer, "碎花连衣裙蓝色M码还有货吗")
    assert "小悦" in reply  # the first reply introduces the assistant (E2)
    assert "有现货" in reply and "20件" in reply


async def test_size_recommendation_from_chart(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        reply = await say(buyer, "羊毛大衣我身高165体重110斤穿什么码")
    assert "建议您选L码" in reply and "仅供参考" in reply
    assert "宽松" in reply  # the product's fit note


async def test_shipping_to_remote_region(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        reply = await say(buyer, "发新疆运费多少钱")
    assert "新疆" in reply and "15元" in reply and "5-7天" in reply


async def test_stock_slot_filling_over_turns(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        assert "哪个颜色" in await say(buyer, "碎花裙还有货吗")
        assert "S、M、XL码有现货" in await say(buyer, "蓝色")
        sold_out = await say(buyer, "要L码")
    assert "暂时缺货" in sold_out and "12月5日" in sold_out
    assert "到货提醒" in sold_out


async def test_topic_switch_and_back(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        assert "哪个颜色" in await say(buyer, "羊毛大衣有货吗")
        switched = await say(buyer, "对了你们发什么快递")
        assert "中通快递" in switched
        assert "刚才" in switched and "哪个颜色" in switched  # back to the stock question
        answer = await say(buyer, "黑色M码")
    assert "羊毛大衣黑色M码" in answer and "12月10日" in answer


async def test_order_tracking_asks_for_the_order_id(assistant: RunningAssistant, http) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        assert "订单号" in await say(buyer, "我的快递到哪了")
        reply = await say(buyer, "202611200002")
    assert "顺丰速运" in reply and "派送中" in reply


async def test_traditional_buyer_gets_traditional_replies(
    assistant: RunningAssistant, http: aiohttp.ClientSession
) -> None:
    async with await BuyerSocket.connect(http, assistant.ws_url) as buyer:
        reply = await say(buyer, "請問碎花連衣裙藍色M碼還有貨嗎")
    assert "現貨" in reply and "20件" in reply
    assert "现货" not in reply


async def test_health_reports_everything_up(assistant: RunningAssistant, http) -> None:
    async with http.get(f"{assistant.gateway_url}/health") as response:
        body = await response.json()
    assert response.status == 200, body
    assert body["rasa"]["ok"] and body["action_server"]["ok"] and body["database"]["ok"]
