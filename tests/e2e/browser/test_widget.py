"""A buyer on the demo shop page (``/``) chats through the widget, in a real chromium,
against the real NLU model, dialogue policy, action server and gateway."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import APIRequestContext, BrowserContext, Page, expect

from tests.e2e.browser.conftest import NewContext
from tests.e2e.browser.pages import RECONNECT_TIMEOUT_MS, TURN_TIMEOUT_MS, Widget
from tests.e2e.conftest import RunningAssistant
from tests.support.browser import PageWatch, wait_until
from tests.support.tcp_proxy import ThreadedTcpProxy

pytestmark = pytest.mark.e2e

STOCK = "碎花连衣裙蓝色M码还有货吗"
SIZE = "羊毛大衣我身高165体重110斤穿什么码"
SHIPPING = "发新疆运费多少钱"
PHONE = {"width": 360, "height": 740}
# While the proxy is down the widget's reconnection attempts fail, as they should.
SOCKET_FAILED = r"WebSocket connection to .* failed|ERR_CONNECTION_(REFUSED|RESET)"


def transcript(api: APIRequestContext, cid: str) -> list[dict]:
    """The conversation as the server stored it (GET /api/conversations/<id>/messages)."""
    answer = api.get(f"/api/conversations/{cid}/messages")
    assert answer.status == 200, answer.text()
    return answer.json()["messages"]


def said(messages: list[dict], sender: str, text: str) -> int:
    return sum(1 for m in messages if m["sender"] == sender and m["text"] == text)


def test_buyer_asks_about_stock_and_size(shop: Widget, shot, api: APIRequestContext) -> None:
    expect(shop.panel).to_be_hidden()
    shot(shop.page, "closed")
    shop.open()
    # Quick replies of the greeting: the title is shown, the payload is sent.
    shop.ask("你好", answer="有什么可以帮您")
    expect(shop.quick_replies.filter(has_text="查库存")).to_be_visible()
    before = shop.messages("bot").count()
    shop.quick_replies.filter(has_text="查库存").first.click()
    expect(shop.messages("buyer", "查库存")).to_have_count(1)
    expect(shop.messages("buyer", "/ask_stock")).to_have_count(0)
    expect(shop.messages("bot").nth(before)).to_be_visible(timeout=TURN_TIMEOUT_MS)
    expect(shop.typing).to_be_hidden(timeout=TURN_TIMEOUT_MS)

    stock = shop.ask(STOCK, answer="有现货")
    expect(stock).to_contain_text("20件")
    expect(stock.locator("[data-role=author]")).to_have_text("智能客服")
    card = shop.cards.last
    expect(card).to_be_visible()
    expect(card.locator("[data-role=card-name]")).to_contain_text("碎花连衣裙")
    expect(card.locator("[data-role=card-price]")).to_have_text(re.compile(r"^¥\d+\.\d{2}$"))
    expect(card.locator("[data-role=card-stock]")).to_have_text("有货")

    size = shop.ask(SIZE, answer="建议您选L码")
    expect(size).to_contain_text("仅供参考")
    shot(shop.page, "open-conversation")

    # Every buyer line was stored once, in order, as the widget shows it.
    stored = transcript(api, shop.conversation_id())
    buyer_lines = [m["text"] for m in stored if m["sender"] == "buyer"]
    assert buyer_lines == ["你好", "/ask_stock", STOCK, SIZE], buyer_lines
    expect(shop.messages("buyer")).to_have_count(4)
    shop.assert_no_duplicates()
    assert {m["message_id"] for m in stored} <= set(shop.shown_ids())


def test_ask_button_on_a_product_prefills_the_widget(shop: Widget) -> None:
    button = shop.page.get_by_role("button", name="咨询客服").first
    expect(button).to_be_visible()
    button.click()
    expect(shop.panel).to_be_visible()
    expect(shop.input).to_have_value(re.compile(r"^\S+还有货吗$"))
    expect(shop.messages("buyer")).to_have_count(0)  # pre-filled, not sent


def test_reload_keeps_the_conversation(
    shop: Widget, api: APIRequestContext, buyer_page: Page
) -> None:
    shop.open()
    shop.ask(SHIPPING, answer="15元")
    cid = shop.conversation_id()
    buyer_page.reload()
    shop.wait_loaded()
    if not shop.panel.is_visible():
        shop.open()
    # History from the welcome frame: each line once, same conversation.
    expect(shop.messages("buyer", SHIPPING)).to_have_count(1)
    expect(shop.messages("bot", "15元")).to_have_count(1)
    assert shop.conversation_id() == cid
    shop.assert_no_duplicates()
    shop.ask("羊毛大衣有货吗", answer="哪个颜色")
    shop.assert_no_duplicates()
    stored = transcript(api, cid)
    assert said(stored, "buyer", SHIPPING) == 1 and said(stored, "buyer", "羊毛大衣有货吗") == 1


def proxied_shop(buyer_page: Page, proxy: ThreadedTcpProxy) -> Widget:
    """The demo shop page loaded through the proxy (so the widget's socket goes through it)."""
    buyer_page.goto(f"{proxy.url}/")
    widget = Widget(buyer_page, proxy.url)
    widget.wait_loaded()
    widget.open()
    return widget


def test_network_drop_delivers_a_typed_message_once(
    buyer_page: Page,
    watch: PageWatch,
    gateway_proxy: ThreadedTcpProxy,
    api: APIRequestContext,
    shot,
) -> None:
    watch.allow(SOCKET_FAILED)
    shop = proxied_shop(buyer_page, gateway_proxy)
    shop.ask(SHIPPING, answer="15元")
    cid = shop.conversation_id()

    gateway_proxy.take_down()
    expect(shop.connection).to_contain_text("网络已断开", timeout=10_000)
    shop.send(SIZE)
    pending = shop.messages("buyer", SIZE)
    expect(pending).to_have_count(1)
    expect(pending).to_have_attribute("data-state", "pending")
    assert SIZE in str(shop.storage("outbox")), "a typed message must survive in the outbox"
    shot(buyer_page, "offline-pending")

    gateway_proxy.bring_up()
    expect(pending).to_have_attribute("data-state", "sent", timeout=RECONNECT_TIMEOUT_MS)
    expect(shop.messages("bot", "建议您选L码")).to_have_count(1, timeout=TURN_TIMEOUT_MS)
    expect(shop.connection).not_to_contain_text("网络已断开")
    expect(shop.messages("buyer", SIZE)).to_have_count(1)
    expect(shop.messages("bot", "15元")).to_have_count(1)  # the history is merged, not repeated
    shop.assert_no_duplicates()
    stored = transcript(api, cid)
    assert said(stored, "buyer", SIZE) == 1
    assert [m["message_id"] for m in stored] == shop.shown_ids()


@pytest.mark.parametrize("lost", ["reply", "request"])
def test_message_lost_with_the_connection_arrives_once(
    lost: str,
    buyer_page: Page,
    watch: PageWatch,
    gateway_proxy: ThreadedTcpProxy,
    api: APIRequestContext,
) -> None:
    """The connection dies silently right after the buyer sends: either the message got
    in but its ack and replies were lost (``reply``), or it never reached the server
    (``request``). After reconnecting the widget shows it once, with its answer once, and
    the server stored it once."""
    watch.allow(SOCKET_FAILED)
    shop = proxied_shop(buyer_page, gateway_proxy)
    shop.ask("你好", answer="有什么可以帮您")
    cid = shop.conversation_id()

    (gateway_proxy.hold_replies if lost == "reply" else gateway_proxy.hold_requests)(True)
    shop.send(STOCK)
    expect(shop.messages("buyer", STOCK)).to_have_attribute("data-state", "pending")
    if lost == "reply":

        def replied() -> bool:
            stored = transcript(api, cid)
            return said(stored, "buyer", STOCK) == 1 and any(
                "有现货" in (m["text"] or "") for m in stored if m["sender"] == "bot"
            )

        wait_until(buyer_page, replied, "the server stores and answers the message", 30)
    gateway_proxy.take_down()
    gateway_proxy.hold_replies(False)
    gateway_proxy.hold_requests(False)
    if lost == "request":
        assert said(transcript(api, cid), "buyer", STOCK) == 0
    gateway_proxy.bring_up()

    expect(shop.messages("buyer", STOCK)).to_have_attribute(
        "data-state", "sent", timeout=RECONNECT_TIMEOUT_MS
    )
    expect(shop.messages("bot", "有现货")).to_have_count(1, timeout=TURN_TIMEOUT_MS)
    expect(shop.typing).to_be_hidden(timeout=TURN_TIMEOUT_MS)
    expect(shop.messages("buyer", STOCK)).to_have_count(1)
    shop.assert_no_duplicates()
    stored = transcript(api, cid)
    assert said(stored, "buyer", STOCK) == 1
    assert sum("有现货" in (m["text"] or "") for m in stored if m["sender"] == "bot") == 1
    assert [m["message_id"] for m in stored] == shop.shown_ids()


def test_phone_width_and_keyboard(
    new_context: NewContext, assistant: RunningAssistant, shot
) -> None:
    context, _ = new_context("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{assistant.gateway_url}/")
    shop = Widget(page, assistant.gateway_url)
    shop.wait_loaded()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-closed")

    # Tab through the page until the bubble has the focus.
    for _ in range(80):
        page.keyboard.press("Tab")
        if shop.focused_role() == "bubble":
            break
    assert shop.focused_role() == "bubble", "Tab never reached the widget's bubble"
    page.keyboard.press("Enter")
    expect(shop.panel).to_be_visible()
    expect(shop.bubble).to_have_attribute("aria-expanded", "true")
    shop.settle()

    box = shop.panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= PHONE["width"] + 1, box
    assert box["y"] + box["height"] <= PHONE["height"] + 1, box
    assert box["width"] >= PHONE["width"] - 1, f"the panel should fill a phone screen: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollLeft") == 0
    shop.ask(SHIPPING, answer="15元")
    overflow = shop.panel.evaluate("p => p.scrollWidth - p.clientWidth")
    assert overflow <= 0, f"the panel scrolls sideways by {overflow}px"
    shot(page, "phone-open")

    page.keyboard.press("Escape")
    expect(shop.panel).to_be_hidden()
    expect(shop.bubble).to_have_attribute("aria-expanded", "false")
    assert shop.focused_role() == "bubble", "focus should return to the bubble"


def test_shop_page_has_the_strict_csp_and_serves_the_widget(
    buyer_context: tuple[BrowserContext, PageWatch], assistant: RunningAssistant
) -> None:
    """The shop page is served with the strict CSP (and answers with it)."""
    context, _ = buyer_context
    page = context.new_page()
    response = page.goto(f"{assistant.gateway_url}/")
    assert response is not None and response.ok
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, csp
    widget_js = page.request.get(f"{assistant.gateway_url}/widget.js")
    assert widget_js.ok
    mime = widget_js.headers["content-type"]  # text/javascript is the standard (RFC 9239)
    assert mime.split(";")[0] in ("application/javascript", "text/javascript"), mime
    Widget(page, assistant.gateway_url).wait_loaded()


def test_nobody_online_the_buyer_leaves_a_number(
    clear_handoffs: None, shop: Widget, api: APIRequestContext, shot
) -> None:
    shop.open()
    shop.ask("我要人工客服", answer="不在线")
    expect(shop.handoff).to_have_attribute("data-mode", "waiting")
    expect(shop.handoff).to_contain_text("客服暂时都在忙")
    expect(shop.callback_form).to_be_visible()
    shot(shop.page, "callback-offered")
    shop.callback_form.get_by_label("手机号码").fill("138 0013 8000")
    shop.callback_form.get_by_role("button", name="请客服回电").click()
    expect(shop.messages("system", "登记回电")).to_have_count(1, timeout=10_000)
    expect(shop.handoff).to_have_attribute("data-mode", "bot")
    expect(shop.callback_form).to_be_hidden()
    stored = transcript(api, shop.conversation_id())
    assert not any("13800138000" in (m["text"] or "").replace(" ", "") for m in stored)
    shop.ask(SHIPPING, answer="15元")  # the bot has the conversation again
