"""Plain value types of the handoff domain (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Role = Literal["agent", "supervisor", "trainer"]
Mode = Literal["bot", "waiting", "human", "closed"]
HandoffState = Literal["waiting", "active", "ended"]
ROLES: tuple[Role, ...] = ("agent", "supervisor", "trainer")

# Stages of the 30-second window, in order.
STAGE_ASSIGNED = 0
STAGE_OFFERED_TO_ALL = 1
STAGE_WINDOW_MISSED = 2


@dataclass(frozen=True)
class Agent:
    """A person who answers buyers; ``work_name`` (e.g. 客服008) is all a buyer sees."""

    id: int
    username: str
    work_name: str
    role: Role
    max_chats: int
    disabled: bool = False

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see every alert and may take over any conversation."""
        return self.role == "supervisor"

    @property
    def takes_chats(self) -> bool:
        """Agents and supervisors talk to buyers; trainers only read."""
        return self.role != "trainer"


@dataclass(frozen=True)
class Handoff:
    """One request for a human, from the trigger to its end."""

    id: int
    conversation_id: str
    state: HandoffState
    reason: str
    sentiment: dict[str, Any] | None
    intent: str | None
    slots: dict[str, Any]
    trigger_message_id: int | None
    paused_after_seq: int
    triggered_at: datetime
    offer_all_at: datetime
    fallback_at: datetime
    stage: int
    assigned_agent_id: int | None
    declined_by: tuple[int, ...]
    accepted_by: int | None
    accepted_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    note: str | None

    def next_deadline(self) -> datetime | None:
        """When the window's next stage is due, or None when none is left."""
        if self.state != "waiting":
            return None
        if self.stage == STAGE_ASSIGNED:
            return self.offer_all_at
        if self.stage == STAGE_OFFERED_TO_ALL:
            return self.fallback_at
        return None


@dataclass(frozen=True)
class HandoffEvent:
    """A timestamped step of a handoff (requested, assigned, offered_to_all, accepted …)."""

    kind: str
    at: datetime
    agent_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class Ticket:
    """A handoff nobody could take in time: a call-back is owed."""

    id: int
    handoff_id: int
    conversation_id: str
    reason: str
    created_at: datetime
    status: str
    contact: str | None


@dataclass(frozen=True)
class ConversationMode:
    """Who is talking with the buyer now, and whether Rasa must be resumed first."""

    conversation_id: str
    mode: Mode
    handoff_id: int | None = None
    resume_after_seq: int | None = None
