"""Who is calling the agent API: a session token from the HttpOnly cookie or a Bearer header.

Cookies are ``SameSite=Strict``; a state-changing request made with the cookie must also
carry the session's CSRF token in ``X-CSRF-Token`` (the console reads it from
``/api/agent/me``, which another site cannot), and an ``Origin`` header, when present,
must be the gateway's own. Bearer clients send no cookie, so they need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac

from sanic import Request

from bot.errors import AuthError, ForbiddenError
from bot.gateway.origins import is_same_origin
from bot.gateway.services import services_of
from bot.handoff.models import Agent

SESSION_COOKIE = "shop_agent_session"
CSRF_HEADER = "x-csrf-token"
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def session_token(request: Request) -> str | None:
    """The session token the request carries, if any."""
    return _bearer_token(request) or request.cookies.get(SESSION_COOKIE)


def csrf_token(token: str) -> str:
    """The CSRF token bound to a session token (derived, so nothing more is stored)."""
    return hmac.new(token.encode(), b"shop-console-csrf", hashlib.sha256).hexdigest()


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
    if not is_same_origin(request):
        raise ForbiddenError("cross-site request refused")


def check_csrf(request: Request) -> None:
    """Refuse a state-changing cookie request without the session's CSRF token.

    Raises:
        ForbiddenError: code ``csrf``.
    """
    if request.method not in STATE_CHANGING_METHODS or _bearer_token(request):
        return
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return  # not logged in: the endpoint itself answers 401
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(cookie).encode()):
        raise ForbiddenError("missing or wrong X-CSRF-Token header", code="csrf")


def require_supervisor(agent: Agent) -> Agent:
    """``agent`` if a supervisor.

    Raises:
        ForbiddenError: any other role.
    """
    if not agent.is_supervisor:
        raise ForbiddenError("only supervisors may do this")
    return agent


def require_chat_role(agent: Agent) -> Agent:
    """``agent`` unless a trainer, who may read but not talk to buyers.

    Raises:
        ForbiddenError: a trainer.
    """
    if not agent.takes_chats:
        raise ForbiddenError("trainers may read conversations but not act in them")
    return agent


def require_reviewer(agent: Agent) -> Agent:
    """``agent`` if a trainer or a supervisor: the roles that review transcripts and train.

    Raises:
        ForbiddenError: an agent.
    """
    if agent.role not in ("trainer", "supervisor"):
        raise ForbiddenError("only trainers and supervisors may do this")
    return agent
