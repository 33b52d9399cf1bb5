"""The widget embedded on another site: one script tag on an allowed origin works (under
that page's own strict CSP and hostile CSS); a page on an origin that is not allowed gets
the WebSocket refused and says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import APIRequestContext, WebSocket, expect

from tests.e2e.browser.conftest import NewContext
from tests.e2e.browser.pages import Widget
from tests.e2e.conftest import RunningAssistant

pytestmark = pytest.mark.e2e


def test_widget_on_an_allowed_origin(
    new_context: NewContext, host_pages: dict[str, str], assistant: RunningAssistant, shot
) -> None:
    context, _ = new_context("foreign shop")
    page = context.new_page()
    page.goto(host_pages["allowed"])
    assert page.url.startswith("http://localhost:")  # another origin than the gateway's
    widget = Widget(page, assistant.gateway_url)
    widget.wait_loaded()
    # The host page's CSS (40px text, every button hidden, red text) stays outside.
    assert widget.bubble.evaluate("b => parseFloat(getComputedStyle(b).fontSize)") < 30
    colour = widget.host.evaluate("h => h.style.getPropertyValue('--sa-primary').trim()")
    assert colour.lower() == "#0a7d38", colour  # from window.ShopAssistantConfig
    widget.open()
    expect(widget.panel).to_contain_text("外站小铺")  # the data- attribute wins
    expect(widget.panel).not_to_contain_text("被属性覆盖的名字")
    expect(widget.panel).to_contain_text("欢迎光临外站小铺")  # the configured greeting
    box = widget.panel.bounding_box()
    assert box is not None and 300 <= box["width"] <= 420, box
    text_size = widget.log.evaluate("l => parseFloat(getComputedStyle(l).fontSize)")
    assert text_size < 30, f"the host page's font-size leaked into the widget: {text_size}px"

    reply = widget.ask("碎花连衣裙蓝色M码还有货吗", answer="有现货")
    expect(reply).to_contain_text("20件")
    cid = widget.conversation_id()  # stored under the gateway's origin
    assert len(cid) >= 20
    shot(page, "cross-origin")


def test_widget_on_an_origin_not_allowed_is_refused(
    new_context: NewContext,
    host_pages: dict[str, str],
    assistant: RunningAssistant,
    api: APIRequestContext,
) -> None:
    context, watch = new_context("unlisted shop")
    page = context.new_page()
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.goto(host_pages["refused"])
    widget = Widget(page, assistant.gateway_url)
    widget.wait_loaded()
    widget.open()
    expect(widget.panel).to_contain_text("在线客服暂不可用", timeout=10_000)
    expect(widget.messages("bot")).to_have_count(0)
    assert widget.storage("conversation") is None, "no conversation for a refused page"
    # It stops retrying: no new socket within a few backoff periods (first retry: 0.5 s).
    page.wait_for_timeout(3000)
    assert len(sockets) == 1, [s.url for s in sockets]
    # The REST side refuses that origin too, and grants the allowed one.
    refused_origin = host_pages["refused"].rsplit("/", 1)[0]
    answer = api.post("/api/conversations", headers={"Origin": refused_origin})
    assert answer.status == 403 and answer.json()["error"] == "forbidden_origin", answer.text()
    allowed_origin = host_pages["allowed"].rsplit("/", 1)[0]
    answer = api.post("/api/conversations", headers={"Origin": allowed_origin})
    assert answer.status == 201, answer.text()
    assert answer.headers.get("access-control-allow-origin") == allowed_origin
    watch.assert_clean()
