"""The web pages: the demo shop with the buyer widget, the widget bundle, and the console.

The console's page and scripts are served only to a logged-in agent: an anonymous
visitor is sent to the login page (``/agent``) or refused (its assets, 401).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from sanic import Blueprint, HTTPResponse, Request
from sanic.response import file, json, redirect

from bot.errors import AuthError, ShopDataError
from bot.gateway.agent_auth import current_agent
from bot.gateway.services import services_of
from bot.shop.models import Policies, Product

STATIC_DIR = Path(__file__).with_name("static")
CONSOLE_DIR = Path(__file__).with_name("console")
LOGIN_PAGE = "/agent/login"
PUBLIC_CONSOLE_FILES = ("login.html", "login.js", "console.css")
ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(?:js|css|svg)$")
MIME_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
# The widget is loaded by shops' pages on other origins; a short cache lets fixes reach them.
WIDGET_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "Cross-Origin-Resource-Policy": "cross-origin",
}

pages = Blueprint("pages")


def _send(path: Path, headers: dict[str, str] | None = None) -> Any:
    return file(path, mime_type=MIME_TYPES[path.suffix], headers=headers)


@pages.get("/")
async def shop_page(_request: Request) -> HTTPResponse:
    """The demo shop front with the widget embedded."""
    return await _send(STATIC_DIR / "shop.html")


@pages.get("/widget.js")
async def widget_bundle(_request: Request) -> HTTPResponse:
    """The buyer widget: one script tag adds the chat to any allowed page."""
    return await _send(STATIC_DIR / "widget.js", WIDGET_HEADERS)


@pages.get("/api/shop/products")
async def catalogue(request: Request) -> HTTPResponse:
    """The demo shop's product list (public: it is the shop's window)."""
    shop = services_of(request).shop
    try:
        products = await asyncio.to_thread(shop.products)
        policies = await asyncio.to_thread(shop.policies)
    except ShopDataError:
        return json({"error": "unavailable", "reason": "the shop data cannot be read"}, 503)
    facts = policies.shop
    categories = facts.get("categories") or {}
    return json(
        {
            "shop": {"name": facts.get("shop_name"), "service_hours": facts.get("service_hours")},
            "highlights": _highlights(policies),
            "products": [_product_card(p, categories) for p in products],
        }
    )


def _highlights(policies: Policies) -> dict[str, Any]:
    # The shop front's banner quotes the same data the bot answers from (rule E9).
    promotions, shipping, returns = policies.promotions, policies.shipping, policies.returns
    return {
        "discounts": [d.get("label") for d in promotions.get("threshold_discounts", [])],
        "promotion_ends": str(promotions["ends"]) if promotions.get("ends") else None,
        "stackable": promotions.get("stackable"),
        "free_shipping_min_spend": shipping.get("free_shipping_min_spend"),
        "dispatch": shipping.get("dispatch"),
        "no_reason_days": returns.get("no_reason_days"),
        "return_conditions": returns.get("conditions"),
        "quality_days": returns.get("quality_days"),
    }


def _product_card(product: Product, categories: dict[str, str]) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "name": product.name,
        "category": product.category,
        "category_name": categories.get(product.category, product.category),
        "price": product.price,
        "image": None,
        "colours": list(product.colours),
        "sizes": list(product.sizes),
        "in_stock": product.in_stock,
    }


async def _logged_in(request: Request) -> bool:
    try:
        await current_agent(request)
    except AuthError:
        return False
    return True


@pages.get(LOGIN_PAGE)
async def login_page(_request: Request) -> HTTPResponse:
    """The console's login form (public)."""
    return await _send(CONSOLE_DIR / "login.html")


@pages.get("/agent/<name:str>")
async def public_console_file(_request: Request, name: str) -> HTTPResponse:
    """The login page's script and the console's style sheet (public)."""
    if name not in PUBLIC_CONSOLE_FILES or name.endswith(".html"):
        return json({"error": "not_found", "reason": "no such page"}, 404)
    return await _send(CONSOLE_DIR / name)


@pages.get("/agent")
async def console_page(request: Request) -> HTTPResponse:
    """The console for a logged-in agent; anyone else goes to the login page."""
    if not await _logged_in(request):
        return redirect(f"{LOGIN_PAGE}?next=/agent")
    return await _send(CONSOLE_DIR / "console.html", {"Cache-Control": "no-store"})


@pages.get("/agent/assets/<name:str>")
async def console_asset(request: Request, name: str) -> HTTPResponse:
    """The console's scripts and styles, for logged-in agents only."""
    path = CONSOLE_DIR / name
    if not ASSET_NAME.match(name) or not path.is_file():
        return json({"error": "not_found", "reason": "no such file"}, 404)
    if not await _logged_in(request):
        return json({"error": "unauthorized", "reason": "log in first"}, 401)
    return await _send(path, {"Cache-Control": "no-store"})
