"""The agent's tools beside the chat: canned replies, the live etiquette check, shop data.

Everyone logged in may read canned replies; only supervisors edit them, and a text that
breaks the etiquette is refused with the checker's findings (422 ``etiquette``).
"""

from __future__ import annotations

import asyncio

from sanic import HTTPResponse, Request
from sanic.response import json

from bot.console.canned import MAX_TEXT_CHARS, MAX_TITLE_CHARS, CannedDraft, draft_from
from bot.errors import BadRequestError, EtiquetteBreachError, ShopDataError
from bot.gateway.agent_auth import current_agent, require_supervisor
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.agent_views import reference_view
from bot.gateway.protocol import string_field
from bot.gateway.services import services_of

console_rest = agent_blueprint("console_rest")


@console_rest.exception(EtiquetteBreachError)
async def _breach(_request: Request, error: EtiquetteBreachError) -> HTTPResponse:
    return json({"error": "etiquette", "reason": error.reason, "violations": error.violations}, 422)


@console_rest.exception(ShopDataError)
async def _shop_down(_request: Request, _error: ShopDataError) -> HTTPResponse:
    return json({"error": "unavailable", "reason": "the shop data cannot be read"}, 503)


@console_rest.get("/canned-replies")
async def list_canned(request: Request) -> HTTPResponse:
    """Every canned reply, by title."""
    await current_agent(request)
    replies = await services_of(request).canned.store.all()
    return json({"replies": [reply.view() for reply in replies]})


def _draft(request: Request) -> CannedDraft:
    body = agent_body(request)
    fields = {
        "title": string_field(body, "title", MAX_TITLE_CHARS),
        "text": string_field(body, "text", MAX_TEXT_CHARS),
    }
    tags = body.get("tags", [])
    if not isinstance(tags, list):
        raise BadRequestError("'tags' must be a list of strings", code="invalid_field")
    try:
        return services_of(request).canned.checked(draft_from(fields, tags))
    except ValueError as err:
        raise BadRequestError(str(err), code="invalid_field") from err


@console_rest.post("/canned-replies")
async def create_canned(request: Request) -> HTTPResponse:
    """Supervisors: add a canned reply."""
    supervisor = require_supervisor(await current_agent(request))
    draft = _draft(request)
    reply = await services_of(request).canned.store.create(draft, supervisor.id)
    return json({"reply": reply.view()}, status=201)


@console_rest.put("/canned-replies/<reply_id:int>")
async def update_canned(request: Request, reply_id: int) -> HTTPResponse:
    """Supervisors: change a canned reply."""
    supervisor = require_supervisor(await current_agent(request))
    draft = _draft(request)
    reply = await services_of(request).canned.store.update(reply_id, draft, supervisor.id)
    if reply is None:
        return json({"error": "not_found", "reason": "no such canned reply"}, 404)
    return json({"reply": reply.view()})


@console_rest.delete("/canned-replies/<reply_id:int>")
async def delete_canned(request: Request, reply_id: int) -> HTTPResponse:
    """Supervisors: delete a canned reply."""
    require_supervisor(await current_agent(request))
    if not await services_of(request).canned.store.delete(reply_id):
        return json({"error": "not_found", "reason": "no such canned reply"}, 404)
    return json({"deleted": reply_id})


@console_rest.post("/etiquette/check")
async def check_draft(request: Request) -> HTTPResponse:
    """``{"text"}`` → the rules the draft breaks and the checker's rewrite."""
    await current_agent(request)
    body = agent_body(request)
    services = services_of(request)
    text = string_field(body, "text", services.settings.max_message_chars, required=False)
    review = services.etiquette
    return json({"violations": review.violations(text), "suggestion": review.suggestion(text)})


@console_rest.get("/shop")
async def shop_reference(request: Request) -> HTTPResponse:
    """The shop's facts, promotions, shipping and returns rules: what the bot answers from."""
    await current_agent(request)
    policies = await asyncio.to_thread(services_of(request).shop.policies)
    return json(reference_view(policies))
