"""ClusterHub: the connection hub of one gateway process among several.

A frame for a buyer or for agents is delivered to this process's sockets at once and
published for the other processes, which deliver it to theirs: a buyer on gateway A and
the agent on gateway B still hear each other.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.cluster.bus import RedisBus
from bot.gateway.hub import ConnectionHub

BUYER_TOPIC = "buyer"
AGENTS_TOPIC = "agents"
SESSION_ENDED_TOPIC = "session_ended"


class ClusterHub(ConnectionHub):
    """A ``ConnectionHub`` whose pushes reach every gateway process."""

    def __init__(self, bus: RedisBus) -> None:
        super().__init__()
        self._bus = bus
        bus.on(BUYER_TOPIC, self._from_bus_to_buyer)
        bus.on(AGENTS_TOPIC, self._from_bus_to_agents)
        bus.on(SESSION_ENDED_TOPIC, self._from_bus_session_ended)

    async def to_buyer(self, conversation_id: str, frame: dict[str, Any]) -> None:
        """Push a frame to every socket of the conversation, in every process."""
        await super().to_buyer(conversation_id, frame)
        await self._bus.publish(BUYER_TOPIC, {"conversation_id": conversation_id, "frame": frame})

    async def to_agents(
        self, frame: dict[str, Any], agent_ids: Collection[int] | None = None
    ) -> None:
        """Push a frame to these agents (None: every connected agent), in every process."""
        await super().to_agents(frame, agent_ids)
        ids = None if agent_ids is None else sorted(agent_ids)
        await self._bus.publish(AGENTS_TOPIC, {"frame": frame, "agent_ids": ids})

    async def end_session(self, agent_id: int, session: str) -> None:
        """Close the consoles of a session that was logged out, in every process."""
        await super().end_session(agent_id, session)
        await self._bus.publish(SESSION_ENDED_TOPIC, {"agent_id": agent_id, "session": session})

    async def _from_bus_to_buyer(self, _node: str, payload: dict[str, Any]) -> None:
        await super().to_buyer(str(payload["conversation_id"]), payload["frame"])

    async def _from_bus_to_agents(self, _node: str, payload: dict[str, Any]) -> None:
        ids = payload.get("agent_ids")
        await super().to_agents(payload["frame"], None if ids is None else [int(i) for i in ids])

    async def _from_bus_session_ended(self, _node: str, payload: dict[str, Any]) -> None:
        await super().end_session(int(payload["agent_id"]), str(payload["session"]))
