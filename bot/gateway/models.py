"""Plain value types shared by the gateway's modules (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Sender = Literal["buyer", "bot", "agent", "system"]
Script = Literal["simplified", "traditional"]
Channel = Literal["websocket", "rest"]


@dataclass(frozen=True)
class Button:
    """A quick-reply button: the buyer sees ``title``; clicking sends ``payload``."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """One reply to the buyer, whoever wrote it (Rasa or the gateway itself)."""

    text: str | None
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None


@dataclass(frozen=True)
class Conversation:
    """A buyer's conversation; ``id`` is unguessable and doubles as the buyer's key."""

    id: str
    created_at: datetime
    script: Script


@dataclass(frozen=True)
class StoredMessage:
    """One line of a conversation's transcript, as stored."""

    id: int
    conversation_id: str
    seq: int
    sender: Sender
    text: str | None
    buttons: tuple[Button, ...]
    custom: dict[str, Any] | None
    client_message_id: str | None
    in_reply_to: int | None
    created_at: datetime
