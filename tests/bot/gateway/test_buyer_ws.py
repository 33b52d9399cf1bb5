"""The buyer WebSocket against a real gateway process (Rasa and action server down)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.gateway.messages import GatewayMessages
from tests.support.buyer_client import BuyerSocket
from tests.support.gateway import RunningGateway

HTML_ATTACK = "<script>alert(1)</script><img src=x onerror=alert(1)>"


async def rest_history(http: aiohttp.ClientSession, gateway: RunningGateway, cid: str) -> list:
    async with http.get(f"{gateway.base_url}/api/conversations/{cid}/messages") as response:
        assert response.status == 200
        return (await response.json())["messages"]


async def assert_error(buyer: BuyerSocket, code: str) -> dict[str, Any]:
    frame = await buyer.next_frame()
    assert frame["type"] == "error", frame
    assert frame["code"] == code
    assert frame["reason"]
    return frame


async def assert_apology_turn(
    buyer: BuyerSocket, text: str, messages: GatewayMessages, client_message_id: str = "c1"
) -> None:
    """A message reaches the Rasa path; with Rasa down it is acked and gets the apology."""
    ack, bots = await buyer.exchange(text, client_message_id)
    assert ack["client_message_id"] == client_message_id
    assert isinstance(ack["message_id"], int)
    assert bots[0]["text"] == messages.assistant_unavailable
    assert bots[0]["buttons"] == []
    assert bots[0]["message_id"] == ack["message_id"] + 1


async def test_new_socket_gets_welcome_with_new_conversation(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        assert len(buyer.conversation_id) >= 32
        assert buyer.welcome["history"] == []
        await buyer.ping()


async def test_empty_message_gets_error_and_polite_prompt(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_message("   ")
        await assert_error(buyer, "empty")
        notice = await buyer.next_frame()
        assert notice == {
            "type": "bot",
            "text": gateway_messages.empty_message,
            "buttons": [],
            "custom": None,
            "message_id": None,
        }
        await buyer.ping()
        await assert_apology_turn(buyer, "你好", gateway_messages)


async def test_5000_characters_is_too_long(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_message("好" * 5000, "long-1")
        await assert_error(buyer, "too_long")
        notice = await buyer.next_frame()
        assert notice["type"] == "bot"
        assert notice["text"] == gateway_messages.too_long_notice(1000)
        await buyer.ping()
        assert await rest_history(http, gateway, buyer.conversation_id) == []


async def test_emoji_only_reaches_rasa_path_and_is_stored(
    gateway, http, gateway_messages, no_agents_notice
) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await assert_apology_turn(buyer, "😀👍🎉", gateway_messages)
        await buyer.ping()
        history = await rest_history(http, gateway, buyer.conversation_id)
    assert [(m["sender"], m["text"]) for m in history] == [
        ("buyer", "😀👍🎉"),
        ("system", gateway_messages.assistant_unavailable),
        ("system", no_agents_notice),
    ]


async def test_punctuation_only_is_an_ordinary_message(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await assert_apology_turn(buyer, "???!!!。。。……", gateway_messages)
        await buyer.ping()


async def test_html_is_stored_and_returned_verbatim(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await assert_apology_turn(buyer, HTML_ATTACK, gateway_messages)
        await buyer.ping()
        cid = buyer.conversation_id
    assert (await rest_history(http, gateway, cid))[0]["text"] == HTML_ATTACK
    async with await BuyerSocket.connect(http, gateway.ws_url, cid) as resumed:
        assert resumed.welcome["history"][0]["text"] == HTML_ATTACK


async def test_invalid_json_gets_error(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.ws.send_str('{"type": "message", "text": ')
        await assert_error(buyer, "invalid_json")
        await buyer.ping()
        await assert_apology_turn(buyer, "在吗", gateway_messages)


async def test_binary_frame_is_not_supported(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.ws.send_bytes(b"\xff\xfe\xfa")
        await assert_error(buyer, "binary_not_supported")
        notice = await buyer.next_frame()
        assert notice["type"] == "bot"
        assert notice["text"] == gateway_messages.unsupported_content
        await buyer.ping()


async def test_lone_surrogate_is_invalid_utf8(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        # Valid JSON whose escape decodes to a lone surrogate, which UTF-8 cannot carry.
        await buyer.ws.send_str('{"type": "message", "text": "\\ud800"}')
        await assert_error(buyer, "invalid_utf8")
        await buyer.ping()


async def test_unknown_type_gets_error(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_json({"type": "dance", "text": "hi"})
        await assert_error(buyer, "unknown_type")
        await buyer.ping()


async def test_json_that_is_not_an_object_gets_error(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_json(["message", "hi"])
        await assert_error(buyer, "not_an_object")
        await buyer.ping()


async def test_message_without_text_gets_error(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.send_json({"type": "message", "client_message_id": "x"})
        await assert_error(buyer, "missing_text")
        await buyer.ping()


async def test_resume_by_conversation_id_returns_history(
    gateway, http, gateway_messages, no_agents_notice
) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await assert_apology_turn(buyer, "请问有L码吗", gateway_messages, "m1")
        cid = buyer.conversation_id
    async with await BuyerSocket.connect(http, gateway.ws_url, cid) as resumed:
        assert resumed.conversation_id == cid
        history = resumed.welcome["history"]
        assert [m["text"] for m in history] == [
            "请问有L码吗",
            gateway_messages.assistant_unavailable,
            no_agents_notice,
        ]
        assert history[0]["client_message_id"] == "m1"
        assert [m["seq"] for m in history] == [1, 2, 3]
        # The resumed socket is told at once that the buyer waits for a person.
        status = await resumed.wait_for("handoff")
        assert status["mode"] == "waiting"


async def test_unknown_conversation_id_starts_a_new_one(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url, "not-a-real-id") as buyer:
        assert buyer.conversation_id != "not-a-real-id"
        assert buyer.welcome["history"] == []


async def test_duplicate_client_message_id_is_stored_once(
    gateway, http, gateway_messages, no_agents_notice
) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        first_ack, first_replies = await buyer.exchange("有货吗", "dup-1")
        second_ack, second_replies = await buyer.exchange("有货吗", "dup-1")
        cid = buyer.conversation_id
    assert second_ack == first_ack
    assert second_replies == first_replies
    history = await rest_history(http, gateway, cid)
    assert [m["text"] for m in history] == [
        "有货吗",
        gateway_messages.assistant_unavailable,
        no_agents_notice,
    ]


async def test_traditional_buyer_gets_traditional_apology(gateway, http, gateway_messages) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        _ack, bots = await buyer.exchange("請問這件衣服還有貨嗎", "t1")
    assert bots[0]["text"] != gateway_messages.assistant_unavailable
    assert "記錄" in bots[0]["text"]
