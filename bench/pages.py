"""Page benchmark: the widget bundle's size and how fast the pages paint.

Usage::

    .venv/bin/python -m bench.pages [--loads 7] [--json]

A private gateway (no Rasa needed: the pages are the gateway's own) is started on a free
port with a supervisor account, and Debian's chromium (``/usr/bin/chromium``, or
``SHOP_CHROMIUM``) loads each page ``--loads`` times in a fresh browser context (no
cache), after one unmeasured warm-up load.

Measured per page: first contentful paint (the browser's ``paint`` entry) and
DOMContentLoaded, median and max; for the console also "ready": the queue list drawn
with the queue fetched from the server. Targets: the console's first paint under 1 s.
Bundle: ``widget.js`` raw and gzip-compressed bytes (what a shop's page downloads).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, async_playwright

from bench.report import machine_info
from bot.gateway.pages import STATIC_DIR
from bot.supervisor import ManagedProcess, free_port

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage"]  # fmt: skip
ADMIN = ("bench-boss", "bench-password-1")
FCP_RECORDED = "() => performance.getEntriesByName('first-contentful-paint').length > 0"
PAINT_SCRIPT = """() => {
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return {fcp_ms: fcp ? fcp.startTime : null, dcl_ms: nav ? nav.domContentLoadedEventEnd : null};
}"""


def bundle_sizes() -> dict[str, int]:
    """widget.js as served, and gzip-compressed."""
    raw = (STATIC_DIR / "widget.js").read_bytes()
    return {"raw_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, compresslevel=6))}


def start_gateway(state: Path) -> tuple[ManagedProcess, str]:
    """A gateway alone on a free port, state in ``state``."""
    port = free_port()
    env = {
        "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "SHOP_VAR_DIR": str(state),
        "GATEWAY_DB_URL": "", "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
        "SHOP_ADMIN_USERNAME": ADMIN[0], "SHOP_ADMIN_PASSWORD": ADMIN[1],
    }  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        "gateway", [sys.executable, "-m", "bot.gateway"], state / "gateway.log",
        health_url=f"{base}/widget.js", env=env,  # /health is 503 without Rasa
    )  # fmt: skip
    process.start()
    process.wait_ready(60)
    return process, base


async def _log_in(context: BrowserContext, base: str) -> None:
    body = {"username": ADMIN[0], "password": ADMIN[1]}
    response = await context.request.post(f"{base}/api/agent/login", data=body)
    if response.status != 200:
        raise RuntimeError(f"login failed: HTTP {response.status}")


async def measure(
    browser: Browser,
    url: str,
    loads: int,
    prepare: Callable[[BrowserContext], Awaitable[None]] | None = None,
    ready_selector: str | None = None,
) -> dict[str, Any]:
    """Load ``url`` ``loads`` times (plus a warm-up) in fresh contexts; paint figures."""
    samples: list[dict[str, float | None]] = []
    for n in range(loads + 1):
        context = await browser.new_context()
        if prepare:
            await prepare(context)
        page = await context.new_page()
        started = asyncio.get_running_loop().time()
        await page.goto(url, wait_until="load")
        # The paint entry may be recorded just after the load event.
        await page.wait_for_function(FCP_RECORDED, timeout=5_000)
        figures = await page.evaluate(PAINT_SCRIPT)
        if ready_selector:
            await page.wait_for_selector(ready_selector, state="attached", timeout=10_000)
            figures["ready_ms"] = (asyncio.get_running_loop().time() - started) * 1000
        await context.close()
        if n:  # the first load warms the gateway's file cache
            samples.append(figures)
    return {key: _summary([s[key] for s in samples]) for key in samples[0]}


def _summary(values: list[float | None]) -> dict[str, float | None]:
    present = [v for v in values if v is not None]
    if not present:
        return {"median": None, "max": None}
    return {"median": round(statistics.median(present), 1), "max": round(max(present), 1)}


async def run(loads: int) -> dict[str, Any]:
    """Start a gateway and chromium, measure every page."""
    state = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    process, base = start_gateway(state)
    try:
        async with async_playwright() as pw:
            chromium = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")
            browser = await pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)

            async def logged_in(context: BrowserContext) -> None:
                await _log_in(context, base)

            pages = {
                "demo shop /": await measure(browser, f"{base}/", loads),
                "console login /agent/login": await measure(browser, f"{base}/agent/login", loads),
                "console /agent": await measure(
                    browser, f"{base}/agent", loads, logged_in, "#waiting-list"
                ),
            }
            await browser.close()
    finally:
        process.stop()
        shutil.rmtree(state, ignore_errors=True)
    return {"machine": machine_info(), "widget_bundle": bundle_sizes(), "pages": pages}


def print_report(report: dict[str, Any]) -> None:
    """The figures as a table."""
    bundle = report["widget_bundle"]
    print(f"widget.js: {bundle['raw_bytes']:,} bytes, {bundle['gzip_bytes']:,} gzipped")
    print(f"{'page':<28}{'first paint ms':>18}{'DOMContentLoaded ms':>22}{'ready ms':>14}")
    for name, figures in report["pages"].items():
        fcp, dcl = figures["fcp_ms"], figures["dcl_ms"]
        ready = figures.get("ready_ms", {"median": None})
        print(f"{name:<28}{_cell(fcp):>18}{_cell(dcl):>22}{_cell(ready):>14}")
    print("(median / max of the measured loads)")


def _cell(summary: dict[str, float | None]) -> str:
    if summary["median"] is None:
        return "-"
    return f"{summary['median']:.0f} / {summary['max']:.0f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=7, help="measured loads per page")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.loads))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
