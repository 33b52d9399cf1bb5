"""The buyer REST API and /health against a real gateway process."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.gateway.messages import GatewayMessages
from tests.support.gateway import RunningGateway

JSON = {"Content-Type": "application/json"}


async def new_conversation(http: aiohttp.ClientSession, gateway: RunningGateway) -> str:
    async with http.post(f"{gateway.base_url}/api/conversations") as response:
        assert response.status == 201
        return (await response.json())["conversation_id"]


def messages_url(gateway: RunningGateway, cid: str) -> str:
    return f"{gateway.base_url}/api/conversations/{cid}/messages"


async def post_raw(
    http: aiohttp.ClientSession, url: str, body: bytes, content_type: str = "application/json"
) -> tuple[int, dict[str, Any]]:
    async with http.post(url, data=body, headers={"Content-Type": content_type}) as response:
        return response.status, await response.json()


async def assert_still_works(
    http: aiohttp.ClientSession, gateway: RunningGateway, cid: str, messages: GatewayMessages
) -> None:
    """A valid message after the bad one is stored and answered (Rasa down: an apology,
    and the buyer is put through to a human)."""
    async with http.post(messages_url(gateway, cid), json={"text": "还在吗"}) as response:
        assert response.status == 200
        body = await response.json()
    assert body["replies"][0]["text"] == messages.assistant_unavailable
    assert body["handoff"]["mode"] == "waiting"


async def history(http: aiohttp.ClientSession, gateway: RunningGateway, cid: str) -> list:
    async with http.get(messages_url(gateway, cid)) as response:
        assert response.status == 200
        return (await response.json())["messages"]


async def test_message_while_rasa_is_down_is_stored(
    gateway, http, gateway_messages, no_agents_notice
) -> None:
    cid = await new_conversation(http, gateway)
    body = {"text": "这件T恤有M码吗", "client_message_id": "r1"}
    async with http.post(messages_url(gateway, cid), json=body) as response:
        assert response.status == 200
        answer = await response.json()
    assert answer["client_message_id"] == "r1"
    assert answer["replies"][0] == {
        "type": "bot",
        "text": gateway_messages.assistant_unavailable,
        "buttons": [],
        "custom": None,
        "message_id": answer["message_id"] + 1,
    }
    # Nobody is online: the buyer is told at once, and the handoff waits in the queue.
    assert answer["replies"][1]["text"] == no_agents_notice
    assert answer["handoff"]["mode"] == "waiting"
    assert answer["handoff"]["reason"] == "assistant_unavailable"
    stored = await history(http, gateway, cid)
    assert [(m["sender"], m["text"]) for m in stored] == [
        ("buyer", "这件T恤有M码吗"),
        ("system", gateway_messages.assistant_unavailable),
        ("system", no_agents_notice),
    ]


async def test_blank_text_is_422_empty(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(http, messages_url(gateway, cid), b'{"text": "  \\n "}')
    assert status == 422
    assert body["error"] == "empty"
    assert body["replies"][0]["text"] == gateway_messages.empty_message
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_5000_characters_is_413_too_long(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    async with http.post(messages_url(gateway, cid), json={"text": "长" * 5000}) as response:
        assert response.status == 413
        body = await response.json()
    assert body["error"] == "too_long"
    assert body["reason"]
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_invalid_json_is_400(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(http, messages_url(gateway, cid), b'{"text": "hi"')
    assert (status, body["error"]) == (400, "invalid_json")
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_invalid_utf8_body_is_400(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(http, messages_url(gateway, cid), b'{"text": "\xff\xfe\xfa"}')
    assert (status, body["error"]) == (400, "invalid_utf8")
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_json_array_is_400_not_an_object(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(http, messages_url(gateway, cid), b'["hi"]')
    assert (status, body["error"]) == (400, "not_an_object")
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_missing_text_is_400(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(http, messages_url(gateway, cid), b'{"message": "hi"}')
    assert (status, body["error"]) == (400, "missing_text")
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_wrong_content_type_is_415(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    status, body = await post_raw(
        http, messages_url(gateway, cid), b'{"text": "hi"}', content_type="text/plain"
    )
    assert (status, body["error"]) == (415, "unsupported_media_type")
    await assert_still_works(http, gateway, cid, gateway_messages)


async def test_html_is_returned_verbatim_as_json(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    attack = '<img src=x onerror=alert(1)>"</script>'
    async with http.post(messages_url(gateway, cid), json={"text": attack}) as response:
        assert response.status == 200
    async with http.get(messages_url(gateway, cid)) as response:
        assert response.content_type == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert (await response.json())["messages"][0]["text"] == attack


async def test_duplicate_client_message_id_is_stored_once(gateway, http, gateway_messages) -> None:
    cid = await new_conversation(http, gateway)
    body = {"text": "发什么快递", "client_message_id": "same"}
    answers = []
    for _ in range(2):
        async with http.post(messages_url(gateway, cid), json=body) as response:
            assert response.status == 200
            answers.append(await response.json())
    assert answers[0] == answers[1]
    # one buyer message, the apology, and the notice that nobody is online
    assert len(await history(http, gateway, cid)) == 3


async def test_unknown_conversation_is_404(gateway, http) -> None:
    url = messages_url(gateway, "no-such-conversation")
    async with http.get(url) as response:
        assert response.status == 404
        assert (await response.json())["error"] == "not_found"
    async with http.post(url, json={"text": "你好"}) as response:
        assert response.status == 404
        assert (await response.json())["error"] == "not_found"


async def test_unknown_route_is_json_404(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/api/nothing-here") as response:
        assert response.status == 404
        assert (await response.json())["error"] == "not_found"


async def test_health_reports_rasa_and_action_server_down(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/health") as response:
        assert response.status == 503
        report = await response.json()
    assert report["status"] == "degraded"
    assert report["rasa"]["ok"] is False
    assert report["action_server"]["ok"] is False
    assert report["database"] == {"ok": True, "detail": "SELECT 1 ok"}
    assert report["rasa"]["detail"]


async def test_plain_http_to_the_socket_url_is_426(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/ws/buyer") as response:
        assert response.status == 426
        assert (await response.json())["error"] == "upgrade_required"


async def test_oversized_body_is_413_json(gateway, http) -> None:
    cid = await new_conversation(http, gateway)
    body = b'{"text": "' + b"a" * 200_000 + b'"}'
    status, answer = await post_raw(http, messages_url(gateway, cid), body)
    assert (status, answer["error"]) == (413, "too_long")
