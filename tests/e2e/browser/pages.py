"""Page objects for the buyer widget and the agent console, on the stable hooks of the
issue-4 spec (data-role attributes, ids, classes). Playwright's CSS locators pierce the
widget's open shadow root, so ``#shop-assistant [data-role=bubble]`` finds the bubble."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import AGENT_PASSWORD
from tests.support.browser import PageWatch, wait_until

TURN_TIMEOUT_MS = 30_000  # one buyer turn through the real NLU, policy and action server
RECONNECT_TIMEOUT_MS = 20_000  # backoff grows to 8 s (plus jitter)


class Widget:
    """The buyer widget embedded in a page."""

    def __init__(self, page: Page, gateway_origin: str) -> None:
        self.page = page
        self.gateway_origin = gateway_origin.rstrip("/")
        self.host = page.locator("#shop-assistant")
        self.bubble = self.host.locator("button[data-role=bubble]")
        self.unread = self.host.locator("[data-role=unread]")
        self.panel = self.host.locator("[data-role=panel]")
        self.close_button = self.host.locator("button[data-role=close]")
        self.connection = self.host.locator("[data-role=connection]")
        self.log = self.host.locator("[data-role=log]")
        self.input = self.host.locator("textarea[data-role=input]")
        self.send_button = self.host.locator("button[data-role=send]")
        self.typing = self.host.locator("[data-role=typing]")
        self.handoff = self.host.locator("[data-role=handoff]")
        self.countdown = self.host.locator("[data-role=countdown]")
        self.quick_replies = self.host.locator("button.sa-quick-reply")
        self.cards = self.host.locator(".sa-card")
        self.callback_form = self.host.locator("form[data-role=callback-form]")

    def wait_loaded(self) -> None:
        expect(self.bubble).to_be_visible()

    def messages(self, sender: str | None = None, text: str | None = None) -> Locator:
        """Messages in the log (of one sender, containing a text)."""
        selector = ".sa-msg" + (f"[data-sender={sender}]" if sender else "")
        found = self.log.locator(selector)
        return found.filter(has_text=text) if text is not None else found

    def texts(self, sender: str | None = None) -> list[str]:
        return self.messages(sender).locator("[data-role=text]").all_text_contents()

    def open(self) -> None:
        self.bubble.click()
        expect(self.panel).to_be_visible()
        expect(self.bubble).to_have_attribute("aria-expanded", "true")
        self.settle()

    def settle(self) -> None:
        """Let the panel's opening animation (if any) finish before measuring it."""
        self.panel.evaluate(
            """p => Promise.all(p.getAnimations({subtree: true})
                 .filter(a => a.effect.getTiming().iterations !== Infinity)
                 .map(a => a.finished))"""
        )

    def send(self, text: str) -> None:
        """Type a message and press Enter (returns once the key is pressed)."""
        self.input.fill(text)
        self.input.press("Enter")

    def ask(self, text: str, answer: str | None = None, timeout: int = TURN_TIMEOUT_MS) -> Locator:
        """Send ``text``; wait until it is acknowledged and a new bot message arrives (one
        containing ``answer`` when given). Returns that bot message."""
        before = self.messages("bot").count()
        self.send(text)
        mine = self.messages("buyer", text).last
        expect(mine).to_have_attribute("data-state", "sent", timeout=timeout)
        reply = (
            self.messages("bot", answer).last
            if answer is not None
            else self.messages("bot").nth(before)
        )
        expect(reply).to_be_visible(timeout=timeout)
        expect(self.typing).to_be_hidden(timeout=timeout)
        return reply

    def shown_ids(self) -> list[int]:
        """data-message-id of every message shown, in page order."""
        return self.log.locator(".sa-msg[data-message-id]").evaluate_all(
            "els => els.map(e => Number(e.dataset.messageId))"
        )

    def assert_no_duplicates(self) -> None:
        """Each stored message is shown once, in the server's order."""
        ids = self.shown_ids()
        assert len(set(ids)) == len(ids), f"a message is shown twice: {ids}"
        assert ids == sorted(ids), f"messages out of order: {ids}"

    def storage(self, what: str) -> Any:
        """``shopAssistant:<gateway origin>:<what>`` from localStorage (parsed if JSON)."""
        return self.page.evaluate(
            """(key) => {
                 const raw = localStorage.getItem(key);
                 try { return JSON.parse(raw); } catch (e) { return raw; }
               }""",
            f"shopAssistant:{self.gateway_origin}:{what}",
        )

    def conversation_id(self) -> str:
        cid = self.storage("conversation")
        assert isinstance(cid, str) and cid, f"no conversation id stored: {cid!r}"
        return cid

    def focused_role(self) -> str | None:
        """data-role of the element focused inside the shadow root (None if outside)."""
        return self.page.evaluate(
            """() => {
                 const host = document.getElementById("shop-assistant");
                 if (document.activeElement !== host || !host.shadowRoot) return null;
                 const el = host.shadowRoot.activeElement;
                 return el ? (el.getAttribute("data-role") || el.tagName) : null;
               }"""
        )


class Console:
    """The agent console in its own browser context."""

    def __init__(self, page: Page, gateway_url: str, watch: PageWatch) -> None:
        self.page = page
        self.gateway_url = gateway_url.rstrip("/")
        self.watch = watch
        self.waiting = page.locator("#waiting-list .queue-item")
        self.active = page.locator("#active-list")
        self.conv = page.locator("#conv")
        self.transcript = self.conv.locator(".msg")
        self.reply_input = page.locator("#reply-input")
        self.reply_send = page.locator("#reply-send")
        self.etiquette_flags = page.locator("#etiquette-flags")
        self.handback_button = page.locator("#handback")
        self.supervisor = page.locator("#supervisor")

    def log_in(self, username: str, password: str | None = None) -> None:
        """Log in through the login page and wait for the console with its socket up."""
        self.page.goto(f"{self.gateway_url}/agent/login")
        self.page.locator("#login-username").fill(username)
        self.page.locator("#login-password").fill(password or AGENT_PASSWORD)
        self.page.locator("#login-submit").click()
        self.page.wait_for_url(f"{self.gateway_url}/agent")
        expect(self.page.locator("#waiting-list")).to_be_attached()

    def me(self) -> dict[str, Any]:
        answer = self.page.request.get(f"{self.gateway_url}/api/agent/me")
        assert answer.ok, answer.text()
        return answer.json()

    def wait_online(self, timeout_s: float = 10.0) -> None:
        """Until the server counts this console as online (its socket open: offers go here).
        Polling the server's state, not a sleep standing in for an assertion."""
        wait_until(
            self.page,
            lambda: self.me().get("presence") == "online",
            f"{self.page.url}: the server counts the console as online",
            timeout_s,
        )

    def api_get(self, path: str) -> Any:
        answer = self.page.request.get(f"{self.gateway_url}/api/agent{path}")
        assert answer.ok, f"{path}: {answer.status} {answer.text()}"
        return answer.json()

    def handoff_of(self, conversation_id: str) -> dict[str, Any]:
        """The handoff view of a conversation (through the API, with this session)."""
        view = self.api_get(f"/conversations/{conversation_id}")["handoff"]
        assert view is not None, f"no handoff for {conversation_id}"
        return view

    def queue_item(self, handoff_id: int | None = None) -> Locator:
        if handoff_id is None:
            return self.waiting
        return self.page.locator(f"#waiting-list .queue-item[data-handoff-id='{handoff_id}']")

    def open_conversation(self, needle: str | None = None) -> None:
        """Make sure a conversation is shown in the pane (click it in #active-list if not)."""
        if not self.reply_input.is_visible():
            items = self.active.locator("li, button, [data-conversation-id]")
            target = items.filter(has_text=needle).first if needle else items.first
            target.click()
        expect(self.reply_input).to_be_visible()

    def reply(self, text: str) -> None:
        self.reply_input.fill(text)
        self.reply_send.click()


class TrainerPage:
    """The 训练 tab of the console (trainers and supervisors): 会话复查 with its filters,
    list and reader, 数据健康 and 模型训练."""

    def __init__(self, console: Console) -> None:
        page = console.page
        self.page = page
        self.tab = page.locator("#tab-trainer")
        self.section = page.locator("#trainer")
        self.since = page.locator("#rf-since")
        self.until = page.locator("#rf-until")
        self.intent = page.locator("#rf-intent")
        self.status = page.locator("#review-status")
        self.items = page.locator("#review-list .review-item")
        self.reader = page.locator("#reader-log")
        self.reader_meta = page.locator("#reader-meta")
        self.export_jsonl = page.locator("#export-jsonl")
        self.export_csv = page.locator("#export-csv")
        self.health = page.locator("#trainer-health")
        self.training = page.locator("#trainer-training")

    def open(self) -> None:
        """Show the 训练 tab (会话复查 first)."""
        self.tab.click()
        expect(self.section).to_be_visible()
        expect(self.tab).to_have_attribute("aria-selected", "true")

    def flag(self, name: str) -> Locator:
        """A filter checkbox: ``low``, ``fallback``, ``negative`` or ``handoff``."""
        return self.page.locator(f"#rf-{name}")

    def panel(self, name: str) -> Locator:
        """Switch to panel ``review``, ``health`` or ``training``; returns the panel."""
        self.page.locator(f"#ttab-{name}").click()
        shown = self.page.locator(f"#trainer-{name}")
        expect(shown).to_be_visible()
        return shown

    def conversation(self, conversation_id: str) -> Locator:
        """The list entry of one conversation."""
        return self.page.locator(
            f"#review-list .review-item[data-conversation-id='{conversation_id}']"
        )

    def line(self, sender: str, text: str) -> Locator:
        """A line of the transcript in the reader."""
        return self.reader.locator(f".msg[data-sender={sender}]").filter(has_text=text)


class DashboardPage:
    """The 看板 tab of the console (supervisors): the date range, the headline figures
    (``.stat[data-metric=…]``) and the charts (``figure[data-chart=…]``, SVG bars with
    ``data-key``/``data-value``)."""

    def __init__(self, console: Console) -> None:
        page = console.page
        self.page = page
        self.tab = page.locator("#tab-dashboard")
        self.section = page.locator("#dashboard")
        self.since = page.locator("#dash-since")
        self.until = page.locator("#dash-until")
        self.apply = page.locator("#dash-apply")
        self.error = page.locator("#dash-error")
        self.status = page.locator("#dash-status")

    def open(self) -> None:
        """Show the 看板 tab and wait for its first figures (the default range)."""
        self.tab.click()
        expect(self.section).to_be_visible()
        expect(self.tab).to_have_attribute("aria-selected", "true")
        expect(self.page.locator("#dashboard[data-loaded]")).to_be_attached()

    def show(self, since: str, until: str) -> None:
        """Ask for another range and wait until its figures are drawn."""
        self.since.fill(since)
        self.until.fill(until)
        self.apply.click()
        expect(self.section).to_have_attribute("data-loaded", f"{since}/{until}")

    def stat(self, metric: str) -> Locator:
        return self.section.locator(f".stat[data-metric={metric}]")

    def chart(self, name: str) -> Locator:
        return self.section.locator(f"figure[data-chart={name}]")

    def bars(self, name: str) -> list[tuple[str, float]]:
        """(data-key, data-value) of every bar of a chart, in order."""
        return (
            self.chart(name)
            .locator("svg rect.chart__bar")
            .evaluate_all("rects => rects.map(r => [r.dataset.key, Number(r.dataset.value)])")
        )
