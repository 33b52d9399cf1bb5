"""ConnectionHub: the open buyer and agent sockets of this process, by conversation and agent.

It is the handoff service's Notifier: frames pushed to a conversation reach every socket
the buyer has open for it (two tabs, a reconnect), frames for agents reach their consoles.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

from bot.gateway.models import StoredMessage
from bot.gateway.protocol import pushed_message_frame


class FrameSink(Protocol):
    """An open socket that takes JSON frames."""

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one frame (a closed socket is not an error)."""


@runtime_checkable
class SessionSink(FrameSink, Protocol):
    """An agent's console socket, opened with a login session."""

    session: str

    async def end(self) -> None:
        """Close the socket: its session ended."""


class ConnectionHub:
    """Registry of open sockets; implements ``bot.handoff.service.Notifier``."""

    def __init__(self) -> None:
        self._buyers: dict[str, set[FrameSink]] = defaultdict(set)
        self._agents: dict[int, set[FrameSink]] = defaultdict(set)
        self._finishing: set[asyncio.Task[None]] = set()

    def keep(self, task: asyncio.Task[None]) -> None:
        """Hold a closed socket's finishing task until it is done (asyncio keeps only weak
        references to tasks, and a pending one nobody holds may be collected)."""
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    def add_buyer(self, conversation_id: str, sink: FrameSink) -> None:
        """Register a buyer socket."""
        self._buyers[conversation_id].add(sink)

    def remove_buyer(self, conversation_id: str, sink: FrameSink) -> None:
        """Forget a buyer socket."""
        self._buyers[conversation_id].discard(sink)
        if not self._buyers[conversation_id]:
            del self._buyers[conversation_id]

    def add_agent(self, agent_id: int, sink: FrameSink) -> None:
        """Register an agent's console socket."""
        self._agents[agent_id].add(sink)

    def remove_agent(self, agent_id: int, sink: FrameSink) -> None:
        """Forget an agent's console socket."""
        self._agents[agent_id].discard(sink)
        if not self._agents[agent_id]:
            del self._agents[agent_id]

    async def end_session(self, agent_id: int, session: str) -> None:
        """Close the agent's consoles that were opened with ``session`` (logged out)."""
        for sink in list(self._agents.get(agent_id, ())):
            if isinstance(sink, SessionSink) and sink.session == session:
                await sink.end()

    async def to_buyer(self, conversation_id: str, frame: dict[str, Any]) -> None:
        """Push a frame to every socket of the conversation."""
        for sink in list(self._buyers.get(conversation_id, ())):
            await sink.send_frame(frame)

    async def to_buyer_messages(
        self, conversation_id: str, messages: Sequence[StoredMessage]
    ) -> None:
        """Push stored agent messages and notices to the buyer."""
        for message in messages:
            await self.to_buyer(conversation_id, pushed_message_frame(message))

    async def to_agents(
        self, frame: dict[str, Any], agent_ids: Collection[int] | None = None
    ) -> None:
        """Push a frame to these agents (None: every connected agent)."""
        targets = self._agents.keys() if agent_ids is None else agent_ids
        for agent_id in list(targets):
            for sink in list(self._agents.get(agent_id, ())):
                await sink.send_frame(frame)
