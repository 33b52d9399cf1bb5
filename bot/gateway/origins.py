"""Which web origins may talk to the gateway.

The buyer widget may be embedded on the shop's own pages, which can live on another origin
than the gateway: those origins are listed in ``WIDGET_ALLOWED_ORIGINS``. The agent
console is same-origin only. A request without an ``Origin`` header (curl, a server) is
not a browser page acting for someone else, so it is let through.
"""

from __future__ import annotations

from collections.abc import Collection

from sanic import HTTPResponse, Request

CORS_MAX_AGE_S = 600
# The WebSocket close code for a page whose origin may not embed the widget.
ORIGIN_REFUSED_CLOSE_CODE = 4403


def request_origin(request: Request) -> str | None:
    """The request's ``Origin`` header, lower-cased, or None when absent."""
    origin = request.headers.get("origin")
    return origin.strip().rstrip("/").lower() if origin else None


def is_same_origin(request: Request) -> bool:
    """True when the request has no Origin or comes from the gateway's own host."""
    origin = request_origin(request)
    return origin is None or origin.split("://", 1)[-1] == request.host.lower()


def widget_origin_allowed(request: Request, allowed: Collection[str]) -> bool:
    """True for no Origin, the gateway's own origin, or one of ``allowed``."""
    return is_same_origin(request) or request_origin(request) in allowed


def add_cors_headers(request: Request, response: HTTPResponse, allowed: Collection[str]) -> None:
    """Let an allowed foreign origin read ``response`` (CORS, no credentials)."""
    origin = request_origin(request)
    if origin is not None and origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"


def preflight_response(request: Request, allowed: Collection[str]) -> HTTPResponse:
    """The answer to a CORS preflight: 204, granting only allowed origins."""
    response = HTTPResponse(status=204)
    if request_origin(request) in allowed:
        add_cors_headers(request, response, allowed)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_S)
    return response
