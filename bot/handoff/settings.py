"""The handoff's knobs, read from the environment by ``bot.settings.Settings``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandoffSettings:
    """Timing and capacity of the handoff to humans."""

    offer_all_after_s: float = 15.0  # not accepted by then: alert every agent and supervisor
    window_s: float = 30.0  # not accepted by then: tell the buyer honestly, record a ticket
    max_chats: int = 3  # concurrent chats per agent (default for new agents)
    idle_after_s: float = 45.0  # no console heartbeat for this long: the agent is idle
    session_hours: float = 12.0  # agent login lifetime
