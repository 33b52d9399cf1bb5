"""What every agent-API blueprint shares: error answers, the CSRF gate and JSON bodies.

Errors are ``{"error": code, "reason": "..."}`` like the buyer API.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, HTTPResponse, Request
from sanic.response import json

from bot.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    HandoffError,
    UnknownConversationError,
)
from bot.gateway.agent_auth import check_csrf, check_same_origin
from bot.gateway.protocol import error_body, json_body
from bot.gateway.rest import HTTP_STATUS_BY_CODE

HANDOFF_ERROR_STATUS = {"not_found": 404, "too_long": 413}
LOGIN_PATH = "/api/agent/login"


def auth_error_response(error: AuthError) -> HTTPResponse:
    """401 for who-are-you, 403 for not-allowed (``forbidden`` or ``csrf``)."""
    if isinstance(error, ForbiddenError):
        return json({"error": error.code, "reason": str(error)}, status=403)
    return json({"error": "unauthorized", "reason": str(error)}, status=401)


async def _auth_failed(_request: Request, error: AuthError) -> HTTPResponse:
    return auth_error_response(error)


async def _handoff_refused(_request: Request, error: HandoffError) -> HTTPResponse:
    return json(
        {"error": error.code, "reason": error.reason},
        status=HANDOFF_ERROR_STATUS.get(error.code, 409),
    )


async def _bad_request(_request: Request, error: BadRequestError) -> HTTPResponse:
    return json(error_body(error), status=HTTP_STATUS_BY_CODE.get(error.code, 400))


async def _unknown(_request: Request, _error: Exception) -> HTTPResponse:
    return json({"error": "not_found", "reason": "no such conversation"}, status=404)


async def _csrf_gate(request: Request) -> HTTPResponse | None:
    # Middleware answers directly: it runs before the route's own exception handlers.
    # Login is exempt: it is how a token is obtained, and a stale cookie must not block it.
    if request.path == LOGIN_PATH:
        return None
    try:
        check_csrf(request)
    except ForbiddenError as err:
        return auth_error_response(err)
    return None


def agent_blueprint(name: str, url_prefix: str = "/api/agent") -> Blueprint:
    """A blueprint with the agent API's error answers and CSRF gate installed."""
    blueprint = Blueprint(name, url_prefix=url_prefix)
    blueprint.exception(AuthError)(_auth_failed)
    blueprint.exception(HandoffError)(_handoff_refused)
    blueprint.exception(BadRequestError)(_bad_request)
    blueprint.exception(UnknownConversationError)(_unknown)
    blueprint.middleware("request")(_csrf_gate)
    return blueprint


def agent_body(request: Request) -> dict[str, Any]:
    """The JSON object body of a same-origin request.

    Raises:
        ForbiddenError: cross-site.
        BadRequestError: not JSON, or not an object.
    """
    check_same_origin(request)
    return json_body(request.body, request.headers.get("content-type"))
