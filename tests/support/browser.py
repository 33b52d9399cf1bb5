"""Chromium for browser tests: launch Debian's build, watch pages for errors, screenshots.

``playwright install`` cannot download browsers here, so Playwright drives the system's
chromium (``SHOP_CHROMIUM`` overrides the path). A ``PageWatch`` collects every console
error, uncaught page error, Content-Security-Policy violation and JavaScript dialog of the
pages of a browser context; a test fails on any of them unless it declared it expected
(``watch.allow(...)``). Screenshots land in ``reports/screenshots/<test>-<what>.png``.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Error,
    Page,
    Playwright,
)

from bot.settings import PROJECT_ROOT

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
SCREENSHOT_DIR = PROJECT_ROOT / "reports" / "screenshots"
T = TypeVar("T")

# Runs in every document before its own scripts: report CSP violations (also those of a
# shadow root, the event is composed) to the test through an exposed binding.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  if (typeof window.__pwCspViolation === "function") {
    window.__pwCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
      + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
  }
}, true);
"""


def chromium_path() -> str:
    """The chromium binary to drive: ``SHOP_CHROMIUM`` or Debian's."""
    return os.environ.get("SHOP_CHROMIUM") or DEFAULT_CHROMIUM


def launch_chromium(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Launch the system's chromium (headless by default)."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=list(CHROMIUM_ARGS), headless=headless
    )


@dataclass
class Problem:
    """Something that went wrong in a page."""

    kind: str  # console, pageerror, csp, dialog
    text: str
    url: str = ""

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"[{self.kind}] {self.text}{where}"


@dataclass
class PageWatch:
    """Collects the problems of every page of one browser context."""

    name: str = ""
    problems: list[Problem] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> PageWatch:
        """Watch ``context``: its pages now and later."""
        context.expose_binding(
            "__pwCspViolation", lambda source, text: self._add("csp", text, source["page"])
        )
        context.add_init_script(_CSP_LISTENER)
        for page in context.pages:
            self.watch_page(page)
        context.on("page", self.watch_page)
        return self

    def watch_page(self, page: Page) -> None:
        page.on("console", lambda message: self._on_console(message, page))
        page.on("pageerror", lambda error: self._on_page_error(error, page))
        page.on("dialog", lambda dialog: self._on_dialog(dialog, page))

    def allow(self, pattern: str) -> None:
        """Expect problems whose text matches ``pattern`` (a regular expression)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[Problem]:
        """The problems no ``allow`` pattern matches."""
        return [p for p in self.problems if not any(a.search(p.text) for a in self.allowed)]

    def dialogs(self) -> list[Problem]:
        """JavaScript dialogs (alert, confirm, prompt) opened so far; never allowed away."""
        return [p for p in self.problems if p.kind == "dialog"]

    def assert_clean(self) -> None:
        """Fail with every unexpected problem (dialogs always count)."""
        bad = [
            p
            for p in self.problems
            if p.kind == "dialog" or not any(a.search(p.text) for a in self.allowed)
        ]
        assert not bad, f"{self.name}: problems in the page:\n" + "\n".join(map(str, bad))

    def _add(self, kind: str, text: str, page: Page | None) -> None:
        url = ""
        if page is not None:
            try:
                url = page.url
            except Error:
                url = ""
        self.problems.append(Problem(kind, text, url))

    def _on_console(self, message: ConsoleMessage, page: Page) -> None:
        if message.type == "error":
            location = message.location or {}
            source = location.get("url", "")
            self._add("console", f"{message.text} [{source}:{location.get('lineNumber')}]", page)

    def _on_page_error(self, error: Error, page: Page) -> None:
        self._add("pageerror", f"{error.name}: {error.message}", page)

    def _on_dialog(self, dialog: Dialog, page: Page) -> None:
        self._add("dialog", f"{dialog.type}: {dialog.message}", page)
        with contextlib.suppress(Error):
            dialog.dismiss()


def screenshot_path(test_name: str, what: str) -> Path:
    """``reports/screenshots/<test-name>-<what>.png`` (directories created)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{test_name}-{what}").strip("_")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{safe}.png"


def screenshot(page: Page, test_name: str, what: str, *, full_page: bool = False) -> Path:
    """Save a PNG of ``page``'s viewport (or the whole page) and return its path."""
    path = screenshot_path(test_name, what)
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def wait_until(page: Page, predicate: Callable[[], T], what: str, timeout_s: float = 10.0) -> T:
    """Poll ``predicate`` (server state, say) until it returns something truthy; return it.

    Waits through ``page.wait_for_timeout`` so the page's events keep flowing meanwhile.
    """
    deadline = time.monotonic() + timeout_s
    while not (result := predicate()):
        assert time.monotonic() < deadline, f"timed out after {timeout_s:.0f} s: {what}"
        page.wait_for_timeout(100)
    return result
