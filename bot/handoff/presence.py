"""Which agents are online, away or gone, across the gateway processes.

An agent is online while at least one console socket is open, they have not set
themselves away, and their heartbeats keep coming. This process keeps the seats of the
sockets it holds; with several gateway processes, each one's seats are mirrored here from
their snapshots (``apply_remote``), and a process that stops sending them is forgotten
(``expire_remote``). When an agent's availability flips, wherever it happened,
``on_change`` is told, and the service re-queues the handoffs offered to them but not
yet accepted (or offers waiting ones to them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.handoff.models import Agent

Status = Literal["online", "away"]
OnChange = Callable[[Agent, bool], Awaitable[None]]
# Best first: an agent online in one tab and away in another is online.
STATUS_ORDER = ("online", "idle", "away")


@dataclass
class _Seat:
    agent: Agent
    sockets: int = 0
    status: Status = "online"
    idle: bool = False
    idle_timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def connected(self) -> bool:
        return self.sockets > 0

    @property
    def shown_status(self) -> str:
        return "idle" if self.idle else self.status


@dataclass(frozen=True)
class RemoteSeat:
    """An agent's console on another gateway process, as that process last reported it."""

    agent: Agent
    status: str  # online | idle | away

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> RemoteSeat:
        """A seat from ``Presence.snapshot()``'s JSON."""
        return cls(Agent(**data["agent"]), str(data["status"]))


@dataclass
class _RemoteNode:
    seats: dict[int, RemoteSeat]
    seen_at: float


class Presence:
    """Agents' presence; ``on_change(agent, available)`` runs when availability flips."""

    def __init__(
        self,
        idle_after_s: float,
        on_change: OnChange,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._idle_after_s = idle_after_s
        self._on_change = on_change
        self._clock = clock or (lambda: asyncio.get_running_loop().time())
        self._seats: dict[int, _Seat] = {}
        self._remote: dict[str, _RemoteNode] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Told after every change of this process's seats (the cluster sends a snapshot).
        self.on_local_change: Callable[[], Awaitable[None]] | None = None
        # Asked to pass on a status change for an agent whose console is elsewhere.
        self.relay_status: Callable[[int, Status], Awaitable[None]] | None = None

    async def connected(self, agent: Agent) -> None:
        """A console socket of ``agent`` opened."""
        seat = self._seats.setdefault(agent.id, _Seat(agent))
        seat.agent = agent
        await self.heartbeat(agent.id)
        await self._changing([agent.id], lambda: setattr(seat, "sockets", seat.sockets + 1))

    async def disconnected(self, agent_id: int) -> None:
        """A console socket of the agent closed."""
        seat = self._seats.get(agent_id)
        if seat is not None:
            await self._changing(
                [agent_id], lambda: setattr(seat, "sockets", max(0, seat.sockets - 1))
            )

    async def set_status(self, agent_id: int, status: Status) -> None:
        """The agent chose online or away: every console of theirs, in every process."""
        await self.set_local_status(agent_id, status)
        if self.relay_status is not None:
            await self.relay_status(agent_id, status)

    async def set_local_status(self, agent_id: int, status: Status) -> None:
        """Set the status of the agent's consoles in this process."""
        seat = self._seats.get(agent_id)
        if seat is not None and seat.connected:
            await self._changing([agent_id], lambda: setattr(seat, "status", status))

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
            await self._changing([agent_id], lambda: setattr(seat, "idle", False))

    def status_of(self, agent_id: int) -> str:
        """``online``, ``away``, ``idle`` or ``offline`` (the best of every console)."""
        statuses = {seat.status for seat in self._remote_seats(agent_id)}
        seat = self._seats.get(agent_id)
        if seat is not None and seat.connected:
            statuses.add(seat.shown_status)
        return next((s for s in STATUS_ORDER if s in statuses), "offline")

    def available_agents(self) -> list[Agent]:
        """Agents who can take a chat now."""
        return [a for a in self.connected_agents() if self.status_of(a.id) == "online"]

    def connected_agents(self) -> list[Agent]:
        """Agents with a console open anywhere, whatever their status."""
        found = {s.agent.id: s.agent for n in self._remote.values() for s in n.seats.values()}
        found |= {seat.agent.id: seat.agent for seat in self._seats.values() if seat.connected}
        return list(found.values())

    def snapshot(self) -> list[dict[str, Any]]:
        """This process's open consoles, as JSON for the other processes."""
        return [
            {"agent": asdict(seat.agent), "status": seat.shown_status}
            for seat in self._seats.values()
            if seat.connected
        ]

    async def apply_remote(self, node: str, seats: Iterable[RemoteSeat]) -> None:
        """Another process's snapshot: mirror it, and tell ``on_change`` about flips."""
        new = {seat.agent.id: seat for seat in seats}
        old = self._remote.get(node)
        affected = [*new, *(old.seats if old else ())]
        await self._changing(
            affected, lambda: self._remote.__setitem__(node, _RemoteNode(new, self._clock()))
        )

    async def expire_remote(self, max_age_s: float) -> None:
        """Forget processes silent for ``max_age_s`` (stopped or cut off)."""
        now = self._clock()
        for node, mirror in list(self._remote.items()):
            if now - mirror.seen_at > max_age_s:
                await self._changing(list(mirror.seats), lambda n=node: self._remote.pop(n))

    def close(self) -> None:
        """Stop every idle clock."""
        for seat in self._seats.values():
            if seat.idle_timer is not None:
                seat.idle_timer.cancel()

    def _remote_seats(self, agent_id: int) -> list[RemoteSeat]:
        return [n.seats[agent_id] for n in self._remote.values() if agent_id in n.seats]

    def _agent(self, agent_id: int) -> Agent | None:
        seat = self._seats.get(agent_id)
        if seat is not None:
            return seat.agent
        return next((s.agent for s in self._remote_seats(agent_id)), None)

    def _went_idle(self, agent_id: int) -> None:
        seat = self._seats.get(agent_id)
        if seat is not None and seat.connected:
            task = asyncio.get_running_loop().create_task(
                self._changing([agent_id], lambda: setattr(seat, "idle", True))
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _changing(self, agent_ids: Iterable[int], change: Callable[[], object]) -> None:
        ids = set(agent_ids)
        before = {i: self.status_of(i) == "online" for i in ids}
        agents = {i: self._agent(i) for i in ids}
        local_before = self.snapshot()
        change()
        if self.on_local_change is not None and self.snapshot() != local_before:
            await self.on_local_change()
        for agent_id in sorted(ids):
            available = self.status_of(agent_id) == "online"
            agent = self._agent(agent_id) or agents[agent_id]
            if available != before[agent_id] and agent is not None:
                await self._on_change(agent, available)
