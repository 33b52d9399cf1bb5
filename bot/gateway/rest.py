"""The buyer REST API under ``/api``: the same conversations as the WebSocket, one request per turn.

Errors are ``{"error": code, "reason": "..."}``; bad input is never a 500.
"""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request
from sanic.response import json

from bot.errors import BadRequestError, HandoffError, StorageError, UnknownConversationError
from bot.gateway.origins import add_cors_headers, preflight_response, widget_origin_allowed
from bot.gateway.protocol import (
    MAX_CONTACT_CHARS,
    ErrorCode,
    bad_request,
    error_body,
    history_item,
    json_body,
    parse_rest_message,
    reply_frame,
    string_field,
)
from bot.gateway.services import services_of

HTTP_STATUS_BY_CODE = {
    ErrorCode.EMPTY.value: 422,
    ErrorCode.TOO_LONG.value: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE.value: 415,
    ErrorCode.NOT_FOUND.value: 404,
    ErrorCode.UNAVAILABLE.value: 503,
    ErrorCode.CONFLICT.value: 409,
    ErrorCode.INVALID_FIELD.value: 422,
}

buyer_rest = Blueprint("buyer_rest", url_prefix="/api")


def _allowed_origins(request: Request) -> tuple[str, ...]:
    return services_of(request).settings.widget_allowed_origins


@buyer_rest.middleware("request")
async def refuse_foreign_origins(request: Request) -> HTTPResponse | None:
    """A page of an origin that may not embed the widget gets 403, before anything runs."""
    if widget_origin_allowed(request, _allowed_origins(request)):
        return None
    return json({"error": "forbidden_origin", "reason": "this origin may not use the chat"}, 403)


@buyer_rest.middleware("response")
async def allow_listed_origins(request: Request, response: HTTPResponse) -> None:
    """CORS for the widget's pages on other origins."""
    add_cors_headers(request, response, _allowed_origins(request))


@buyer_rest.route("/conversations", methods=["OPTIONS"], name="preflight_create")
@buyer_rest.route(
    "/conversations/<conversation_id:str>/messages", methods=["OPTIONS"], name="preflight_messages"
)
@buyer_rest.route(
    "/conversations/<conversation_id:str>/callback", methods=["OPTIONS"], name="preflight_callback"
)
async def preflight(request: Request, conversation_id: str = "") -> HTTPResponse:
    """CORS preflight for JSON posts from an allowed origin."""
    return preflight_response(request, _allowed_origins(request))


def error_response(error: BadRequestError) -> HTTPResponse:
    """The JSON error response for ``error``; a polite notice rides along as ``replies``."""
    body = error_body(error)
    if error.buyer_notice:
        body["replies"] = [reply_frame(None, error.buyer_notice)]
    return json(body, status=HTTP_STATUS_BY_CODE.get(error.code, 400))


@buyer_rest.exception(BadRequestError)
async def _bad_request(_request: Request, error: BadRequestError) -> HTTPResponse:
    return error_response(error)


@buyer_rest.exception(UnknownConversationError)
async def _unknown_conversation(_request: Request, _error: Exception) -> HTTPResponse:
    # Same answer whether the id never existed or is simply not yours to know about.
    return error_response(bad_request(ErrorCode.NOT_FOUND, "no such conversation"))


@buyer_rest.exception(StorageError)
async def _storage_failed(_request: Request, _error: Exception) -> HTTPResponse:
    return error_response(bad_request(ErrorCode.UNAVAILABLE, "storage unavailable; retry later"))


@buyer_rest.post("/conversations")
async def create_conversation(request: Request) -> HTTPResponse:
    """Start a conversation: 201 ``{"conversation_id": ...}``."""
    conversation = await services_of(request).chat.open_conversation(None)
    return json({"conversation_id": conversation.id}, status=201)


@buyer_rest.post("/conversations/<conversation_id:str>/messages")
async def post_message(request: Request, conversation_id: str) -> HTTPResponse:
    """Send one buyer message: 200 ``{"message_id", "client_message_id", "replies": [...]}``."""
    message = parse_rest_message(request.body, request.headers.get("content-type"))
    turn = await services_of(request).chat.handle_buyer_message(
        conversation_id, message, channel="rest"
    )
    return json(
        {
            "message_id": turn.buyer_message.id,
            "client_message_id": turn.buyer_message.client_message_id,
            "replies": [reply_frame(reply) for reply in turn.replies],
            "handoff": turn.handoff_status,
        }
    )


@buyer_rest.post("/conversations/<conversation_id:str>/callback")
async def leave_callback(request: Request, conversation_id: str) -> HTTPResponse:
    """``{"contact": "<phone>"}`` instead of waiting for an agent: a call-back is recorded."""
    body = json_body(request.body, request.headers.get("content-type"))
    contact = string_field(body, "contact", MAX_CONTACT_CHARS)
    services = services_of(request)
    await services.chat.history(conversation_id, 1)  # 404 for an unknown conversation
    try:
        stored = await services.desk.leave_callback(conversation_id, contact)
    except HandoffError as err:
        notice = services.messages.invalid_contact if err.code == "invalid_contact" else None
        code = ErrorCode.INVALID_FIELD if err.code == "invalid_contact" else ErrorCode.CONFLICT
        raise bad_request(code, err.reason, notice) from err
    return json({"replies": [reply_frame(m) for m in stored]})


@buyer_rest.get("/conversations/<conversation_id:str>/messages")
async def get_messages(request: Request, conversation_id: str) -> HTTPResponse:
    """The conversation's whole transcript; 404 for an unknown id."""
    history = await services_of(request).chat.history(conversation_id)
    return json(
        {"conversation_id": conversation_id, "messages": [history_item(m) for m in history]}
    )
