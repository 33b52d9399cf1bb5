"""SQL for agents, sessions, handoffs, handoff events, tickets and conversation modes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from bot.db import Database, as_utc, utcnow
from bot.handoff.models import Agent, ConversationMode, Handoff, HandoffEvent, Mode, Ticket
from bot.handoff.tables import (
    agent_sessions,
    agents,
    conversation_modes,
    handoff_events,
    handoffs,
    tickets,
)

TIME_COLUMNS = ("triggered_at", "offer_all_at", "fallback_at", "accepted_at", "ended_at")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _agent(row: Row) -> Agent:
    return Agent(row.id, row.username, row.work_name, row.role, row.max_chats, row.disabled)


def _handoff(row: Row) -> Handoff:
    values: dict[str, Any] = dict(row._mapping)
    for name in TIME_COLUMNS:
        if values[name] is not None:
            values[name] = as_utc(values[name])
    values["declined_by"] = tuple(values["declined_by"] or ())
    values["slots"] = values["slots"] or {}
    return Handoff(**values)


def _ticket(row: Row) -> Ticket:
    return Ticket(
        row.id,
        row.handoff_id,
        row.conversation_id,
        row.reason,
        as_utc(row.created_at),
        row.status,
        row.contact,
    )


class HandoffStore(Database):
    """Reads and writes the handoff tables."""

    # --- agents and sessions ---

    async def create_agent(
        self, username: str, work_name: str, role: str, password_hash: str, max_chats: int
    ) -> Agent:
        """Add an agent; raise IntegrityError when the username is taken."""
        async with self._connection(begin=True) as conn:
            result = await conn.execute(
                agents.insert().values(
                    username=username,
                    work_name=work_name,
                    role=role,
                    password_hash=password_hash,
                    max_chats=max_chats,
                    disabled=False,
                    created_at=utcnow(),
                )
            )
        return Agent(result.inserted_primary_key[0], username, work_name, role, max_chats)  # type: ignore[arg-type]

    async def agent_with_hash(self, username: str) -> tuple[Agent, str] | None:
        """The agent called ``username`` and their password hash, or None."""
        async with self._connection() as conn:
            row = (await conn.execute(select(agents).where(agents.c.username == username))).first()
        return (_agent(row), row.password_hash) if row else None

    async def get_agent(self, agent_id: int) -> Agent | None:
        """The agent with this id, or None."""
        async with self._connection() as conn:
            row = (await conn.execute(select(agents).where(agents.c.id == agent_id))).first()
        return _agent(row) if row else None

    async def list_agents(self) -> list[Agent]:
        """Every agent, by id."""
        async with self._connection() as conn:
            rows = (await conn.execute(select(agents).order_by(agents.c.id))).all()
        return [_agent(row) for row in rows]

    async def update_agent(self, username: str, **values: Any) -> bool:
        """Change an agent's fields (password_hash, disabled …); False if there is none."""
        async with self._connection(begin=True) as conn:
            result = await conn.execute(
                agents.update().where(agents.c.username == username).values(**values)
            )
            if values.get("disabled"):
                ids = select(agents.c.id).where(agents.c.username == username)
                await conn.execute(
                    agent_sessions.delete().where(agent_sessions.c.agent_id.in_(ids))
                )
        return result.rowcount > 0

    async def create_session(self, agent_id: int, lifetime: timedelta) -> str:
        """Open a session and return its token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        async with self._connection(begin=True) as conn:
            await conn.execute(
                agent_sessions.insert().values(
                    token_hash=_token_hash(token),
                    agent_id=agent_id,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return token

    async def agent_for_session(self, token: str) -> Agent | None:
        """The enabled agent whose unexpired session this is, or None."""
        query = (
            select(agents, agent_sessions.c.expires_at)
            .join(agent_sessions, agent_sessions.c.agent_id == agents.c.id)
            .where(agent_sessions.c.token_hash == _token_hash(token))
        )
        async with self._connection() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.disabled or as_utc(row.expires_at) <= utcnow():
            return None
        return _agent(row)

    async def delete_session(self, token: str) -> None:
        """End a session (logout)."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                agent_sessions.delete().where(agent_sessions.c.token_hash == _token_hash(token))
            )

    # --- handoffs ---

    async def create_handoff(self, values: dict[str, Any]) -> tuple[Handoff, bool]:
        """Open a handoff; when the conversation already has an open one, return that one.

        Returns:
            The handoff and whether it was created now.
        """
        try:
            async with self._connection(begin=True) as conn:
                result = await conn.execute(handoffs.insert().values(state="waiting", **values))
                handoff_id = result.inserted_primary_key[0]
                await self._set_mode(conn, values["conversation_id"], "waiting", handoff_id)
        except IntegrityError:
            existing = await self.open_handoff_for(values["conversation_id"])
            if existing is None:
                raise
            return existing, False
        handoff = await self.get_handoff(handoff_id)
        assert handoff is not None  # just written
        return handoff, True

    async def get_handoff(self, handoff_id: int) -> Handoff | None:
        """The handoff with this id, or None."""
        async with self._connection() as conn:
            row = (await conn.execute(select(handoffs).where(handoffs.c.id == handoff_id))).first()
        return _handoff(row) if row else None

    async def open_handoff_for(self, conversation_id: str) -> Handoff | None:
        """The conversation's waiting or active handoff, or None."""
        query = select(handoffs).where(
            handoffs.c.conversation_id == conversation_id, handoffs.c.state != "ended"
        )
        async with self._connection() as conn:
            row = (await conn.execute(query)).first()
        return _handoff(row) if row else None

    async def handoffs_in_state(self, state: str) -> list[Handoff]:
        """Handoffs in ``state``, oldest trigger first."""
        query = select(handoffs).where(handoffs.c.state == state).order_by(handoffs.c.triggered_at)
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [_handoff(row) for row in rows]

    async def handoffs_triggered_since(self, since: datetime) -> list[Handoff]:
        """Every handoff triggered at or after ``since``, oldest first."""
        query = (
            select(handoffs)
            .where(handoffs.c.triggered_at >= since)
            .order_by(handoffs.c.triggered_at)
        )
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [_handoff(row) for row in rows]

    async def update_handoff(
        self,
        handoff_id: int,
        expect_state: str | None = None,
        expect_stage: int | None = None,
        **values: Any,
    ) -> Handoff | None:
        """Change a handoff; with ``expect_state`` / ``expect_stage``, only if it is still
        in that state / at that stage of its window (compare-and-set across processes).

        Returns:
            The updated handoff, or None when ``expect_state`` did not hold (lost a race).
        """
        query = handoffs.update().where(handoffs.c.id == handoff_id)
        if expect_state is not None:
            query = query.where(handoffs.c.state == expect_state)
        if expect_stage is not None:
            query = query.where(handoffs.c.stage == expect_stage)
        async with self._connection(begin=True) as conn:
            result = await conn.execute(query.values(**values))
        if result.rowcount == 0:
            return None
        return await self.get_handoff(handoff_id)

    async def add_event(
        self,
        handoff_id: int,
        kind: str,
        agent_id: int | None = None,
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record a timestamped step of a handoff."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                handoff_events.insert().values(
                    handoff_id=handoff_id,
                    kind=kind,
                    at=at or utcnow(),
                    agent_id=agent_id,
                    detail=detail or {},
                )
            )

    async def events_of(self, handoff_id: int) -> list[HandoffEvent]:
        """A handoff's events in order."""
        query = (
            select(handoff_events)
            .where(handoff_events.c.handoff_id == handoff_id)
            .order_by(handoff_events.c.id)
        )
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [HandoffEvent(r.kind, as_utc(r.at), r.agent_id, r.detail or {}) for r in rows]

    # --- tickets ---

    async def create_ticket(self, handoff: Handoff, reason: str) -> Ticket:
        """Record that a call-back is owed (once per handoff)."""
        existing = await self.ticket_for(handoff.id)
        if existing is not None:
            return existing
        async with self._connection(begin=True) as conn:
            await conn.execute(
                tickets.insert().values(
                    handoff_id=handoff.id,
                    conversation_id=handoff.conversation_id,
                    reason=reason,
                    created_at=utcnow(),
                    status="open",
                )
            )
        ticket = await self.ticket_for(handoff.id)
        assert ticket is not None  # just written
        return ticket

    async def ticket_for(self, handoff_id: int) -> Ticket | None:
        """The handoff's ticket, or None."""
        async with self._connection() as conn:
            row = (
                await conn.execute(select(tickets).where(tickets.c.handoff_id == handoff_id))
            ).first()
        return _ticket(row) if row else None

    async def update_ticket(self, handoff_id: int, **values: Any) -> None:
        """Change a ticket (status, contact)."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                tickets.update().where(tickets.c.handoff_id == handoff_id).values(**values)
            )

    async def list_tickets(self) -> list[Ticket]:
        """Every ticket, newest first."""
        async with self._connection() as conn:
            rows = (await conn.execute(select(tickets).order_by(tickets.c.id.desc()))).all()
        return [_ticket(row) for row in rows]

    # --- conversation modes ---

    async def mode_of(self, conversation_id: str) -> ConversationMode:
        """Who is talking with the buyer (``bot`` for a conversation never handed off)."""
        query = select(conversation_modes).where(
            conversation_modes.c.conversation_id == conversation_id
        )
        async with self._connection() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return ConversationMode(conversation_id, "bot")
        return ConversationMode(row.conversation_id, row.mode, row.handoff_id, row.resume_after_seq)

    async def set_mode(
        self,
        conversation_id: str,
        mode: Mode,
        handoff_id: int | None,
        resume_after_seq: int | None = None,
    ) -> None:
        """Set who is talking with the buyer."""
        async with self._connection(begin=True) as conn:
            await self._set_mode(conn, conversation_id, mode, handoff_id, resume_after_seq)

    async def modes_needing_resume(self) -> list[ConversationMode]:
        """Conversations whose Rasa tracker still waits for a hand-back to be recorded."""
        query = select(conversation_modes).where(conversation_modes.c.resume_after_seq.isnot(None))
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [
            ConversationMode(r.conversation_id, r.mode, r.handoff_id, r.resume_after_seq)
            for r in rows
        ]

    async def _set_mode(
        self,
        conn: Any,
        conversation_id: str,
        mode: Mode,
        handoff_id: int | None,
        resume_after_seq: int | None = None,
    ) -> None:
        values = {
            "mode": mode,
            "handoff_id": handoff_id,
            "resume_after_seq": resume_after_seq,
            "updated_at": utcnow(),
        }
        updated = await conn.execute(
            conversation_modes.update()
            .where(conversation_modes.c.conversation_id == conversation_id)
            .values(**values)
        )
        if updated.rowcount == 0:
            await conn.execute(
                conversation_modes.insert().values(conversation_id=conversation_id, **values)
            )
