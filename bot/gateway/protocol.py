"""The buyer protocol: parse inbound WebSocket frames and REST bodies, render outbound JSON.

Parsing raises BadRequestError with a stable ``code`` and an English ``reason``; it checks
structure only. Whether a text is acceptable (blank, too long) is ChatService's decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.errors import BadRequestError
from bot.gateway.models import StoredMessage

MAX_CLIENT_MESSAGE_ID_CHARS = 128
JSON_MEDIA_TYPE = "application/json"


class ErrorCode(str, Enum):
    """Machine-readable error codes shared by WebSocket error frames and REST errors."""

    INVALID_JSON = "invalid_json"
    INVALID_UTF8 = "invalid_utf8"
    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_TYPE = "unknown_type"
    MISSING_TEXT = "missing_text"
    INVALID_FIELD = "invalid_field"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    BINARY_NOT_SUPPORTED = "binary_not_supported"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    CONFLICT = "conflict"


def bad_request(code: ErrorCode, reason: str, buyer_notice: str | None = None) -> BadRequestError:
    """A BadRequestError carrying ``code``'s string value."""
    return BadRequestError(reason, code=code.value, buyer_notice=buyer_notice)


@dataclass(frozen=True)
class BuyerText:
    """A buyer's message: raw text (not yet validated) and the client's optional id."""

    text: str
    client_message_id: str | None = None


@dataclass(frozen=True)
class Ping:
    """A keep-alive from the client; answered with a pong."""


@dataclass(frozen=True)
class CallbackRequest:
    """The buyer leaves a phone number instead of waiting for an agent."""

    contact: str


InboundFrame = BuyerText | Ping | CallbackRequest
MAX_CONTACT_CHARS = 40


def parse_ws_frame(data: str | bytes) -> InboundFrame:
    """Parse one WebSocket message (text frames carry JSON; binary frames are refused).

    Raises:
        BadRequestError: codes binary_not_supported, invalid_json, not_an_object,
            unknown_type, missing_text, invalid_field, invalid_utf8 (lone surrogates).
    """
    if not isinstance(data, str):
        raise bad_request(ErrorCode.BINARY_NOT_SUPPORTED, "send JSON in text frames, not binary")
    frame = _json_object(data)
    frame_type = frame.get("type")
    if frame_type == "ping":
        return Ping()
    if frame_type == "message":
        return _buyer_text(frame)
    if frame_type == "callback":
        return CallbackRequest(string_field(frame, "contact", MAX_CONTACT_CHARS))
    if frame_type is None:
        raise bad_request(ErrorCode.UNKNOWN_TYPE, "the frame has no 'type'")
    raise bad_request(
        ErrorCode.UNKNOWN_TYPE,
        f"unknown frame type {str(frame_type)[:40]!r}; use message, callback or ping",
    )


def parse_rest_message(body: bytes, content_type: str | None) -> BuyerText:
    """Parse the body of ``POST /api/conversations/<id>/messages``.

    Raises:
        BadRequestError: codes unsupported_media_type, invalid_utf8, invalid_json,
            not_an_object, missing_text, invalid_field.
    """
    return _buyer_text(json_body(body, content_type))


def json_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """A REST request's JSON object body.

    Raises:
        BadRequestError: codes unsupported_media_type, invalid_utf8, invalid_json,
            not_an_object.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise bad_request(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"send the body as {JSON_MEDIA_TYPE} (UTF-8)"
        )
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise bad_request(ErrorCode.INVALID_UTF8, "the body is not valid UTF-8") from err
    return _json_object(decoded)


def string_field(obj: dict[str, Any], name: str, max_chars: int, required: bool = True) -> str:
    """A string field of a JSON body, stripped and checked for length and valid Unicode.

    Raises:
        BadRequestError: codes missing_text (absent or not a string, when required),
            empty, too_long, invalid_utf8.
    """
    value = obj.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad_request(ErrorCode.MISSING_TEXT, f"'{name}' must be a string")
    _require_encodable(value, name)
    value = value.strip()
    if required and not value:
        raise bad_request(ErrorCode.EMPTY, f"'{name}' is empty")
    if len(value) > max_chars:
        raise bad_request(ErrorCode.TOO_LONG, f"'{name}' is longer than {max_chars} characters")
    return value


def _json_object(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as err:  # RecursionError: absurdly deep nesting
        raise bad_request(ErrorCode.INVALID_JSON, "the data is not valid JSON") from err
    if not isinstance(value, dict):
        raise bad_request(ErrorCode.NOT_AN_OBJECT, "the JSON must be an object")
    return value


def _buyer_text(obj: dict[str, Any]) -> BuyerText:
    text = obj.get("text")
    if text is None:
        raise bad_request(ErrorCode.MISSING_TEXT, "the message needs a 'text' string")
    if not isinstance(text, str):
        raise bad_request(ErrorCode.MISSING_TEXT, "'text' must be a string")
    _require_encodable(text, "text")
    client_message_id = obj.get("client_message_id")
    if client_message_id is not None and (
        not isinstance(client_message_id, str)
        or not 0 < len(client_message_id) <= MAX_CLIENT_MESSAGE_ID_CHARS
    ):
        raise bad_request(
            ErrorCode.INVALID_FIELD,
            f"'client_message_id' must be a string of 1 to {MAX_CLIENT_MESSAGE_ID_CHARS} chars",
        )
    if client_message_id is not None:
        _require_encodable(client_message_id, "client_message_id")
    return BuyerText(text=text, client_message_id=client_message_id)


def _require_encodable(value: str, field: str) -> None:
    # JSON escapes can smuggle in lone surrogates, which no database or browser can store.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise bad_request(
            ErrorCode.INVALID_UTF8, f"'{field}' contains characters that are not valid Unicode"
        ) from err


def reply_frame(message: StoredMessage | None, text: str | None = None) -> dict[str, Any]:
    """A ``bot`` frame for a stored reply, or for an unstored notice (``message_id`` null)."""
    if message is None:
        return {"type": "bot", "text": text, "buttons": [], "custom": None, "message_id": None}
    return {
        "type": "bot",
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "custom": message.custom,
        "message_id": message.id,
    }


def pushed_message_frame(message: StoredMessage) -> dict[str, Any]:
    """A frame for a line the buyer did not ask for: an ``agent`` message or a ``notice``."""
    frame = {
        "type": "agent" if message.sender == "agent" else "notice",
        "text": message.text,
        "message_id": message.id,
    }
    if message.sender == "agent":
        frame["agent"] = (message.custom or {}).get("agent")
    return frame


def history_item(message: StoredMessage) -> dict[str, Any]:
    """One transcript line as JSON (welcome frame history and REST history)."""
    return {
        "message_id": message.id,
        "seq": message.seq,
        "sender": message.sender,
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "custom": message.custom,
        "client_message_id": message.client_message_id,
        "created_at": message.created_at.isoformat(),
    }


def welcome_frame(conversation_id: str, history: list[StoredMessage]) -> dict[str, Any]:
    """The first frame on every buyer socket."""
    return {
        "type": "welcome",
        "conversation_id": conversation_id,
        "history": [history_item(m) for m in history],
    }


def ack_frame(client_message_id: str | None, message_id: int) -> dict[str, Any]:
    """Confirms that a buyer message is stored."""
    return {"type": "ack", "client_message_id": client_message_id, "message_id": message_id}


def turn_end_frame(client_message_id: str | None, replies: int) -> dict[str, Any]:
    """Says that every reply to a buyer message has been sent (ends a typing indicator)."""
    return {"type": "turn_end", "client_message_id": client_message_id, "replies": replies}


def error_frame(error: BadRequestError) -> dict[str, Any]:
    """A WebSocket error frame; the socket stays open."""
    return {"type": "error", "code": error.code, "reason": error.reason}


def error_body(error: BadRequestError) -> dict[str, Any]:
    """A REST error body."""
    return {"error": error.code, "reason": error.reason}
