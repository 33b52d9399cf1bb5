"""An upset buyer reaches a person and comes back to the bot, watched in two browsers: the
buyer's widget on the shop page and agent1's console (another browser context).

The assistant runs with a 2 s / 4 s handoff window (tests/e2e/conftest.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.pages import TURN_TIMEOUT_MS, Console, Widget

pytestmark = pytest.mark.e2e
ANGRY = "你们这什么破服务！！！我要投诉！"
SORRY = "给您添麻烦了，我来处理"
RUDE_DRAFT = "你要哪个颜色?"


def test_angry_buyer_reaches_the_agent_console_and_back(
    clear_handoffs: None, shop: Widget, console_login: Callable[..., Console], shot
) -> None:
    console = console_login("agent1")
    console.wait_online()
    shop.open()

    shop.send(ANGRY)
    sent_at = time.monotonic()
    # The handoff shows in the console within a second of the buyer's send.
    item = console.waiting.first
    expect(item).to_be_visible(timeout=1000)
    print(f"queue item visible {time.monotonic() - sent_at:.2f} s after the send")
    cid = shop.conversation_id()
    handoff = console.handoff_of(cid)
    expect(item).to_have_attribute("data-handoff-id", str(handoff["id"]))
    expect(item.locator(".countdown")).to_have_text(re.compile(r"\d"))
    shot(console.page, "queue-countdown")

    # The buyer is told, with a countdown (or the honest line once the window is over).
    expect(shop.messages("bot", "转接人工客服")).to_be_visible(timeout=TURN_TIMEOUT_MS)
    expect(shop.handoff).to_have_attribute("data-mode", "waiting")
    expect(shop.handoff).to_contain_text(
        re.compile(r"\d+\s*秒|客服正在赶来|客服暂时都在忙|留下电话")
    )
    shot(shop.page, "handoff-waiting")
    countdown = shop.countdown
    if countdown.count() and countdown.is_visible():
        assert not countdown.inner_text().strip().startswith("-")

    # The agent accepts: the buyer sees who joined, and the greeting in their name.
    item.locator("button.accept").click()
    expect(console.queue_item(handoff["id"])).to_have_count(0)
    expect(shop.handoff).to_have_attribute("data-mode", "human", timeout=10_000)
    expect(shop.handoff).to_contain_text("客服001")
    greeting = shop.messages("agent").first
    expect(greeting).to_be_visible(timeout=10_000)
    expect(greeting.locator("[data-role=author]")).to_have_text("客服001")

    console.open_conversation()
    expect(console.transcript.filter(has_text=ANGRY)).to_have_count(1)
    buyer_line = console.transcript.filter(has_text=ANGRY).first
    expect(buyer_line).to_have_attribute("data-sender", "buyer")

    # The live etiquette check flags a rude draft and rewrites it in one click.
    console.reply_input.fill(RUDE_DRAFT)
    expect(console.etiquette_flags).to_contain_text("称呼顾客", timeout=5000)
    shot(console.page, "conversation-etiquette")
    console.etiquette_flags.locator("button.etiquette-fix").first.click()
    expect(console.reply_input).to_have_value("您要哪个颜色?")
    expect(console.etiquette_flags).not_to_contain_text("称呼顾客", timeout=5000)

    console.reply(SORRY)
    reply = shop.messages("agent", SORRY)
    expect(reply).to_have_count(1, timeout=10_000)
    expect(reply.locator("[data-role=author]")).to_have_text("客服001")
    expect(console.reply_input).to_have_value("")

    # The buyer answers; the agent sees it, the bot stays silent.
    bots_before = shop.messages("bot").count()
    shop.send("好吧，订单号202611200002")
    expect(console.transcript.filter(has_text="订单号202611200002")).to_have_count(
        1, timeout=10_000
    )
    expect(shop.messages("buyer", "订单号202611200002")).to_have_attribute("data-state", "sent")
    shot(shop.page, "agent-joined")
    shot(console.page, "conversation")
    assert shop.messages("bot").count() == bots_before

    # Hand back: the bot answers a new question again.
    console.handback_button.click()
    expect(shop.handoff).to_have_attribute("data-mode", "bot", timeout=10_000)
    shop.ask("发新疆运费多少钱", answer="15元")
    assert shop.messages("bot").count() > bots_before
