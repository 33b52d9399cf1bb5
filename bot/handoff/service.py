"""HandoffService: the queue, assignment and the 30-second window.

A handoff is created when Rasa's handoff action (or the gateway itself, when Rasa is
down) asks for a human. It is pushed at once to every online agent and assigned to the
least-loaded available agent with free capacity (oldest waiting first). One timer per
handoff drives the window: at ``offer_all_after_s`` it is offered to every agent and the
supervisors; at ``window_s`` the buyer is told honestly, may leave a contact for a
call-back, and a ticket is recorded. With nobody online the buyer is told at once.

State changes run under one lock. In one process it is an ``asyncio.Lock``; with several
gateway processes it is the cluster's queue lock (``bot.cluster.locks``), and every
process arms a timer for every waiting handoff (``rearm_waiting``): whichever fires first
moves the window on, by compare-and-set on the stored stage, so each stage happens once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.db import utcnow
from bot.errors import HandoffError
from bot.gateway.messages import GatewayMessages
from bot.gateway.models import BotReply, StoredMessage
from bot.gateway.store import ConversationStore
from bot.handoff.assignment import choose_agent, may_accept
from bot.handoff.models import (
    STAGE_OFFERED_TO_ALL,
    STAGE_WINDOW_MISSED,
    Agent,
    Handoff,
)
from bot.handoff.presence import Presence
from bot.handoff.settings import HandoffSettings
from bot.handoff.store import HandoffStore
from bot.handoff.timers import DeadlineTimers
from bot.handoff.views import buyer_status, handoff_view
from bot.text.chinese_script import to_traditional

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """How the service reaches people (the gateway's connection hub implements it)."""

    async def to_buyer_messages(
        self, conversation_id: str, messages: Sequence[StoredMessage]
    ) -> None:
        """Push stored transcript lines (agent messages, notices) to the buyer's sockets."""

    async def to_buyer(self, conversation_id: str, frame: dict[str, Any]) -> None:
        """Push one frame to the buyer's sockets."""

    async def to_agents(
        self, frame: dict[str, Any], agent_ids: Collection[int] | None = None
    ) -> None:
        """Push one frame to these agents' consoles (None: every connected agent)."""


@dataclass(frozen=True)
class HandoffRequest:
    """What asks for a human: the reason and the bot's knowledge of the conversation."""

    conversation_id: str
    reason: str
    triggered_at: datetime
    paused_after_seq: int
    trigger_message_id: int | None = None
    sentiment: dict[str, Any] | None = None
    intent: str | None = None
    slots: Mapping[str, Any] | None = None


class HandoffService:
    """Owns the queue and the clock of handoffs."""

    def __init__(
        self,
        store: HandoffStore,
        conversations: ConversationStore,
        notifier: Notifier,
        texts: GatewayMessages,
        shop_params: Mapping[str, str],
        settings: HandoffSettings,
        clock: Callable[[], datetime] = utcnow,
        lock: AbstractAsyncContextManager[object] | None = None,
    ) -> None:
        self.store = store
        self.conversations = conversations
        self.notifier = notifier
        self.texts = texts
        self.shop_params = dict(shop_params)
        self.settings = settings
        self.clock = clock
        self.timers = DeadlineTimers(clock)
        self.presence = Presence(settings.idle_after_s, self._availability_changed)
        self.lock = lock or asyncio.Lock()
        self._agents: dict[int, Agent] = {}

    # --- lifecycle ---

    async def start(self, requeue_offers: bool = True) -> None:
        """After a restart: nobody is connected yet, so offers not yet accepted go back to
        the queue (``requeue_offers``; with several processes ``requeue_stale_offers``
        does it once presence is known), and every waiting handoff's timer is re-armed
        with the time left."""
        self._agents = {a.id: a for a in await self.store.list_agents()}
        for handoff in await self.store.handoffs_in_state("waiting"):
            if requeue_offers and handoff.assigned_agent_id is not None:
                await self.store.update_handoff(handoff.id, assigned_agent_id=None)
                await self.store.add_event(handoff.id, "requeued", detail={"why": "restart"})
            self._arm(handoff)

    async def requeue_stale_offers(self) -> None:
        """Offers held for agents available nowhere (their gateway process stopped) go
        back to the queue, and the queue is offered again."""
        available = {agent.id for agent in self.presence.available_agents()}
        waiting = await self.store.handoffs_in_state("waiting")
        if all(h.assigned_agent_id in (None, *available) for h in waiting):
            return
        async with self.lock:
            for handoff in await self.store.handoffs_in_state("waiting"):
                agent_id = handoff.assigned_agent_id
                if agent_id is None or agent_id in available:
                    continue
                requeued = await self.store.update_handoff(
                    handoff.id, expect_state="waiting", assigned_agent_id=None
                )
                if requeued is not None:
                    await self.store.add_event(handoff.id, "requeued", agent_id, {"why": "gone"})
                    await self.broadcast(requeued, "requeued")
            await self.dispatch()

    async def rearm_waiting(self) -> None:
        """Arm a timer for every waiting handoff this process has none for (handoffs
        queued by other gateway processes, or by one that stopped)."""
        armed = self.timers.armed()
        for handoff in await self.store.handoffs_in_state("waiting"):
            if handoff.id not in armed:
                self._arm(handoff)

    async def close(self) -> None:
        """Disarm timers (their deadlines stay stored)."""
        await self.timers.close()
        self.presence.close()

    # --- requests ---

    async def request(self, request: HandoffRequest) -> tuple[Handoff, list[StoredMessage]]:
        """Queue a handoff (or find the one already open) and tell the buyer where it stands.

        Returns:
            The handoff and the notices stored for the buyer; the caller sends them after
            the bot's reply, with ``buyer_status``.
        """
        async with self.lock:
            handoff, created = await self.store.create_handoff(self._values(request))
            if not created:
                return handoff, []
            await self.store.add_event(
                handoff.id, "requested", detail={"reason": request.reason}, at=request.triggered_at
            )
            self._arm(handoff)
            await self.broadcast(handoff, "new")
            notices: list[StoredMessage] = []
            if not self.presence.available_agents() and not self._supervisors_online():
                notices = await self._record_ticket(
                    handoff, "no_agents", "handoff_no_agents", request.trigger_message_id
                )
            await self.dispatch()
        return await self._reload(handoff.id), notices

    def _values(self, request: HandoffRequest) -> dict[str, Any]:
        return {
            "conversation_id": request.conversation_id,
            "reason": request.reason,
            "sentiment": request.sentiment,
            "intent": request.intent,
            "slots": dict(request.slots or {}),
            "trigger_message_id": request.trigger_message_id,
            "paused_after_seq": request.paused_after_seq,
            "triggered_at": request.triggered_at,
            "offer_all_at": request.triggered_at
            + timedelta(seconds=self.settings.offer_all_after_s),
            "fallback_at": request.triggered_at + timedelta(seconds=self.settings.window_s),
            "stage": 0,
            "declined_by": [],
        }

    # --- assignment ---

    async def dispatch(self) -> None:
        """Offer waiting, unassigned handoffs (oldest first) to available agents."""
        loads = await self.loads()
        for handoff in await self.store.handoffs_in_state("waiting"):
            if handoff.assigned_agent_id is not None:
                continue
            agent = choose_agent(self.presence.available_agents(), loads, handoff.declined_by)
            if agent is None:
                continue
            loads[agent.id] = loads.get(agent.id, 0) + 1
            updated = await self.store.update_handoff(
                handoff.id, expect_state="waiting", assigned_agent_id=agent.id
            )
            if updated is not None:
                await self.store.add_event(handoff.id, "assigned", agent.id)
                await self.broadcast(updated, "assigned")

    async def loads(self) -> dict[int, int]:
        loads: dict[int, int] = {}
        for handoff in await self.store.handoffs_in_state("waiting"):
            if handoff.assigned_agent_id is not None:
                loads[handoff.assigned_agent_id] = loads.get(handoff.assigned_agent_id, 0) + 1
        for handoff in await self.store.handoffs_in_state("active"):
            if handoff.accepted_by is not None:
                loads[handoff.accepted_by] = loads.get(handoff.accepted_by, 0) + 1
        return loads

    async def load_of(self, agent_id: int) -> int:
        """How many chats the agent holds or has been offered."""
        return (await self.loads()).get(agent_id, 0)

    async def accept(self, handoff_id: int, agent: Agent) -> Handoff:
        """The agent takes the conversation; the buyer is greeted in the agent's name (E12).

        Raises:
            HandoffError: not found / already taken / offered to someone else / agent full.
        """
        async with self.lock:
            handoff = await self._waiting(handoff_id)
            if not may_accept(handoff, agent):
                raise HandoffError(
                    "this conversation is offered to another agent for now", "not_yours"
                )
            if not agent.is_supervisor and await self._is_full(agent, handoff):
                raise HandoffError("you already hold your maximum of chats", "full")
            now = self.clock()
            accepted = await self.store.update_handoff(
                handoff_id,
                expect_state="waiting",
                state="active",
                accepted_by=agent.id,
                accepted_at=now,
                assigned_agent_id=agent.id,
            )
            if accepted is None:
                raise HandoffError("another agent has just taken this conversation", "taken")
            self.timers.cancel(handoff_id)
            await self.store.add_event(
                handoff_id,
                "accepted",
                agent.id,
                {"seconds": round((now - handoff.triggered_at).total_seconds(), 3)},
            )
            await self.store.set_mode(handoff.conversation_id, "human", handoff_id)
            if await self.store.ticket_for(handoff_id) is not None:
                await self.store.update_ticket(handoff_id, status="chat_accepted")
            await self.broadcast(accepted, "accepted")
        await self.notifier.to_buyer(accepted.conversation_id, self.buyer_status(accepted, agent))
        await self.notify_buyer(
            accepted, "agent", "agent_greeting", agent, work_name=agent.work_name
        )
        return accepted

    async def _is_full(self, agent: Agent, handoff: Handoff) -> bool:
        load = await self.load_of(agent.id)
        if handoff.assigned_agent_id == agent.id:
            load -= 1  # the offer being accepted already counts
        return load >= agent.max_chats

    async def decline(self, handoff_id: int, agent: Agent) -> Handoff:
        """The agent passes: the handoff goes to the next available agent.

        Raises:
            HandoffError: not found, not waiting, or not offered to this agent.
        """
        async with self.lock:
            handoff = await self._waiting(handoff_id)
            if handoff.assigned_agent_id != agent.id:
                raise HandoffError("only the agent it is offered to can decline it", "not_yours")
            declined = await self.store.update_handoff(
                handoff_id,
                expect_state="waiting",
                assigned_agent_id=None,
                declined_by=sorted({*handoff.declined_by, agent.id}),
            )
            if declined is None:
                raise HandoffError("this conversation was just taken", "taken")
            await self.store.add_event(handoff_id, "declined", agent.id)
            await self.broadcast(declined, "declined")
            await self.dispatch()
        return await self._reload(handoff_id)

    async def _availability_changed(self, agent: Agent, available: bool) -> None:
        self._agents[agent.id] = agent
        async with self.lock:
            if not available:
                await self._requeue_offers_of(agent)
            await self.dispatch()

    async def _requeue_offers_of(self, agent: Agent) -> None:
        for handoff in await self.store.handoffs_in_state("waiting"):
            if handoff.assigned_agent_id == agent.id:
                requeued = await self.store.update_handoff(
                    handoff.id, expect_state="waiting", assigned_agent_id=None
                )
                if requeued is not None:
                    await self.store.add_event(handoff.id, "requeued", agent.id, {"why": "away"})
                    await self.broadcast(requeued, "requeued")

    # --- the 30-second window ---

    def _arm(self, handoff: Handoff) -> None:
        deadline = handoff.next_deadline()
        if deadline is not None:
            self.timers.arm(handoff.id, deadline, lambda: self._stage_due(handoff.id))

    async def _stage_due(self, handoff_id: int) -> None:
        async with self.lock:
            handoff = await self.store.get_handoff(handoff_id)
            if handoff is None or handoff.state != "waiting":
                return
            deadline = handoff.next_deadline()
            if deadline is None or deadline > self.clock():
                # Another process moved the window on first; wait for the next stage.
                self._arm(handoff)
                return
            if handoff.stage < STAGE_OFFERED_TO_ALL:
                moved = await self._offer_to_all(handoff)
                handoff = moved or handoff
            else:
                moved, notices = await self._window_missed(handoff)
                handoff = moved or handoff
                if notices:
                    await self.notifier.to_buyer_messages(handoff.conversation_id, notices)
                    await self.notifier.to_buyer(
                        handoff.conversation_id, self.buyer_status(handoff)
                    )
            self._arm(handoff)

    async def _offer_to_all(self, handoff: Handoff) -> Handoff | None:
        updated = await self._next_stage(handoff, STAGE_OFFERED_TO_ALL)
        if updated is None:
            return None
        await self.store.add_event(handoff.id, "offered_to_all")
        await self.broadcast(updated, "offered_to_all")
        return updated

    async def _window_missed(self, handoff: Handoff) -> tuple[Handoff | None, list[StoredMessage]]:
        updated = await self._next_stage(handoff, STAGE_WINDOW_MISSED)
        if updated is None:
            return None, []
        await self.store.add_event(handoff.id, "window_missed")
        await self.broadcast(updated, "window_missed")
        if await self.store.ticket_for(handoff.id) is not None:
            return updated, []  # the buyer already knows nobody was online
        notices = await self._record_ticket(updated, "window_missed", "handoff_window_missed")
        return updated, notices

    async def _next_stage(self, handoff: Handoff, stage: int) -> Handoff | None:
        """Move the window on from the stage ``handoff`` was read at; None if another
        process (or an accept) got there first."""
        return await self.store.update_handoff(
            handoff.id, expect_state="waiting", expect_stage=handoff.stage, stage=stage
        )

    async def _record_ticket(
        self, handoff: Handoff, reason: str, notice: str, in_reply_to: int | None = None
    ) -> list[StoredMessage]:
        ticket = await self.store.create_ticket(handoff, reason)
        await self.store.add_event(
            handoff.id, "ticket", detail={"ticket_id": ticket.id, "reason": reason}
        )
        return await self.conversations.add_replies(
            handoff.conversation_id,
            "system",
            [BotReply(await self.text_for(handoff.conversation_id, notice))],
            in_reply_to,
        )

    # --- helpers shared with the desk ---

    async def _waiting(self, handoff_id: int) -> Handoff:
        handoff = await self.store.get_handoff(handoff_id)
        if handoff is None:
            raise HandoffError("no such handoff", "not_found")
        if handoff.state != "waiting":
            raise HandoffError("this conversation is no longer waiting", "taken")
        return handoff

    async def _reload(self, handoff_id: int) -> Handoff:
        handoff = await self.store.get_handoff(handoff_id)
        assert handoff is not None  # handoffs are never deleted
        return handoff

    def _supervisors_online(self) -> bool:
        return any(a.is_supervisor for a in self.presence.available_agents())

    def text(self, name: str, **params: str) -> str:
        """A buyer-facing text from messages.yml with the shop's facts filled in."""
        return self.texts.render(name, **{**self.shop_params, **params})

    async def text_for(self, conversation_id: str, name: str, **params: str) -> str:
        """``text`` in the script the buyer writes (Traditional buyers read Traditional)."""
        return await self.in_buyer_script(conversation_id, self.text(name, **params))

    async def in_buyer_script(self, conversation_id: str, text: str) -> str:
        """``text`` converted to Traditional when the buyer writes Traditional."""
        conversation = await self.conversations.get_conversation(conversation_id)
        if conversation is not None and conversation.script == "traditional":
            return await asyncio.to_thread(to_traditional, text)
        return text

    async def notify_buyer(
        self, handoff: Handoff, sender: str, name: str, agent: Agent | None = None, **params: str
    ) -> list[StoredMessage]:
        """Store a text for the buyer (from messages.yml) and push it to their sockets."""
        custom = {"agent": {"work_name": agent.work_name}} if agent is not None else None
        stored = await self.conversations.add_replies(
            handoff.conversation_id,
            sender,
            [BotReply(await self.text_for(handoff.conversation_id, name, **params), custom=custom)],
            None,  # type: ignore[arg-type]
        )
        await self.notifier.to_buyer_messages(handoff.conversation_id, stored)
        return stored

    async def broadcast(self, handoff: Handoff, event: str) -> None:
        """Tell every connected agent that ``handoff`` changed (``event`` says how)."""
        await self.notifier.to_agents(
            {"type": "handoff", "event": event, "handoff": await self.view(handoff)}
        )

    async def agent(self, agent_id: int | None) -> Agent | None:
        """An agent by id (cached; agents are few)."""
        if agent_id is None:
            return None
        if agent_id not in self._agents:
            found = await self.store.get_agent(agent_id)
            if found is not None:
                self._agents[agent_id] = found
        return self._agents.get(agent_id)

    async def view(self, handoff: Handoff) -> dict[str, Any]:
        """The console's view of a handoff."""
        for agent_id in (handoff.assigned_agent_id, handoff.accepted_by):
            await self.agent(agent_id)
        return handoff_view(handoff, self._agents, self.clock(), await self.position(handoff))

    async def queue_views(self) -> dict[str, list[dict[str, Any]]]:
        """The console's queue: waiting handoffs and those with a person, oldest first."""
        waiting = await self.store.handoffs_in_state("waiting")
        active = await self.store.handoffs_in_state("active")
        return {
            "waiting": [await self.view(h) for h in waiting],
            "active": [await self.view(h) for h in active],
        }

    async def position(self, handoff: Handoff) -> int | None:
        """The handoff's place in the queue (1 = next), or None when it is not waiting."""
        if handoff.state != "waiting":
            return None
        waiting = await self.store.handoffs_in_state("waiting")
        return next((i for i, h in enumerate(waiting, 1) if h.id == handoff.id), None)

    async def current_status(self, conversation_id: str) -> dict[str, Any] | None:
        """The buyer's ``handoff`` frame while a person is involved, else None."""
        handoff = await self.store.open_handoff_for(conversation_id)
        if handoff is None:
            return None
        has_ticket = await self.store.ticket_for(handoff.id) is not None
        return self.buyer_status(handoff, await self.agent(handoff.accepted_by), has_ticket)

    def buyer_status(
        self, handoff: Handoff, agent: Agent | None = None, has_ticket: bool = False
    ) -> dict[str, Any]:
        """The buyer's ``handoff`` frame (see ``views.buyer_status``)."""
        return buyer_status(handoff, agent, has_ticket)
