"""The agent console keeps anonymous visitors and other sites out, and shows a supervisor
the whole floor."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import APIRequestContext, Playwright, expect

from tests.e2e.browser.conftest import BearerClient, NewContext
from tests.e2e.browser.pages import TURN_TIMEOUT_MS, Console, Widget
from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    AGENT_PASSWORD,
    TRAINER_USERNAME,
    RunningAssistant,
)
from tests.support.browser import wait_until

pytestmark = pytest.mark.e2e
ANGRY = "你们这什么破服务！！！我要投诉！"


def test_console_rejects_an_anonymous_visitor(
    new_context: NewContext, assistant: RunningAssistant, api: APIRequestContext
) -> None:
    context, watch = new_context("anonymous")
    page = context.new_page()
    page.goto(f"{assistant.gateway_url}/agent")
    expect(page).to_have_url(re.compile(r"/agent/login(\?|$)"))
    expect(page.locator("#login-username")).to_be_visible()

    answer = api.get("/agent", max_redirects=0)
    assert answer.status == 302, answer.status
    assert answer.headers["location"].startswith("/agent/login"), answer.headers
    for asset in ("main.js", "console.html", "queue.js"):
        answer = api.get(f"/agent/assets/{asset}")
        assert answer.status in (401, 404), (asset, answer.status)
    assert api.get("/agent/assets/main.js").status == 401
    queue = api.get("/api/agent/queue")
    assert queue.status == 401 and queue.json()["error"] == "unauthorized", queue.text()
    # The login page's own files are public.
    assert api.get("/agent/login.js").ok and api.get("/agent/console.css").ok

    # A wrong password shows an error on the page and keeps the visitor out.
    watch.allow(r"status of 401 .*/api/agent/login")
    page.locator("#login-username").fill("agent1")
    page.locator("#login-password").fill("not-the-password")
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/agent/login"))


def test_state_changing_requests_need_the_csrf_token(
    playwright: Playwright, assistant: RunningAssistant
) -> None:
    """A request that rides on the session cookie without X-CSRF-Token (what a
    cross-site form or script could send) is refused."""
    session = playwright.request.new_context(base_url=assistant.gateway_url)
    try:
        login = session.post(
            "/api/agent/login", data={"username": "agent2", "password": AGENT_PASSWORD}
        )
        assert login.status == 200, login.text()
        me = session.get("/api/agent/me")
        assert me.ok, me.text()
        token = me.json()["csrf_token"]
        assert token and token != login.json()["token"]
        assert login.json().get("csrf_token") == token  # the login answer carries it too

        body = {"status": "away"}  # refused: nothing changes
        refused = session.post("/api/agent/presence", data=body)
        assert refused.status == 403 and refused.json()["error"] == "csrf", refused.text()
        cross_site = session.post(
            "/api/agent/presence",
            data=body,
            headers={"Origin": "http://evil.example", "X-CSRF-Token": "wrong"},
        )
        assert cross_site.status == 403, cross_site.text()
        foreign = session.post(
            "/api/agent/presence",
            data=body,
            headers={"Origin": "http://evil.example", "X-CSRF-Token": token},
        )
        assert foreign.status == 403, foreign.text()
        wrong = session.post("/api/agent/presence", data=body, headers={"X-CSRF-Token": "x"})
        assert wrong.status == 403, wrong.text()
        ok = session.post("/api/agent/presence", data=body, headers={"X-CSRF-Token": token})
        assert ok.status == 200 and ok.json()["presence"] in ("away", "offline"), ok.text()
        back = {"status": "online"}  # as the other tests expect agent2
        ok = session.post("/api/agent/presence", data=back, headers={"X-CSRF-Token": token})
        assert ok.status == 200, ok.text()
        logout = session.post("/api/agent/logout", data={}, headers={"X-CSRF-Token": token})
        assert logout.status == 200, logout.text()
        assert session.get("/api/agent/queue").status == 401
    finally:
        session.dispose()


def test_supervisor_sees_the_floor_and_takes_over(
    clear_handoffs: None,
    shop: Widget,
    console_login: Callable[..., Console],
    bearer: Callable[..., BearerClient],
    shot,
) -> None:
    # A buyer asks for a person while no agent is online: still queued, told at once.
    shop.open()
    shop.ask(ANGRY, timeout=TURN_TIMEOUT_MS)
    expect(shop.handoff).to_have_attribute("data-mode", "waiting")
    cid = shop.conversation_id()

    boss = console_login(ADMIN_USERNAME, ADMIN_PASSWORD)
    handoff = boss.handoff_of(cid)
    expect(boss.queue_item(handoff["id"])).to_be_visible()
    # The live countdown: amber from offer_all_at (2 s here), red from window_ends_at (4 s).
    countdown = boss.queue_item(handoff["id"]).locator(".countdown")
    first_text = countdown.inner_text()
    expect(countdown).to_have_class(re.compile(r"\b(amber|red)\b"), timeout=5000)
    expect(countdown).to_have_class(re.compile(r"\bred\b"), timeout=8000)
    expect(countdown).not_to_have_text(first_text)
    # Nobody online: the buyer was told honestly at once and may leave a number.
    expect(shop.handoff).to_contain_text("客服暂时都在忙")
    expect(shop.callback_form).to_be_visible()
    expect(shop.countdown).to_have_text("")  # no fake countdown when nobody is coming
    boss.page.locator("#tab-supervisor").click()
    expect(boss.supervisor).to_be_visible()
    expect(boss.supervisor).to_contain_text("客服001")
    expect(boss.supervisor).to_contain_text("客服002")

    # agent1 takes it (through the API: anyone may once it is offered to all) ...
    agent = bearer("agent1")
    wait_until(
        boss.page,
        lambda: agent.post(f"/handoffs/{handoff['id']}/accept")[0] == 200,
        "agent1 accepts once the handoff is offered to all",
    )
    expect(shop.handoff).to_have_attribute("data-mode", "human", timeout=10_000)
    expect(shop.handoff).to_contain_text("客服001")
    takeover = boss.supervisor.locator("button.takeover").first
    expect(takeover).to_be_visible()
    shot(boss.page, "supervisor-view")

    # ... and the supervisor takes it over: the buyer sees who serves them now.
    takeover.click()
    expect(shop.handoff).to_contain_text("主管", timeout=10_000)
    expect(shop.handoff).to_have_attribute("data-mode", "human")
    view = boss.handoff_of(cid)
    assert view["accepted_by"]["work_name"] == "主管", view


def test_trainer_console_is_read_only(
    clear_handoffs: None, console_login: Callable[..., Console], api: APIRequestContext
) -> None:
    # A buyer waiting for a person (over REST: no browser needed for that side).
    cid = api.post("/api/conversations").json()["conversation_id"]
    answer = api.post(f"/api/conversations/{cid}/messages", data={"text": "转人工"})
    assert answer.ok and answer.json()["handoff"]["mode"] == "waiting", answer.text()

    trainer = console_login(TRAINER_USERNAME)
    assert trainer.me()["agent"]["role"] == "trainer"
    item = trainer.queue_item(trainer.handoff_of(cid)["id"])
    expect(item).to_be_visible()
    expect(item.locator("button.accept, button.decline")).to_have_count(0)
    expect(trainer.page.locator("#presence button:visible")).to_have_count(0)
    item.locator("button.view").click()
    expect(trainer.transcript.filter(has_text="转人工")).to_have_count(1)
    expect(trainer.page.locator("#reply-send:visible, #handback:visible")).to_have_count(0)
