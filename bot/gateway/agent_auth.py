"""Who is calling the agent API: a session token from the HttpOnly cookie or a Bearer header.

Cookies are ``SameSite=Strict`` and state-changing requests must be JSON (a cross-site
form cannot send that without a CORS preflight, which the gateway never grants), and
an ``Origin`` header, when present, must be the gateway's own.
"""

from __future__ import annotations

from sanic import Request

from bot.errors import AuthError, ForbiddenError
from bot.gateway.services import services_of
from bot.handoff.models import Agent

SESSION_COOKIE = "shop_agent_session"


def session_token(request: Request) -> str | None:
    """The session token the request carries, if any."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


async def current_agent(request: Request) -> Agent:
    """The logged-in agent.

    Raises:
        AuthError: no session, an expired one, or a disabled account.
    """
    token = session_token(request)
    if not token:
        raise AuthError("log in first")
    agent = await services_of(request).handoffs.store.agent_for_session(token)
    if agent is None:
        raise AuthError("your session has ended; log in again")
    return agent


def check_same_origin(request: Request) -> None:
    """Refuse a cross-site request that carries the cookie.

    Raises:
        ForbiddenError: the Origin header names another site.
    """
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.host:
        raise ForbiddenError("cross-site request refused")
