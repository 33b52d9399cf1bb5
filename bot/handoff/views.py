"""JSON views of handoffs for agents' consoles and the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.handoff.models import STAGE_WINDOW_MISSED, Agent, Handoff

STAGE_NAMES = {0: "assigned", 1: "offered_to_all", 2: "window_missed"}


def agent_view(agent: Agent | None) -> dict[str, Any] | None:
    """What others may see of an agent: id, work name, role (never the login)."""
    if agent is None:
        return None
    return {"id": agent.id, "work_name": agent.work_name, "role": agent.role}


def handoff_view(
    handoff: Handoff, agents: Mapping[int, Agent], now: datetime, position: int | None = None
) -> dict[str, Any]:
    """A handoff as the console shows it, with the seconds left in its 30-second window."""

    def agent(agent_id: int | None) -> dict[str, Any] | None:
        return agent_view(agents.get(agent_id)) if agent_id is not None else None

    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "state": handoff.state,
        "reason": handoff.reason,
        "sentiment": handoff.sentiment,
        "intent": handoff.intent,
        "slots": handoff.slots,
        "stage": STAGE_NAMES.get(handoff.stage, str(handoff.stage)),
        "triggered_at": handoff.triggered_at.isoformat(),
        "offer_all_at": handoff.offer_all_at.isoformat(),
        "window_ends_at": handoff.fallback_at.isoformat(),
        "seconds_waiting": round((now - handoff.triggered_at).total_seconds(), 1),
        "seconds_left": round((handoff.fallback_at - now).total_seconds(), 1),
        "assigned_agent": agent(handoff.assigned_agent_id),
        "accepted_by": agent(handoff.accepted_by),
        "accepted_at": handoff.accepted_at.isoformat() if handoff.accepted_at else None,
        "outcome": handoff.outcome,
        "position": position,
    }


def buyer_status(handoff: Handoff, agent: Agent | None, has_ticket: bool) -> dict[str, Any]:
    """The buyer's ``handoff`` frame: who they are talking with and what they may do.

    A call-back is offered once a ticket exists (nobody online) or the window is over.
    Only the agent's work name is shown, never personal details (E2).
    """
    mode = {"waiting": "waiting", "active": "human"}.get(handoff.state, "bot")
    late = handoff.stage >= STAGE_WINDOW_MISSED or has_ticket
    return {
        "type": "handoff",
        "mode": mode,
        "reason": handoff.reason,
        "stage": {0: "queued", 1: "queued", 2: "window_missed"}.get(handoff.stage),
        "agent": {"work_name": agent.work_name} if agent else None,
        "callback_offered": mode == "waiting" and late,
        "window_ends_at": handoff.fallback_at.isoformat(),
    }


def missed_window(handoff: Handoff, now: datetime) -> bool:
    """True when nobody accepted within the 30-second window (E3's promise broken)."""
    if handoff.accepted_at is not None:
        return handoff.accepted_at > handoff.fallback_at
    if handoff.ended_at is not None and handoff.ended_at <= handoff.fallback_at:
        return False  # the buyer left a number or the bot took back in time
    return handoff.stage >= STAGE_WINDOW_MISSED or now > handoff.fallback_at


def breach_view(handoff: Handoff) -> dict[str, Any]:
    """A handoff that missed its window, for the supervisor's list."""
    accepted = handoff.accepted_at
    return {
        "handoff_id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "reason": handoff.reason,
        "triggered_at": handoff.triggered_at.isoformat(),
        "accepted_at": accepted.isoformat() if accepted else None,
        "seconds_to_accept": round((accepted - handoff.triggered_at).total_seconds(), 1)
        if accepted
        else None,
        "outcome": handoff.outcome,
    }
