"""Which agents are online, away or gone, in this gateway process.

An agent is online while at least one console socket is open, they have not set
themselves away, and their heartbeats keep coming. When that stops (last socket closed,
"away", or no heartbeat for ``idle_after_s``) ``on_change`` is told, and the service
re-queues the handoffs offered to them but not yet accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.handoff.models import Agent

Status = Literal["online", "away"]
OnChange = Callable[[Agent, bool], Awaitable[None]]


@dataclass
class _Seat:
    agent: Agent
    sockets: int = 0
    status: Status = "online"
    idle: bool = False
    idle_timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def available(self) -> bool:
        return self.sockets > 0 and self.status == "online" and not self.idle


class Presence:
    """Agents' presence; ``on_change(agent, available)`` runs when availability flips."""

    def __init__(self, idle_after_s: float, on_change: OnChange) -> None:
        self._idle_after_s = idle_after_s
        self._on_change = on_change
        self._seats: dict[int, _Seat] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def connected(self, agent: Agent) -> None:
        """A console socket of ``agent`` opened."""
        seat = self._seats.setdefault(agent.id, _Seat(agent))
        seat.agent = agent
        await self.heartbeat(agent.id)
        await self._changing(seat, lambda: setattr(seat, "sockets", seat.sockets + 1))

    async def disconnected(self, agent_id: int) -> None:
        """A console socket of the agent closed."""
        seat = self._seats.get(agent_id)
        if seat is not None:
            await self._changing(seat, lambda: setattr(seat, "sockets", max(0, seat.sockets - 1)))

    async def set_status(self, agent_id: int, status: Status) -> None:
        """The agent chose online or away."""
        seat = self._seats.get(agent_id)
        if seat is not None:
            await self._changing(seat, lambda: setattr(seat, "status", status))

    async def heartbeat(self, agent_id: int) -> None:
        """The agent's console is alive: restart the idle clock (and wake an idle agent)."""
        seat = self._seats.get(agent_id)
        if seat is None:
            return
        if seat.idle_timer is not None:
            seat.idle_timer.cancel()
        loop = asyncio.get_running_loop()
        seat.idle_timer = loop.call_later(self._idle_after_s, self._went_idle, agent_id)
        if seat.idle:
            await self._changing(seat, lambda: setattr(seat, "idle", False))

    def status_of(self, agent_id: int) -> str:
        """``online``, ``away``, ``idle`` or ``offline``."""
        seat = self._seats.get(agent_id)
        if seat is None or seat.sockets == 0:
            return "offline"
        return "idle" if seat.idle else seat.status

    def available_agents(self) -> list[Agent]:
        """Agents who can take a chat now."""
        return [seat.agent for seat in self._seats.values() if seat.available]

    def connected_agents(self) -> list[Agent]:
        """Agents with a console open, whatever their status."""
        return [seat.agent for seat in self._seats.values() if seat.sockets > 0]

    def close(self) -> None:
        """Stop every idle clock."""
        for seat in self._seats.values():
            if seat.idle_timer is not None:
                seat.idle_timer.cancel()

    def _went_idle(self, agent_id: int) -> None:
        seat = self._seats.get(agent_id)
        if seat is not None and seat.sockets > 0:
            task = asyncio.get_running_loop().create_task(
                self._changing(seat, lambda: setattr(seat, "idle", True))
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _changing(self, seat: _Seat, change: Callable[[], None]) -> None:
        before = seat.available
        change()
        if seat.available != before:
            await self._on_change(seat.agent, seat.available)
