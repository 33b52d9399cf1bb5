"""AgentDesk: what happens in a conversation once it is with a human, and how it ends.

Agents' messages go to the buyer in real time and into the transcript; the buyer's
messages go to the agent. Handing back (or closing) returns the conversation to the bot:
what the buyer and the agent said meanwhile is appended to Rasa's tracker through its HTTP
API, followed by a resume, before the bot answers again. If Rasa is down at that moment,
the conversation keeps a ``resume_after_seq`` mark and the sync is retried before the
next message is sent to Rasa.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from bot.errors import HandoffError, UpstreamError
from bot.gateway.models import BotReply, StoredMessage
from bot.handoff.models import Agent, Handoff
from bot.handoff.service import HandoffService

log = logging.getLogger(__name__)

# A phone number or similar: digits with optional +, spaces, dashes; 5 to 20 digits.
CONTACT_PATTERN = re.compile(r"^\+?[\d\s-]{5,30}$")
MAX_NOTE_CHARS = 2000


class BotTracker(Protocol):
    """Rasa's tracker, as far as a hand-back needs it (RasaClient implements it)."""

    async def append_events(self, conversation_id: str, events: Sequence[dict[str, Any]]) -> None:
        """Append events to the conversation's tracker; raise UpstreamError when Rasa is down."""

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse of a text (intent, entities, sentiment); raise UpstreamError if down."""


def tracker_events(
    messages: Sequence[StoredMessage], parses: Mapping[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rasa events for what was said while a human had the conversation, then a resume.

    Buyer lines become user events with their parse (``parses`` by message id), agent
    lines bot events (marked with the agent's work name); the gateway's own notices are
    left out. The final ``action_listen`` lets the rules match the buyer's next message
    as usual; the resume makes the escalation policy count turns afresh.
    """
    events: list[dict[str, Any]] = []
    for message in messages:
        if message.sender == "buyer" and message.text:
            events.append(
                {
                    "event": "user",
                    "text": message.text,
                    "parse_data": parses[message.id],
                    "metadata": {"during_handoff": True, "message_id": message.id},
                }
            )
        elif message.sender == "agent" and message.text:
            agent = (message.custom or {}).get("agent") or {}
            events.append(
                {
                    "event": "bot",
                    "text": message.text,
                    "metadata": {"agent": agent.get("work_name")},
                }
            )
    return [*events, {"event": "resume"}, {"event": "action", "name": "action_listen"}]


class AgentDesk:
    """The agent's side of a conversation with a human."""

    def __init__(
        self,
        service: HandoffService,
        bot_tracker: BotTracker,
        redact: Callable[[str], str] = str,
    ) -> None:
        self._service = service
        self._bot_tracker = bot_tracker
        # Agents type personal data too (a buyer's number read back): it is never stored.
        self._redact = redact

    async def holding(self, conversation_id: str, agent: Agent) -> Handoff:
        """The active handoff of this conversation, if ``agent`` may act on it.

        Raises:
            HandoffError: no active handoff, or it belongs to another agent (supervisors
                may act on any).
        """
        handoff = await self._service.store.open_handoff_for(conversation_id)
        if handoff is None or handoff.state != "active":
            raise HandoffError("this conversation is not with a human now", "not_active")
        if handoff.accepted_by != agent.id and not agent.is_supervisor:
            raise HandoffError("another agent holds this conversation", "not_yours")
        return handoff

    async def send(self, conversation_id: str, agent: Agent, text: str) -> StoredMessage:
        """Store the agent's message, in the buyer's script, and push it to the buyer."""
        handoff = await self.holding(conversation_id, agent)
        text = await self._service.in_buyer_script(conversation_id, self._redact(text))
        stored = await self._service.conversations.add_replies(
            conversation_id,
            "agent",
            [BotReply(text, custom={"agent": {"work_name": agent.work_name}})],
            None,
        )
        await self._service.notifier.to_buyer_messages(conversation_id, stored)
        await self._service.notifier.to_agents(
            {"type": "message", "conversation_id": conversation_id, "handoff_id": handoff.id,
             "sender": "agent", "agent": {"work_name": agent.work_name},
             "message_id": stored[0].id, "text": text},
            self._watchers(handoff),
        )  # fmt: skip
        return stored[0]

    async def buyer_wrote(self, conversation_id: str, message: StoredMessage) -> None:
        """Forward a buyer's message to whoever holds (or is offered) the conversation."""
        handoff = await self._service.store.open_handoff_for(conversation_id)
        if handoff is None:
            return
        frame = {
            "type": "message",
            "conversation_id": conversation_id,
            "handoff_id": handoff.id,
            "sender": "buyer",
            "message_id": message.id,
            "text": message.text,
        }
        await self._service.notifier.to_agents(frame, self._watchers(handoff))

    def _watchers(self, handoff: Handoff) -> list[int]:
        holder = handoff.accepted_by or handoff.assigned_agent_id
        supervisors = [a.id for a in self._service.presence.connected_agents() if a.is_supervisor]
        return sorted({*supervisors, *([holder] if holder else [])})

    async def take_over(self, conversation_id: str, supervisor: Agent) -> Handoff:
        """A supervisor takes an active conversation from its agent (who may have gone).

        Raises:
            HandoffError: not active now, or ``supervisor`` holds it already.
        """
        service = self._service
        async with service.lock:
            handoff = await self.holding(conversation_id, supervisor)
            if handoff.accepted_by == supervisor.id:
                raise HandoffError("you already hold this conversation", "taken")
            taken = await service.store.update_handoff(
                handoff.id, expect_state="active", accepted_by=supervisor.id,
                assigned_agent_id=supervisor.id,
            )  # fmt: skip
            if taken is None:
                raise HandoffError("this handoff has just ended", "not_active")
            await service.store.add_event(
                handoff.id, "taken_over", supervisor.id, {"from_agent_id": handoff.accepted_by}
            )
            await service.broadcast(taken, "taken_over")
            await service.dispatch()  # the agent it was taken from has room again
        await service.notifier.to_buyer(conversation_id, service.buyer_status(taken, supervisor))
        await service.notify_buyer(
            taken, "agent", "agent_greeting", supervisor, work_name=supervisor.work_name
        )
        return taken

    async def hand_back(self, conversation_id: str, agent: Agent) -> Handoff:
        """Return the conversation to the bot, which resumes knowing what was said."""
        return await self._end(conversation_id, agent, "handed_back", "bot", None, "handed_back")

    async def close(self, conversation_id: str, agent: Agent, note: str) -> Handoff:
        """End the conversation with a note for the record."""
        if len(note) > MAX_NOTE_CHARS:
            raise HandoffError(f"the note is longer than {MAX_NOTE_CHARS} characters", "too_long")
        return await self._end(
            conversation_id, agent, "closed", "closed", note, "conversation_closed"
        )

    async def _end(
        self,
        conversation_id: str,
        agent: Agent,
        outcome: str,
        mode: str,
        note: str | None,
        notice: str,
    ) -> Handoff:
        async with self._service.lock:
            handoff = await self.holding(conversation_id, agent)
            detail = {"note": note} if note else {}
            ended = await self._finish(
                handoff, "active", outcome, outcome, mode, agent.id, detail, note
            )
        await self._tell_buyer(ended, mode, notice, work_name=agent.work_name)
        return ended

    async def _finish(
        self,
        handoff: Handoff,
        expect_state: str,
        outcome: str,
        event: str,
        mode: str,
        agent_id: int | None,
        detail: dict[str, Any],
        note: str | None = None,
    ) -> Handoff:
        """End a handoff (under the service's lock): record it, set the conversation's mode
        with the Rasa resume still owed, tell the agents, offer the freed room to the queue."""
        service = self._service
        ended = await service.store.update_handoff(
            handoff.id, expect_state=expect_state, state="ended", outcome=outcome,
            ended_at=service.clock(), note=note,
        )  # fmt: skip
        if ended is None:  # the lock prevents this in one process; the state check stays
            code = "not_active" if expect_state == "active" else "not_waiting"
            raise HandoffError("this handoff has just changed hands or ended", code)
        service.timers.cancel(handoff.id)
        await service.store.add_event(handoff.id, event, agent_id, detail)
        await service.store.set_mode(
            handoff.conversation_id, mode, handoff.id, handoff.paused_after_seq
        )  # type: ignore[arg-type]
        await service.broadcast(ended, event)
        await service.dispatch()  # the agent, if any, has room for the next one
        return ended

    async def _tell_buyer(
        self, ended: Handoff, mode: str, notice: str, **params: str
    ) -> list[StoredMessage]:
        """After a handoff ended: the notice, the new status, and the bot resumed."""
        service = self._service
        stored = await service.notify_buyer(ended, "system", notice, **params)
        await service.notifier.to_buyer(
            ended.conversation_id, {**service.buyer_status(ended), "mode": mode}
        )
        await self.resume_bot(ended.conversation_id)
        return stored

    async def leave_callback(self, conversation_id: str, contact: str) -> list[StoredMessage]:
        """The buyer leaves a contact instead of waiting; the bot takes the conversation back.

        Raises:
            HandoffError: no waiting handoff, or the contact does not look like a number.
        """
        contact = contact.strip()
        if not CONTACT_PATTERN.match(contact) or sum(c.isdigit() for c in contact) < 5:
            raise HandoffError("leave a phone number of 5 to 20 digits", "invalid_contact")
        service = self._service
        async with service.lock:
            handoff = await service.store.open_handoff_for(conversation_id)
            if handoff is None or handoff.state != "waiting":
                raise HandoffError(
                    "nobody is waiting for a human in this conversation", "not_waiting"
                )
            ticket = await service.store.ticket_for(
                handoff.id
            ) or await service.store.create_ticket(handoff, "callback")
            await service.store.update_ticket(
                handoff.id, status="callback_requested", contact=contact, contact_at=service.clock()
            )
            # The contact itself stays in the ticket only, never in events or the transcript.
            detail = {"ticket_id": ticket.id}
            ended = await self._finish(
                handoff, "waiting", "callback", "callback_requested", "bot", None, detail
            )
        return await self._tell_buyer(ended, "bot", "callback_recorded")

    async def resume_bot(self, conversation_id: str) -> bool:
        """Record the human part in Rasa's tracker and resume it, if still owed.

        Returns:
            Whether Rasa is now in step (False: Rasa is down; retried before its next turn).
        """
        service = self._service
        mode = await service.store.mode_of(conversation_id)
        if mode.resume_after_seq is None:
            return True
        history = await service.conversations.history(conversation_id)
        after = [m for m in history if m.seq > mode.resume_after_seq]
        try:
            # Rasa's tracker needs parse data on user events; the model's own parse also
            # gives trainers the intent and sentiment of what the buyer told the agent.
            parses = {
                m.id: await self._bot_tracker.parse(m.text or "")
                for m in after
                if m.sender == "buyer" and m.text
            }
            await self._bot_tracker.append_events(conversation_id, tracker_events(after, parses))
        except UpstreamError as err:
            log.warning("could not resume the bot yet: %s", err)
            return False
        await service.store.set_mode(conversation_id, mode.mode, mode.handoff_id, None)
        return True
