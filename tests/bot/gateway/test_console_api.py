"""The console's own endpoints on a real gateway process (stand-in Rasa): CSRF, roles,
canned replies, the etiquette check and its record, the conversation's annotations,
the supervisor's overview and take-over, and logging out closing the console's socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket
from tests.support.gateway import RunningGateway, add_agent_and_trainer, running_gateway
from tests.support.processes import attach_to_test
from tests.support.stand_in_rasa import StandInRasa

PASSWORD = "console-password-1"
ENV = {
    "SHOP_ADMIN_USERNAME": "boss",
    "SHOP_ADMIN_PASSWORD": PASSWORD,
    "HANDOFF_OFFER_ALL_AFTER_S": "1",
    "HANDOFF_WINDOW_S": "2",
}


@pytest.fixture
async def gateway(
    tmp_path: Path, request, handoff_rasa: StandInRasa
) -> AsyncIterator[RunningGateway]:
    async with running_gateway(
        tmp_path, rasa_url=handoff_rasa.url, action_server_url=handoff_rasa.url, extra_env=ENV
    ) as gw:
        attach_to_test(request.node, gw.process)
        await add_agent_and_trainer(gw.var_dir, PASSWORD)
        yield gw


async def _log_in(http: aiohttp.ClientSession, gw: RunningGateway, who: str) -> AgentClient:
    return await AgentClient.log_in(http, gw.base_url, who, PASSWORD)


async def _browser_login(browser: aiohttp.ClientSession, gw: RunningGateway) -> dict[str, Any]:
    body = {"username": "boss", "password": PASSWORD}
    async with browser.post(f"{gw.base_url}/api/agent/login", json=body) as r:
        assert r.status == 200
        return await r.json()


async def _agent_holds_a_chat(agent: AgentClient, buyer: BuyerSocket) -> str:
    await buyer.exchange("我要投诉！")
    cid = buyer.conversation_id
    offer = await agent.handoff_event(cid, "assigned")
    assert (await agent.post(f"/handoffs/{offer['handoff']['id']}/accept"))[0] == 200
    return cid


async def test_cookie_requests_need_the_csrf_token(gateway) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        login = await _browser_login(browser, gateway)
        url = f"{gateway.base_url}/api/agent/presence"
        async with browser.post(url, json={"status": "away"}) as r:
            assert (r.status, (await r.json())["error"]) == (403, "csrf")
        wrong = {"X-CSRF-Token": "0" * 64}
        async with browser.post(url, json={"status": "away"}, headers=wrong) as r:
            assert r.status == 403
        async with browser.get(f"{gateway.base_url}/api/agent/me") as r:
            token = (await r.json())["csrf_token"]
        assert token == login["csrf_token"]
        async with browser.post(url, json={"status": "away"}, headers={"X-CSRF-Token": token}) as r:
            assert r.status == 200  # "offline" still: no console socket is open


async def test_trainers_read_but_never_act(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "t1") as trainer,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        await buyer.exchange("投诉！")
        cid = buyer.conversation_id
        new = (await trainer.handoff_event(cid, "new"))["handoff"]
        assert new["assigned_agent"] is None  # a trainer is never offered a buyer
        assert (await trainer.get(f"/conversations/{cid}"))[0] == 200
        assert (await trainer.get("/canned-replies"))[0] == 200
        for path, body in [(f"/handoffs/{new['id']}/accept", {}),
                           (f"/conversations/{cid}/messages", {"text": "您好"}),
                           ("/presence", {"status": "online"}),
                           ("/canned-replies", {"title": "x", "text": "您好"})]:  # fmt: skip
            status, answer = await trainer.post(path, body)
            assert (status, answer["error"]) == (403, "forbidden"), path
        assert (await trainer.get("/supervisor/overview"))[0] == 403


async def test_canned_replies_are_seeded_and_only_supervisors_edit_them(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "a1") as agent,
        await _log_in(http, gateway, "boss") as boss,
    ):
        status, listed = await agent.get("/canned-replies")
        assert status == 200 and len(listed["replies"]) >= 10
        new = {"title": "发货时间", "text": "您好，付款后48小时内为您发货哦。", "tags": ["物流"]}
        assert (await agent.post("/canned-replies", new))[0] == 403
        status, created = await boss.post("/canned-replies", new)
        assert status == 201 and created["reply"]["tags"] == ["物流"]
        reply_id = created["reply"]["id"]
        rude = {"title": "催促", "text": "你自己去查物流"}
        status, refused = await boss.request("PUT", f"/canned-replies/{reply_id}", rude)
        assert (status, refused["error"]) == (422, "etiquette")
        assert {v["rule_id"] for v in refused["violations"]} >= {"E1"}
        changed = {**new, "text": "您好，付款后24小时内为您发货哦。"}
        status, updated = await boss.request("PUT", f"/canned-replies/{reply_id}", changed)
        assert status == 200 and updated["reply"]["text"] == changed["text"]
        assert (await boss.request("DELETE", f"/canned-replies/{reply_id}"))[0] == 200
        assert (await boss.request("DELETE", f"/canned-replies/{reply_id}"))[0] == 404
        titles = [r["title"] for r in (await agent.get("/canned-replies"))[1]["replies"]]
        assert "发货时间" not in titles


async def test_etiquette_check_flags_and_rewrites(gateway, http) -> None:
    async with await _log_in(http, gateway, "a1") as agent:
        status, checked = await agent.post("/etiquette/check", {"text": "你要哪个颜色?"})
        assert status == 200
        [violation] = checked["violations"]
        assert (violation["rule_id"], violation["excerpt"]) == ("E1", "你")
        assert checked["suggestion"] == "您要哪个颜色?"
        _, clean = await agent.post("/etiquette/check", {"text": "请问您要哪个颜色呢?"})
        assert clean == {"violations": [], "suggestion": None}


async def test_a_flagged_message_is_sent_recorded_and_annotated(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "a1") as agent,
        await _log_in(http, gateway, "boss") as boss,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        cid = await _agent_holds_a_chat(agent, buyer)
        status, sent = await agent.post(f"/conversations/{cid}/messages", {"text": "你等着"})
        assert status == 201 and [v["rule_id"] for v in sent["etiquette"]] == ["E1"]
        assert (await buyer.wait_for("agent", text="你等着"))["text"] == "你等着"  # not blocked
        status, view = await boss.get(f"/conversations/{cid}")
        overview = (await boss.get("/supervisor/overview"))[1]
    assert status == 200
    by_sender = {item["sender"]: item for item in view["transcript"]}
    assert by_sender["buyer"]["nlu"] == {
        "intent": {"name": "complain", "confidence": 0.93},
        "sentiment": {"label": "negative", "confidence": 0.97},
        "entities": [],
        "fallback": False,
    }
    flagged = [i for i in view["transcript"] if i.get("etiquette")]
    assert [i["text"] for i in flagged] == ["你等着"]
    assert view["order"]["id"] == "202611150001" and view["order"]["items"][0]["name"]
    assert overview["etiquette_flags_today"] == 1


async def test_supervisor_sees_the_floor_and_takes_over(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "a1") as agent,
        await _log_in(http, gateway, "boss") as boss,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        cid = await _agent_holds_a_chat(agent, buyer)
        _, overview = await boss.get("/supervisor/overview")
        row = next(a for a in overview["agents"] if a["work_name"] == "客服001")
        assert (row["presence"], row["load"], row["conversations"]) == ("online", 1, [cid])
        assert (await agent.post(f"/conversations/{cid}/takeover"))[0] == 403
        status, taken = await boss.post(f"/conversations/{cid}/takeover")
        assert status == 200 and taken["handoff"]["accepted_by"]["work_name"] == "主管"
        await agent.handoff_event(cid, "taken_over")
        await buyer.wait_for("handoff", mode="human", agent={"work_name": "主管"})
        greeting = await buyer.wait_for("agent", agent={"work_name": "主管"})
        assert "主管" in greeting["text"]
        status, refused = await agent.post(f"/conversations/{cid}/messages", {"text": "您好"})
        assert (status, refused["error"]) == (409, "not_yours")


async def test_a_missed_window_is_todays_breach(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "boss") as boss,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        await buyer.exchange("我要投诉！")
        cid = buyer.conversation_id
        await boss.handoff_event(cid, "window_missed")
        _, overview = await boss.get("/supervisor/overview")
    [breach] = overview["breaches_today"]
    assert (breach["conversation_id"], breach["accepted_at"]) == (cid, None)
    assert overview["handoffs_today"] == 1


async def test_logging_out_closes_that_login_s_console_socket(gateway, http) -> None:
    async with await _log_in(http, gateway, "a1") as agent:
        assert (await agent.post("/logout"))[0] == 200
        assert agent.ws is not None
        closing = await agent.ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert agent.ws.close_code == 4401


async def test_a_stale_session_cookie_does_not_block_logging_in(gateway) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"shop_agent_session": "ended-long-ago"})
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        await _browser_login(browser, gateway)  # 200, no CSRF token needed to log in


async def test_lines_written_to_a_person_are_read_and_name_the_order(gateway, http) -> None:
    async with (
        await _log_in(http, gateway, "a1") as agent,
        await BuyerSocket.connect(http, gateway.ws_url) as buyer,
    ):
        cid = await _agent_holds_a_chat(agent, buyer)
        await buyer.exchange("订单号是202611200002", replies=0)
        status, view = await agent.get(f"/conversations/{cid}")
    assert status == 200
    line = next(i for i in view["transcript"] if i["text"] == "订单号是202611200002")
    assert line["nlu"]["intent"] == {"name": "inform", "confidence": 0.9}  # parsed, not Rasa's turn
    assert view["order"]["id"] == "202611200002"  # named later than the handoff's slot
