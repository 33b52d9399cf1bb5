"""Markup typed by a buyer or an agent is shown as text everywhere and runs nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.pages import TURN_TIMEOUT_MS, Console, Widget
from tests.support.browser import PageWatch

pytestmark = pytest.mark.e2e
BUYER_IMG = "<img src=x onerror=alert(1)>"
BUYER_SCRIPT = "<script>alert(2)</script>买家脚本"
AGENT_IMG = '<img src=x onerror="alert(3)">客服图片'
AGENT_SCRIPT = "<script>alert(4)</script>客服脚本"
ANGRY = "你们这什么破服务！！！我要投诉！"

# Any element a payload could have created, anywhere (the widget's shadow root included).
INJECTED = """() => {
  const found = [];
  const scan = (root) => {
    for (const el of root.querySelectorAll("img, script, iframe, svg, object")) {
      const src = el.getAttribute("src") || "";
      if (el.tagName === "SCRIPT" && src && !src.includes("alert")) continue;  // the page's
      if (el.tagName === "IMG" && !/^(x|.*\\/x)$/.test(src) && !el.hasAttribute("onerror"))
        continue;  // a product card's picture
      if (el.tagName === "svg" && !el.closest(".msg, .sa-msg")) continue;  // icons
      found.push(el.outerHTML.slice(0, 80));
    }
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) scan(el.shadowRoot);
  };
  scan(document);
  return found;
}"""


def assert_nothing_injected(page: Page, watch: PageWatch) -> None:
    assert page.evaluate(INJECTED) == [], "markup from a message became elements"
    assert watch.dialogs() == [], watch.dialogs()
    assert page.evaluate("() => window.__xss === undefined")


def test_markup_from_buyer_and_agent_is_text(
    clear_handoffs: None,
    shop: Widget,
    watch: PageWatch,
    console_login: Callable[..., Console],
) -> None:
    console = console_login("agent1")
    console.wait_online()
    shop.open()

    # The buyer's markup, to the bot.
    shop.ask(BUYER_IMG, timeout=TURN_TIMEOUT_MS)
    mine = shop.messages("buyer", BUYER_IMG)
    expect(mine).to_have_count(1)
    expect(mine.locator("[data-role=text]")).to_have_text(BUYER_IMG)
    assert_nothing_injected(shop.page, watch)

    # Through to a person; more markup both ways.
    shop.ask(ANGRY, timeout=TURN_TIMEOUT_MS)
    cid = shop.conversation_id()
    handoff = console.handoff_of(cid)
    item = console.queue_item(handoff["id"])
    expect(item).to_be_visible()
    item.locator("button.accept").click()
    expect(shop.handoff).to_have_attribute("data-mode", "human", timeout=10_000)
    console.open_conversation()

    shop.send(BUYER_SCRIPT)
    expect(shop.messages("buyer", BUYER_SCRIPT)).to_have_attribute("data-state", "sent")
    line = console.transcript.filter(has_text=BUYER_SCRIPT)
    expect(line).to_have_count(1, timeout=10_000)
    expect(console.transcript.filter(has_text=BUYER_IMG)).to_have_count(1)
    expect(console.conv.locator("img[src='x'], .msg script")).to_have_count(0)

    for payload in (AGENT_IMG, AGENT_SCRIPT):
        console.reply(payload)
        shown = shop.messages("agent", payload)
        expect(shown).to_have_count(1, timeout=10_000)
        expect(shown.locator("[data-role=text]")).to_have_text(payload)
        expect(shown.locator("[data-role=author]")).to_have_text("客服001")
        expect(console.transcript.filter(has_text=payload)).to_have_count(1, timeout=10_000)

    # Give a would-be onerror handler its chance: the images would have failed by now.
    shop.page.wait_for_load_state("networkidle")
    console.page.wait_for_load_state("networkidle")
    assert_nothing_injected(shop.page, watch)
    assert_nothing_injected(console.page, console.watch)
    console.handback_button.click()
    expect(shop.handoff).to_have_attribute("data-mode", "bot", timeout=10_000)
