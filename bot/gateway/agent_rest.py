"""The agent API under ``/api/agent``: log in, the queue, accept/decline, talk, hand back, close.

Every endpoint but ``login`` needs a session (cookie or Bearer token). Errors are
``{"error": code, "reason": "..."}`` like the buyer API.
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
from bot.gateway.agent_auth import SESSION_COOKIE, check_same_origin, current_agent, session_token
from bot.gateway.protocol import error_body, history_item, json_body, string_field
from bot.gateway.rest import HTTP_STATUS_BY_CODE
from bot.gateway.services import services_of
from bot.handoff.accounts import log_in
from bot.handoff.views import agent_view

MAX_LOGIN_CHARS = 128
HANDOFF_ERROR_STATUS = {"not_found": 404, "too_long": 413}

agent_rest = Blueprint("agent_rest", url_prefix="/api/agent")


@agent_rest.exception(AuthError)
async def _auth_failed(request: Request, error: AuthError) -> HTTPResponse:
    status = 403 if isinstance(error, ForbiddenError) else 401
    return json(
        {"error": "unauthorized" if status == 401 else "forbidden", "reason": str(error)},
        status=status,
    )


@agent_rest.exception(HandoffError)
async def _handoff_refused(_request: Request, error: HandoffError) -> HTTPResponse:
    return json(
        {"error": error.code, "reason": error.reason},
        status=HANDOFF_ERROR_STATUS.get(error.code, 409),
    )


@agent_rest.exception(BadRequestError)
async def _bad_request(_request: Request, error: BadRequestError) -> HTTPResponse:
    return json(error_body(error), status=HTTP_STATUS_BY_CODE.get(error.code, 400))


@agent_rest.exception(UnknownConversationError)
async def _unknown(_request: Request, _error: Exception) -> HTTPResponse:
    return json({"error": "not_found", "reason": "no such conversation"}, status=404)


def _body(request: Request) -> dict[str, Any]:
    check_same_origin(request)
    return json_body(request.body, request.headers.get("content-type"))


@agent_rest.post("/login")
async def login(request: Request) -> HTTPResponse:
    """``{"username", "password"}`` → the agent and a session (cookie and ``token``)."""
    body = _body(request)
    username = string_field(body, "username", MAX_LOGIN_CHARS)
    password = string_field(body, "password", MAX_LOGIN_CHARS)
    services = services_of(request)
    agent, token = await log_in(
        services.handoffs.store, username, password, services.settings.handoff.session_hours
    )
    response = json({"agent": agent_view(agent), "token": token})
    # Sanic 21.12's cookie API: a morsel per name.
    response.cookies[SESSION_COOKIE] = token
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = int(services.settings.handoff.session_hours * 3600)
    cookie["secure"] = request.scheme in ("https", "wss")  # behind a TLS proxy
    return response


@agent_rest.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    """End the session."""
    check_same_origin(request)
    await current_agent(request)
    token = session_token(request)
    if token:
        await services_of(request).handoffs.store.delete_session(token)
    response = json({"logged_out": True})
    response.cookies[SESSION_COOKIE] = ""
    response.cookies[SESSION_COOKIE]["max-age"] = 0
    response.cookies[SESSION_COOKIE]["path"] = "/"
    return response


@agent_rest.get("/me")
async def me(request: Request) -> HTTPResponse:
    """The logged-in agent, their presence and load."""
    agent = await current_agent(request)
    handoffs = services_of(request).handoffs
    return json(
        {
            "agent": agent_view(agent),
            "presence": handoffs.presence.status_of(agent.id),
            "load": await handoffs.load_of(agent.id),
            "max_chats": agent.max_chats,
        }
    )


@agent_rest.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    """Waiting handoffs (oldest first) and the conversations now with humans."""
    await current_agent(request)
    handoffs = services_of(request).handoffs
    waiting = await handoffs.store.handoffs_in_state("waiting")
    active = await handoffs.store.handoffs_in_state("active")
    return json(
        {
            "waiting": [await handoffs.view(h) for h in waiting],
            "active": [await handoffs.view(h) for h in active],
        }
    )


@agent_rest.post("/handoffs/<handoff_id:int>/accept")
async def accept(request: Request, handoff_id: int) -> HTTPResponse:
    """Take the conversation (409 when someone else was faster or it is not yours)."""
    check_same_origin(request)
    agent = await current_agent(request)
    handoffs = services_of(request).handoffs
    return json({"handoff": await handoffs.view(await handoffs.accept(handoff_id, agent))})


@agent_rest.post("/handoffs/<handoff_id:int>/decline")
async def decline(request: Request, handoff_id: int) -> HTTPResponse:
    """Pass the offer to the next agent."""
    check_same_origin(request)
    agent = await current_agent(request)
    handoffs = services_of(request).handoffs
    return json({"handoff": await handoffs.view(await handoffs.decline(handoff_id, agent))})


@agent_rest.get("/conversations/<conversation_id:str>")
async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
    """The transcript so far, the bot's slots and the open handoff: the whole story (E12)."""
    await current_agent(request)
    services = services_of(request)
    history = await services.chat.history(conversation_id)
    mode = await services.handoffs.store.mode_of(conversation_id)
    handoff = await services.handoffs.store.open_handoff_for(conversation_id)
    if handoff is None and mode.handoff_id is not None:
        handoff = await services.handoffs.store.get_handoff(mode.handoff_id)
    return json(
        {
            "conversation_id": conversation_id,
            "mode": mode.mode,
            "handoff": await services.handoffs.view(handoff) if handoff else None,
            "slots": handoff.slots if handoff else {},
            "transcript": [history_item(m) for m in history],
        }
    )


@agent_rest.post("/conversations/<conversation_id:str>/messages")
async def send_message(request: Request, conversation_id: str) -> HTTPResponse:
    """``{"text"}``: a message to the buyer, delivered at once."""
    body = _body(request)
    agent = await current_agent(request)
    services = services_of(request)
    text = string_field(body, "text", services.settings.max_message_chars)
    stored = await services.desk.send(conversation_id, agent, text)
    return json({"message": history_item(stored)}, status=201)


@agent_rest.post("/conversations/<conversation_id:str>/handback")
async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
    """Return the conversation to the bot."""
    check_same_origin(request)
    agent = await current_agent(request)
    services = services_of(request)
    ended = await services.desk.hand_back(conversation_id, agent)
    return json({"handoff": await services.handoffs.view(ended)})


@agent_rest.post("/conversations/<conversation_id:str>/close")
async def close(request: Request, conversation_id: str) -> HTTPResponse:
    """``{"note"}``: end the conversation with a note for the record."""
    body = _body(request)
    agent = await current_agent(request)
    services = services_of(request)
    note = string_field(body, "note", 2000, required=False)
    ended = await services.desk.close(conversation_id, agent, note)
    return json({"handoff": await services.handoffs.view(ended)})


@agent_rest.post("/presence")
async def presence(request: Request) -> HTTPResponse:
    """``{"status": "online" | "away"}``; away re-queues offers not yet accepted."""
    body = _body(request)
    agent = await current_agent(request)
    status = body.get("status")
    if status not in ("online", "away"):
        raise BadRequestError("'status' must be 'online' or 'away'", code="invalid_field")
    handoffs = services_of(request).handoffs
    await handoffs.presence.set_status(agent.id, status)
    return json({"presence": handoffs.presence.status_of(agent.id)})


@agent_rest.get("/handoffs/<handoff_id:int>/events")
async def events(request: Request, handoff_id: int) -> HTTPResponse:
    """Every timestamped step of a handoff, and its ticket if one was recorded."""
    await current_agent(request)
    store = services_of(request).handoffs.store
    if await store.get_handoff(handoff_id) is None:
        raise HandoffError("no such handoff", "not_found")
    ticket = await store.ticket_for(handoff_id)
    return json(
        {
            "events": [
                {"kind": e.kind, "at": e.at.isoformat(), "agent_id": e.agent_id, "detail": e.detail}
                for e in await store.events_of(handoff_id)
            ],
            "ticket": None
            if ticket is None
            else {"id": ticket.id, "reason": ticket.reason, "status": ticket.status,
                  "has_contact": ticket.contact is not None},
        }
    )  # fmt: skip


@agent_rest.get("/tickets")
async def tickets(request: Request) -> HTTPResponse:
    """Supervisors: every ticket, newest first, with the contact a buyer left for a call-back."""
    agent = await current_agent(request)
    if not agent.is_supervisor:
        raise ForbiddenError("only supervisors see tickets and buyers' contacts")
    store = services_of(request).handoffs.store
    return json(
        {
            "tickets": [
                {
                    "id": t.id,
                    "handoff_id": t.handoff_id,
                    "conversation_id": t.conversation_id,
                    "reason": t.reason,
                    "status": t.status,
                    "created_at": t.created_at.isoformat(),
                    "contact": t.contact,
                }
                for t in await store.list_tickets()
            ]
        }
    )
