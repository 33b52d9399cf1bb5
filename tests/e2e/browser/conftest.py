"""Fixtures for browser tests: chromium, fresh contexts, a host page on another origin, a
TCP proxy in front of the gateway, the agent console logged in.

Playwright's sync API runs here (the tests are plain functions); it lives for this package
only, so it never overlaps the asyncio tests elsewhere in tests/e2e. Every test gets fresh
browser contexts (no shared cookies or localStorage) and opens its own conversation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    BrowserContext,
    Page,
    Playwright,
    sync_playwright,
)

from tests.e2e.browser.pages import Console, Widget
from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    AGENT_PASSWORD,
    GATEWAY_PROXY_PORT,
    WIDGET_HOST_PORT,
    RunningAssistant,
)
from tests.support.browser import PageWatch, launch_chromium, screenshot
from tests.support.tcp_proxy import ThreadedTcpProxy

DESKTOP = {"width": 1280, "height": 800}


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


NewContext = Callable[..., tuple[BrowserContext, PageWatch]]


@pytest.fixture
def new_context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[NewContext]:
    """Make fresh, watched browser contexts; each is closed (and checked) after the test."""
    made: list[tuple[BrowserContext, PageWatch]] = []

    def make(name: str = "buyer", **options: Any) -> tuple[BrowserContext, PageWatch]:
        options = {"viewport": DESKTOP, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"} | (
            options
        )
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        watch = PageWatch(f"{request.node.name} [{name}]").attach(context)
        made.append((context, watch))
        return context, watch

    yield make
    for context, _ in made:
        context.close()
    failed = getattr(request.node, "rep_call", None)
    if failed is None or not failed.failed:  # a failed test already says what went wrong
        for _, watch in made:
            watch.assert_clean()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def buyer_context(new_context: NewContext) -> tuple[BrowserContext, PageWatch]:
    return new_context("buyer")


@pytest.fixture
def buyer_page(buyer_context: tuple[BrowserContext, PageWatch]) -> Page:
    return buyer_context[0].new_page()


@pytest.fixture
def watch(buyer_context: tuple[BrowserContext, PageWatch]) -> PageWatch:
    """The buyer context's problem watch (``watch.allow(...)`` expected errors)."""
    return buyer_context[1]


@pytest.fixture
def shop(assistant: RunningAssistant, buyer_page: Page) -> Widget:
    """The demo shop page (``/``) open in the buyer's context, with the widget loaded."""
    buyer_page.goto(f"{assistant.gateway_url}/")
    widget = Widget(buyer_page, assistant.gateway_url)
    widget.wait_loaded()
    return widget


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``shot(page, "what")`` saves reports/screenshots/<test-name>-<what>.png."""

    def take(page: Page, what: str, **options: Any) -> Any:
        return screenshot(page, request.node.name, what, **options)

    return take


# --- the agent side ---------------------------------------------------------------------


@pytest.fixture
def api(playwright: Playwright, assistant: RunningAssistant) -> Iterator[APIRequestContext]:
    """Plain HTTP to the gateway, without any cookie."""
    context = playwright.request.new_context(base_url=assistant.gateway_url)
    yield context
    context.dispose()


class BearerClient:
    """The agent API with a Bearer token (no cookie, so no CSRF token needed)."""

    def __init__(self, playwright: Playwright, base_url: str, username: str, password: str):
        self.http = playwright.request.new_context(base_url=base_url)
        answer = self.http.post(
            "/api/agent/login", data={"username": username, "password": password}
        )
        assert answer.status == 200, f"login {username}: {answer.status} {answer.text()}"
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}
        self.http.dispose()  # forget the cookie: only the token from here on
        self.http = playwright.request.new_context(base_url=base_url)

    def get(self, path: str) -> Any:
        answer = self.http.get(f"/api/agent{path}", headers=self.headers)
        assert answer.ok, f"GET {path}: {answer.status} {answer.text()}"
        return answer.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        answer = self.http.post(f"/api/agent{path}", data=body or {}, headers=self.headers)
        return answer.status, answer.json()

    def dispose(self) -> None:
        self.http.dispose()


@pytest.fixture
def bearer(
    playwright: Playwright, assistant: RunningAssistant
) -> Iterator[Callable[..., BearerClient]]:
    """``bearer("agent1")``: the agent API logged in with a token."""
    made: list[BearerClient] = []

    def log_in(username: str, password: str = AGENT_PASSWORD) -> BearerClient:
        made.append(BearerClient(playwright, assistant.gateway_url, username, password))
        return made[-1]

    yield log_in
    for client in made:
        client.dispose()


def _end_every_handoff(boss: BearerClient) -> None:
    for view in boss.get("/queue")["waiting"]:
        boss.post(f"/handoffs/{view['id']}/accept")
    for view in boss.get("/queue")["active"]:
        boss.post(f"/conversations/{view['conversation_id']}/handback")
    left = boss.get("/queue")
    assert not left["waiting"] and not left["active"], left


@pytest.fixture
def clear_handoffs(bearer: Callable[..., BearerClient]) -> Iterator[None]:
    """End every handoff left open (the supervisor accepts and hands back) before the test,
    so that its agent is offered the test's own buyer first, and after it, so that the next
    tests start with an empty queue."""
    boss = bearer(ADMIN_USERNAME, ADMIN_PASSWORD)
    _end_every_handoff(boss)
    yield
    _end_every_handoff(boss)


@pytest.fixture
def console_login(new_context: NewContext, assistant: RunningAssistant) -> Callable[..., Console]:
    """``console_login("agent1")``: a second browser context with that account logged in
    through the login page, the console open and its socket connected."""

    def log_in(username: str, password: str | None = None, **options: Any) -> Console:
        context, watch = new_context(f"console {username}", **options)
        console = Console(context.new_page(), assistant.gateway_url, watch)
        console.log_in(username, password)
        return console

    return log_in


# --- another origin and a breakable network ---------------------------------------------


class _HostPage(BaseHTTPRequestHandler):
    """A shop of someone else's, at http://localhost:<port>, embedding the widget."""

    gateway_url = ""

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        gateway = self.gateway_url
        ws = gateway.replace("http://", "ws://")
        if self.path.split("?")[0] in ("/", "/embed.html"):
            body = EMBED_PAGE.replace("{gateway}", gateway).encode()
            csp = (
                f"default-src 'self'; script-src 'self' {gateway}; connect-src {gateway} {ws}; "
                f"img-src 'self' data: {gateway}; style-src 'self'; object-src 'none'; "
                "base-uri 'none'"
            )
            self._answer(200, "text/html; charset=utf-8", body, csp)
        elif self.path == "/config.js":
            body = "window.ShopAssistantConfig = " + json.dumps(EMBED_CONFIG) + ";\n"
            self._answer(200, "application/javascript; charset=utf-8", body.encode())
        elif self.path == "/favicon.ico":
            self._answer(204, "image/x-icon", b"")
        elif self.path == "/host.css":
            self._answer(200, "text/css; charset=utf-8", HOST_CSS.encode())
        else:
            self._answer(404, "text/plain", b"not found")

    def _answer(self, status: int, content_type: str, body: bytes, csp: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


EMBED_CONFIG = {
    "shopName": "被属性覆盖的名字",
    "primaryColor": "#0a7d38",
    "greeting": "欢迎光临外站小铺，有什么可以帮您？",
}
# Hostile-ish host CSS: global rules that would wreck an unprotected widget.
HOST_CSS = "* { font-size: 40px !important; } button { display: none; } div { color: red; }\n"
EMBED_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>外站小铺</title><link rel="stylesheet" href="/host.css"></head>
<body><h1>外站小铺</h1><p>这是另一个网站上的店铺页面。</p>
<script src="/config.js"></script>
<script src="{gateway}/widget.js" data-shop-name="外站小铺" async></script>
</body></html>
"""


@pytest.fixture(scope="package")
def host_pages(assistant: RunningAssistant) -> Iterator[dict[str, str]]:
    """A page on another origin embedding the widget: ``allowed`` (http://localhost:port,
    listed in WIDGET_ALLOWED_ORIGINS) and ``refused`` (http://127.0.0.1:port, not listed)."""
    handler = type("HostPage", (_HostPage,), {"gateway_url": assistant.gateway_url})
    server = ThreadingHTTPServer(("127.0.0.1", WIDGET_HOST_PORT), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {
        "allowed": f"http://localhost:{WIDGET_HOST_PORT}/embed.html",
        "refused": f"http://127.0.0.1:{WIDGET_HOST_PORT}/embed.html",
    }
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway_proxy(assistant: RunningAssistant) -> Iterator[ThreadedTcpProxy]:
    """A TCP proxy to the gateway at http://127.0.0.1:GATEWAY_PROXY_PORT (up at start)."""
    port = int(assistant.gateway_url.rsplit(":", 1)[1])
    with ThreadedTcpProxy("127.0.0.1", port, listen_port=GATEWAY_PROXY_PORT) as proxy:
        yield proxy
