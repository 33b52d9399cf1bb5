"""The agent API under ``/api/agent``: log in, the queue, accept/decline, talk, hand back, close.

Every endpoint but ``login`` needs a session (cookie or Bearer token). Errors are
``{"error": code, "reason": "..."}`` like the buyer API.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import HTTPResponse, Request
from sanic.response import json

from bot.errors import BadRequestError, HandoffError, ShopDataError
from bot.gateway.agent_auth import (
    SESSION_COOKIE,
    check_same_origin,
    csrf_token,
    current_agent,
    require_chat_role,
    session_token,
)
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.agent_views import order_view
from bot.gateway.models import StoredMessage
from bot.gateway.protocol import history_item, string_field
from bot.gateway.readings import console_reading
from bot.gateway.services import GatewayServices, services_of
from bot.handoff.accounts import log_in
from bot.handoff.views import agent_view
from bot.shop import ShopRepository
from bot.transcripts.readings import Reading, latest_order_id

MAX_LOGIN_CHARS = 128

agent_rest = agent_blueprint("agent_rest")


@agent_rest.post("/login")
async def login(request: Request) -> HTTPResponse:
    """``{"username", "password"}`` → the agent and a session (cookie and ``token``)."""
    body = agent_body(request)
    username = string_field(body, "username", MAX_LOGIN_CHARS)
    password = string_field(body, "password", MAX_LOGIN_CHARS)
    services = services_of(request)
    agent, token = await log_in(
        services.handoffs.store, username, password, services.settings.handoff.session_hours
    )
    response = json({"agent": agent_view(agent), "token": token, "csrf_token": csrf_token(token)})
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
    agent = await current_agent(request)
    token = session_token(request)
    services = services_of(request)
    if token:
        await services.handoffs.store.delete_session(token)
        await services.hub.end_session(agent.id, token)
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
            "csrf_token": csrf_token(session_token(request) or ""),
            "presence": handoffs.presence.status_of(agent.id),
            "load": await handoffs.load_of(agent.id),
            "max_chats": agent.max_chats,
        }
    )


@agent_rest.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    """Waiting handoffs (oldest first) and the conversations now with humans."""
    await current_agent(request)
    return json(await services_of(request).handoffs.queue_views())


@agent_rest.post("/handoffs/<handoff_id:int>/accept")
async def accept(request: Request, handoff_id: int) -> HTTPResponse:
    """Take the conversation (409 when someone else was faster or it is not yours)."""
    check_same_origin(request)
    agent = require_chat_role(await current_agent(request))
    handoffs = services_of(request).handoffs
    return json({"handoff": await handoffs.view(await handoffs.accept(handoff_id, agent))})


@agent_rest.post("/handoffs/<handoff_id:int>/decline")
async def decline(request: Request, handoff_id: int) -> HTTPResponse:
    """Pass the offer to the next agent."""
    check_same_origin(request)
    agent = require_chat_role(await current_agent(request))
    handoffs = services_of(request).handoffs
    return json({"handoff": await handoffs.view(await handoffs.decline(handoff_id, agent))})


@agent_rest.get("/conversations/<conversation_id:str>")
async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
    """The transcript with the bot's reading of each buyer line, the slots, the order and
    the open handoff: the whole story, so the buyer need not repeat it (E12)."""
    await current_agent(request)
    services = services_of(request)
    history = await services.chat.history(conversation_id)
    mode = await services.handoffs.store.mode_of(conversation_id)
    handoff = await services.handoffs.store.open_handoff_for(conversation_id)
    if handoff is None and mode.handoff_id is not None:
        handoff = await services.handoffs.store.get_handoff(mode.handoff_id)
    slots = handoff.slots if handoff else {}
    readings = await services.readings.for_conversation(conversation_id)
    order_id = latest_order_id(readings) or slots.get("order_id")
    return json(
        {
            "conversation_id": conversation_id,
            "mode": mode.mode,
            "handoff": await services.handoffs.view(handoff) if handoff else None,
            "slots": slots,
            "order": await _order(services, order_id),
            "transcript": await _annotated(services, history, readings),
        }
    )


async def _annotated(
    services: GatewayServices,
    history: list[StoredMessage],
    readings: dict[int, Reading],
) -> list[dict[str, Any]]:
    # Lines not read yet (Rasa down) show without a reading.
    flagged = await services.flags.rules_by_message(m.id for m in history if m.sender == "agent")
    items = []
    for message in history:
        item = history_item(message)
        if message.sender == "buyer":
            reading = readings.get(message.id)
            item["nlu"] = console_reading(reading) if reading else None
        if message.id in flagged:
            item["etiquette"] = services.etiquette.violations(message.text or "")
        items.append(item)
    return items


async def _order(services: GatewayServices, order_id: Any) -> dict[str, Any] | None:
    if not isinstance(order_id, str) or not order_id.strip():
        return None
    try:
        return await asyncio.to_thread(_order_facts, services.shop, order_id)
    except ShopDataError:
        return None


def _order_facts(shop: ShopRepository, order_id: str) -> dict[str, Any] | None:
    # One trip to the worker thread; only the order's own products are looked up.
    order = shop.order(order_id)
    if order is None:
        return None
    products = (shop.find_product(item.product_id) for item in order.items)
    return order_view(order, {p.id: p.name for p in products if p is not None})


@agent_rest.post("/conversations/<conversation_id:str>/messages")
async def send_message(request: Request, conversation_id: str) -> HTTPResponse:
    """``{"text"}``: a message to the buyer, delivered at once. Sending is never blocked
    by the etiquette check; a flagged message is recorded for review."""
    body = agent_body(request)
    agent = require_chat_role(await current_agent(request))
    services = services_of(request)
    text = string_field(body, "text", services.settings.max_message_chars)
    stored = await services.desk.send(conversation_id, agent, text)
    violations = services.etiquette.violations(text)
    if violations:
        rule_ids = [v["rule_id"] for v in violations]
        await services.flags.record(stored.id, conversation_id, agent.id, rule_ids)
    return json({"message": history_item(stored), "etiquette": violations}, status=201)


@agent_rest.post("/conversations/<conversation_id:str>/handback")
async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
    """Return the conversation to the bot."""
    check_same_origin(request)
    agent = require_chat_role(await current_agent(request))
    services = services_of(request)
    ended = await services.desk.hand_back(conversation_id, agent)
    return json({"handoff": await services.handoffs.view(ended)})


@agent_rest.post("/conversations/<conversation_id:str>/close")
async def close(request: Request, conversation_id: str) -> HTTPResponse:
    """``{"note"}``: end the conversation with a note for the record."""
    body = agent_body(request)
    agent = require_chat_role(await current_agent(request))
    services = services_of(request)
    note = string_field(body, "note", 2000, required=False)
    ended = await services.desk.close(conversation_id, agent, note)
    return json({"handoff": await services.handoffs.view(ended)})


@agent_rest.post("/presence")
async def presence(request: Request) -> HTTPResponse:
    """``{"status": "online" | "away"}``; away re-queues offers not yet accepted."""
    body = agent_body(request)
    agent = require_chat_role(await current_agent(request))
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
