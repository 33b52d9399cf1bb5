"""The gateway's Sanic application factory. Importing this module starts nothing."""

from __future__ import annotations

import logging

from sanic import HTTPResponse, Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import json

from bot.gateway.agent_rest import agent_rest
from bot.gateway.agent_ws import agent_ws
from bot.gateway.buyer_ws import buyer_ws
from bot.gateway.console_rest import console_rest
from bot.gateway.health import health
from bot.gateway.pages import STATIC_DIR, pages
from bot.gateway.report_rest import report_rest
from bot.gateway.rest import buyer_rest
from bot.gateway.services import GatewayServices, app_services
from bot.gateway.supervisor_rest import supervisor_rest
from bot.gateway.trainer_rest import trainer_rest
from bot.gateway.training_rest import training_rest
from bot.settings import Settings

log = logging.getLogger(__name__)

APP_NAME = "shop_gateway"
# Generous for JSON-escaped text at the message limit, yet far below Sanic's 100 MB default.
MIN_BODY_BYTES = 64 * 1024
BYTES_PER_CHAR_ESCAPED = 12
# The chat page loads only its own files and talks only to its own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)


def create_app(settings: Settings, name: str = APP_NAME) -> Sanic:
    """Build the gateway app; services are created by its server-start hook.

    Sanic refuses two apps with one name in a process; pass another ``name`` for a second.
    """
    app = Sanic(name)
    max_body = max(MIN_BODY_BYTES, settings.max_message_chars * BYTES_PER_CHAR_ESCAPED)
    app.config.REQUEST_MAX_SIZE = max_body
    app.config.WEBSOCKET_MAX_SIZE = max_body
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings

    app.blueprint(health)
    app.blueprint(buyer_rest)
    app.blueprint(buyer_ws)
    app.blueprint(agent_rest)
    app.blueprint(agent_ws)
    app.blueprint(console_rest)
    app.blueprint(supervisor_rest)
    app.blueprint(report_rest)
    app.blueprint(trainer_rest)
    app.blueprint(training_rest)
    app.blueprint(pages)
    app.static("/static", str(STATIC_DIR), name="static_files")

    app.before_server_start(_start_services)
    app.after_server_stop(_stop_services)
    app.on_response(_add_security_headers)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _unexpected_error)
    return app


async def _start_services(app: Sanic, _loop: object) -> None:
    app.ctx.services = await GatewayServices.start(app.ctx.settings)
    log.info("gateway services started")


async def _stop_services(app: Sanic, _loop: object) -> None:
    services: GatewayServices | None = getattr(app.ctx, "services", None)
    if services is not None:
        await app_services(app).close()
        log.info("gateway services stopped")


async def _add_security_headers(_request: Request, response: HTTPResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    content_type = response.content_type or response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)


def _http_error(_request: Request, error: SanicException) -> HTTPResponse:
    # Sanic's own errors (404 route, 405, 413 body too large...) in the gateway's JSON shape.
    status = getattr(error, "status_code", 500) or 500
    code = "too_long" if status == 413 else _slug(type(error).__name__)
    return json({"error": code, "reason": str(error)}, status=status)


def _unexpected_error(_request: Request, error: Exception) -> HTTPResponse:
    # The request URL may hold a conversation id (a buyer's key), so it is not logged.
    log.error("unexpected error: %s", type(error).__name__, exc_info=error)
    return json({"error": "internal_error", "reason": "unexpected server error"}, status=500)


def _slug(class_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in class_name).lstrip("_")
