"""Unit tests for parsing inbound buyer frames and REST bodies."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.errors import BadRequestError
from bot.gateway.models import Button, StoredMessage
from bot.gateway.protocol import (
    BuyerText,
    Ping,
    history_item,
    parse_rest_message,
    parse_ws_frame,
    reply_frame,
)


def error_code(call, *args) -> str:
    with pytest.raises(BadRequestError) as caught:
        call(*args)
    assert caught.value.reason
    return caught.value.code


def test_message_frame_parses_text_and_client_id() -> None:
    frame = parse_ws_frame('{"type": "message", "text": "有货吗", "client_message_id": "a1"}')
    assert frame == BuyerText("有货吗", "a1")


def test_ping_frame() -> None:
    assert parse_ws_frame('{"type": "ping"}') == Ping()


def test_text_is_kept_verbatim_for_chat_service_to_judge() -> None:
    assert parse_ws_frame('{"type": "message", "text": "  "}') == BuyerText("  ")
    assert parse_ws_frame('{"type": "message", "text": "<b>x</b>"}') == BuyerText("<b>x</b>")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\xfe\xfa", "binary_not_supported"),
        (b'{"type": "ping"}', "binary_not_supported"),
        ("{oops", "invalid_json"),
        ("", "invalid_json"),
        ("[" * 100_000, "invalid_json"),
        ("[1, 2]", "not_an_object"),
        ('"text"', "not_an_object"),
        ("{}", "unknown_type"),
        ('{"type": "typing"}', "unknown_type"),
        ('{"type": "message"}', "missing_text"),
        ('{"type": "message", "text": 5}', "missing_text"),
        ('{"type": "message", "text": "hi", "client_message_id": 5}', "invalid_field"),
        ('{"type": "message", "text": "hi", "client_message_id": ""}', "invalid_field"),
        ('{"type": "message", "text": "\\udc00"}', "invalid_utf8"),
    ],
)
def test_bad_ws_frames(data: str | bytes, code: str) -> None:
    assert error_code(parse_ws_frame, data) == code


def test_rest_body_parses_with_charset_parameter() -> None:
    body = '{"text": "請問", "client_message_id": "c"}'.encode()
    parsed = parse_rest_message(body, "application/json; charset=utf-8")
    assert parsed == BuyerText("請問", "c")


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b'{"text": "hi"}', "text/plain", "unsupported_media_type"),
        (b'{"text": "hi"}', None, "unsupported_media_type"),
        (b'{"text": "\xff\xfe\xfa"}', "application/json", "invalid_utf8"),
        (b"{", "application/json", "invalid_json"),
        (b"[]", "application/json", "not_an_object"),
        (b'{"msg": "hi"}', "application/json", "missing_text"),
    ],
)
def test_bad_rest_bodies(body: bytes, content_type: str | None, code: str) -> None:
    assert error_code(parse_rest_message, body, content_type) == code


def test_outbound_frames_have_the_documented_shape() -> None:
    message = StoredMessage(
        id=7,
        conversation_id="c",
        seq=2,
        sender="bot",
        text="您好",
        buttons=(Button("查库存", "/ask_stock"),),
        custom=None,
        client_message_id=None,
        in_reply_to=6,
        created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
    )
    assert reply_frame(message) == {
        "type": "bot",
        "text": "您好",
        "buttons": [{"title": "查库存", "payload": "/ask_stock"}],
        "custom": None,
        "message_id": 7,
    }
    assert history_item(message)["created_at"] == "2025-01-01T00:00:00+00:00"
    assert reply_frame(None, "提示")["message_id"] is None
