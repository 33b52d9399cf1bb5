"""The web pages on a real gateway process: the demo shop and the widget bundle are public,
the console is not; nothing is loaded from elsewhere and no script writes HTML."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.gateway.pages import CONSOLE_DIR, STATIC_DIR
from bot.settings import PROJECT_ROOT
from bot.shop.loader import read_yaml

FRONT_END_FILES = sorted(
    [*STATIC_DIR.glob("*.js"), *STATIC_DIR.glob("*.html"), *CONSOLE_DIR.glob("*.js"),
     *CONSOLE_DIR.glob("*.html")]
)  # fmt: skip
HTML_SINKS = (".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval(")
EXTERNAL_URL = re.compile(r"(?:src|href|url\()\s*=?\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def _without_comments(source: str) -> str:
    # Comments may show an embedding example with a full URL; code may not load one.
    source = re.sub(r"/\*.*?\*/|<!--.*?-->", "", source, flags=re.DOTALL)
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("//"))


@pytest.mark.parametrize("path", FRONT_END_FILES, ids=lambda p: p.name)
def test_front_end_inserts_text_only_and_loads_nothing_from_elsewhere(path: Path) -> None:
    source = _without_comments(path.read_text(encoding="utf-8"))
    for sink in HTML_SINKS:
        assert sink not in source, f"{path.name} must build the page with textContent"
    assert not EXTERNAL_URL.search(source), f"{path.name} must not load assets from elsewhere"


async def test_demo_shop_embeds_the_widget(gateway, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{gateway.base_url}/") as response:
        assert response.status == 200
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert 'src="/widget.js"' in page
    async with http.get(f"{gateway.base_url}/widget.js") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert "attachShadow" in await response.text()


async def test_the_catalogue_lists_the_shop_s_products(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/api/shop/products") as response:
        assert response.status == 200
        body = await response.json()
    assert body["shop"]["name"] == "悦衣小铺"
    dress = next(p for p in body["products"] if p["name"] == "碎花连衣裙")
    assert dress["price"] > 0 and "M" in dress["sizes"] and dress["category_name"] == "女装"
    promotions = read_yaml(PROJECT_ROOT / "data" / "shop" / "promotions.yml")
    labels = [d["label"] for d in promotions["threshold_discounts"]]
    assert body["highlights"]["discounts"] == labels  # the banner quotes the shop's data


async def test_the_console_is_closed_to_anonymous_visitors(gateway, http) -> None:
    async with http.get(f"{gateway.base_url}/agent", allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"] == "/agent/login?next=/agent"
    async with http.get(f"{gateway.base_url}/agent/login") as response:
        assert response.status == 200 and "login-form" in await response.text()
    console_scripts = sorted(p.name for p in CONSOLE_DIR.glob("*.js") if p.name != "login.js")
    assert console_scripts, "the console has scripts"
    for name in console_scripts:
        async with http.get(f"{gateway.base_url}/agent/assets/{name}") as response:
            assert response.status == 401, name
    for probe in ("../pages.py", "..%2Fpages.py", "login.html"):
        async with http.get(f"{gateway.base_url}/agent/assets/{probe}") as response:
            assert response.status in (401, 404), probe


async def test_a_logged_in_agent_gets_the_console(tmp_path, http) -> None:
    from tests.support.gateway import running_gateway

    env = {"SHOP_ADMIN_USERNAME": "boss", "SHOP_ADMIN_PASSWORD": "boss-password-1"}
    async with running_gateway(tmp_path, extra_env=env) as gw:
        body = {"username": "boss", "password": "boss-password-1"}
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.post(f"{gw.base_url}/api/agent/login", json=body) as r:
                assert r.status == 200
            async with browser.get(f"{gw.base_url}/agent", allow_redirects=False) as r:
                assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
                page = await r.text()
            script = re.search(r'src="/agent/assets/([\w.-]+\.js)"', page)
            assert script, "the console page loads its script from /agent/assets/"
            async with browser.get(f"{gw.base_url}/agent/assets/{script.group(1)}") as r:
                assert r.status == 200
