"""The gateway's own buyer-facing texts load, and follow the etiquette rules a machine can check."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.gateway.messages import GatewayMessages, load_messages

BLUNT_WORDS = ("不行", "不能", "不知道", "没有")  # E5


def all_texts(messages: GatewayMessages) -> list[str]:
    return [getattr(messages, f.name) for f in fields(GatewayMessages)]


def test_texts_are_polite() -> None:
    messages = load_messages()
    for text in all_texts(messages):
        assert "你" not in text, f"E1: address the buyer as 您: {text}"
        assert not any(word in text for word in BLUNT_WORDS), f"E5: {text}"
    assert messages.empty_message == (
        "请问有什么可以帮您的呢？您可以问我库存、尺码、物流、退换货和优惠哦。"
    )


def test_too_long_notice_names_the_limit() -> None:
    assert "1000" in load_messages().too_long_notice(1000)


def test_missing_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "messages.yml"
    path.write_text("empty_message: 您好\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="too_long"):
        load_messages(path)
