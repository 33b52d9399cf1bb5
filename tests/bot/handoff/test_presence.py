"""Presence across gateway processes: other processes' consoles are mirrored from their
snapshots, the best status of every console wins, and flips are reported once."""

from __future__ import annotations

from bot.handoff.models import Agent
from bot.handoff.presence import Presence, RemoteSeat

ALICE = Agent(1, "alice", "客服001", "agent", 3)
BOB = Agent(2, "bob", "客服002", "agent", 3)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def presence_with_log(clock: Clock) -> tuple[Presence, list[tuple[str, bool]]]:
    flips: list[tuple[str, bool]] = []

    async def on_change(agent: Agent, available: bool) -> None:
        flips.append((agent.username, available))

    return Presence(60, on_change, clock), flips


def seats(snapshot: list[dict]) -> list[RemoteSeat]:
    return [RemoteSeat.from_snapshot(seat) for seat in snapshot]


async def test_an_agent_on_another_process_is_available_here() -> None:
    clock = Clock()
    elsewhere, _ = presence_with_log(clock)
    here, flips = presence_with_log(clock)
    await elsewhere.connected(ALICE)
    await here.apply_remote("gateway-2", seats(elsewhere.snapshot()))
    assert [a.username for a in here.available_agents()] == ["alice"]
    assert here.status_of(ALICE.id) == "online"
    assert flips == [("alice", True)]
    await here.apply_remote("gateway-2", seats(elsewhere.snapshot()))  # the periodic one
    assert flips == [("alice", True)]  # no flip, no second report
    elsewhere.close()


async def test_the_best_status_of_every_console_wins() -> None:
    clock = Clock()
    here, flips = presence_with_log(clock)
    await here.connected(ALICE)
    await here.set_status(ALICE.id, "away")
    assert here.status_of(ALICE.id) == "away"
    await here.apply_remote("gateway-2", [RemoteSeat(ALICE, "online")])
    assert here.status_of(ALICE.id) == "online"
    await here.apply_remote("gateway-2", [])  # the other tab closed
    assert here.status_of(ALICE.id) == "away"
    assert flips == [("alice", True), ("alice", False), ("alice", True), ("alice", False)]
    here.close()


async def test_a_silent_process_is_forgotten_and_its_agents_go_offline() -> None:
    clock = Clock()
    here, flips = presence_with_log(clock)
    await here.apply_remote("gateway-2", [RemoteSeat(ALICE, "online"), RemoteSeat(BOB, "away")])
    clock.now += 5
    await here.expire_remote(max_age_s=7)
    assert here.status_of(BOB.id) == "away"
    clock.now += 5
    await here.expire_remote(max_age_s=7)
    assert here.status_of(ALICE.id) == here.status_of(BOB.id) == "offline"
    assert here.connected_agents() == []
    assert flips == [("alice", True), ("alice", False)]  # bob was never available


async def test_local_changes_are_announced_and_status_changes_relayed() -> None:
    here, _ = presence_with_log(Clock())
    announced: list[list[dict]] = []
    relayed: list[tuple[int, str]] = []

    async def announce() -> None:
        announced.append(here.snapshot())

    async def relay(agent_id: int, status: str) -> None:
        relayed.append((agent_id, status))

    here.on_local_change = announce
    here.relay_status = relay
    await here.connected(ALICE)
    await here.set_status(ALICE.id, "away")
    await here.set_status(BOB.id, "away")  # Bob's console is elsewhere: only relayed
    await here.disconnected(ALICE.id)
    assert [[seat["status"] for seat in snap] for snap in announced] == [["online"], ["away"], []]
    assert relayed == [(ALICE.id, "away"), (BOB.id, "away")]
    here.close()
