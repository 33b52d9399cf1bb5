"""The agent API and console socket of a real gateway process, with a stand-in Rasa whose
answer asks for a handoff the way the real handoff action does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket
from tests.support.gateway import RunningGateway, running_gateway
from tests.support.processes import attach_to_test
from tests.support.stand_in_rasa import StandInRasa

ADMIN = {"SHOP_ADMIN_USERNAME": "boss", "SHOP_ADMIN_PASSWORD": "boss-password"}


@pytest.fixture
async def gateway(
    tmp_path: Path, request, handoff_rasa: StandInRasa
) -> AsyncIterator[RunningGateway]:
    async with running_gateway(
        tmp_path, rasa_url=handoff_rasa.url, action_server_url=handoff_rasa.url, extra_env=ADMIN
    ) as gw:
        attach_to_test(request.node, gw.process)
        yield gw


async def test_every_agent_endpoint_needs_a_session(gateway, http) -> None:
    endpoints = [
        ("GET", "/me"),
        ("GET", "/queue"),
        ("POST", "/handoffs/1/accept"),
        ("GET", "/conversations/x"),
        ("POST", "/conversations/x/messages"),
    ]
    for method, path in endpoints:
        async with http.request(method, f"{gateway.base_url}/api/agent{path}", json={}) as r:
            assert r.status == 401, (method, path)
            assert (await r.json())["error"] == "unauthorized"
    headers = {"Authorization": "Bearer forged-token"}
    async with http.get(f"{gateway.base_url}/api/agent/me", headers=headers) as r:
        assert r.status == 401


async def test_wrong_password_is_refused_without_saying_why(gateway, http) -> None:
    for body in ({"username": "boss", "password": "wrong-password"},
                 {"username": "nobody", "password": "wrong-password"}):  # fmt: skip
        async with http.post(f"{gateway.base_url}/api/agent/login", json=body) as r:
            assert r.status == 401
            assert (await r.json())["reason"] == "wrong username or password"


async def test_login_sets_an_httponly_strict_cookie(gateway) -> None:
    body = {"username": "boss", "password": "boss-password"}
    # A browser-like session: keeps cookies even for the 127.0.0.1 address.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.post(f"{gateway.base_url}/api/agent/login", json=body) as r:
            assert r.status == 200
            cookie = r.headers["Set-Cookie"]
            csrf = {"X-CSRF-Token": (await r.json())["csrf_token"]}
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with browser.get(f"{gateway.base_url}/api/agent/me") as r:  # the cookie suffices
            assert (await r.json())["agent"]["role"] == "supervisor"
        async with browser.post(f"{gateway.base_url}/api/agent/logout", json={}, headers=csrf) as r:
            assert r.status == 200
        async with browser.get(f"{gateway.base_url}/api/agent/me") as r:
            assert r.status == 401


async def test_cross_site_request_is_refused(gateway, http) -> None:
    body = {"username": "boss", "password": "boss-password"}
    headers = {"Origin": "https://evil.example"}
    async with http.post(f"{gateway.base_url}/api/agent/login", json=body, headers=headers) as r:
        assert r.status == 403


async def test_handoff_from_rasa_reaches_the_console_and_the_agent_talks(
    gateway, http, handoff_rasa
) -> None:
    rasa = handoff_rasa
    async with (
        await AgentClient.log_in(http, gateway.base_url, "boss", "boss-password") as boss,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        _, bots = await buyer.exchange("气死了！！！")
        assert [b["text"] for b in bots] == ["非常理解您的心情…这就为您转接人工客服"]  # no payload
        cid = buyer.conversation_id
        new = (await boss.handoff_event(cid, "new"))["handoff"]
        assert new["slots"] == {"order_id": "202611150001"}
        assert new["assigned_agent"] is None  # supervisors are alerted, never auto-assigned
        status, _ = await boss.post(f"/handoffs/{new['id']}/accept")
        assert status == 200
        status, again = await boss.post(f"/handoffs/{new['id']}/accept")
        assert (status, again["error"]) == (409, "taken")
        attack = "<img src=x onerror=alert(1)>"
        status, sent = await boss.post(f"/conversations/{cid}/messages", {"text": attack})
        assert status == 201
        assert (await buyer.wait_for("agent", text=attack))["agent"] == {"work_name": "主管"}
        rasa.received.clear()
        _, silent = await buyer.exchange("嗯")
        assert silent == [] and rasa.received == []  # the bot does not answer a human's chat
        status, _ = await boss.post(f"/conversations/{cid}/handback")
        assert status == 200
    [(sender, events)] = rasa.tracker_events
    assert sender == cid
    assert [e["event"] for e in events] == ["bot", "bot", "user", "resume", "action"]


async def test_a_bad_callback_number_gets_a_polite_answer(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.exchange("气死了！！！")  # nobody is online: a ticket at once
        await buyer.send_json({"type": "callback", "contact": "<b>hi</b>"})
        error = await buyer.wait_for("error")
        assert error["code"] == "invalid_field"
        notice = await buyer.wait_for("bot")
        assert "手机号" in notice["text"]
        await buyer.send_json({"type": "callback", "contact": "+86 138-0013-8000"})
        assert "登记回电" in (await buyer.wait_for("notice"))["text"]

    async with await AgentClient.log_in(http, gateway.base_url, "boss", "boss-password") as boss:
        status, body = await boss.get("/tickets")
    assert status == 200
    [ticket] = body["tickets"]
    assert (ticket["status"], ticket["contact"]) == ("callback_requested", "+86 138-0013-8000")
