"""Tables of agents, their sessions, handoffs, their events, tickets and conversation modes.

Everything the 30-second window needs survives a restart: deadlines are stored as
timestamps, so a restarted gateway re-arms each timer with the time that is left.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from bot.db import metadata

agents = Table(
    "agent",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    # What buyers see: a work name or 工号, never a personal name (E2).
    Column("work_name", String(32), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("max_chats", Integer, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

agent_sessions = Table(
    "agent_session",
    metadata,
    # Only a hash of the token is stored: a leaked database opens no sessions.
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", ForeignKey("agent.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

handoffs = Table(
    "handoff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False, index=True),
    Column("state", String(16), nullable=False),  # waiting | active | ended
    Column("reason", String(32), nullable=False),
    Column("sentiment", JSON),
    Column("intent", String(64)),
    Column("slots", JSON, nullable=False, default=dict),
    Column("trigger_message_id", ForeignKey("message.id")),
    Column("paused_after_seq", Integer, nullable=False),
    Column("triggered_at", DateTime(timezone=True), nullable=False),
    Column("offer_all_at", DateTime(timezone=True), nullable=False),
    Column("fallback_at", DateTime(timezone=True), nullable=False),
    Column("stage", Integer, nullable=False, default=0),
    Column("assigned_agent_id", ForeignKey("agent.id")),
    Column("declined_by", JSON, nullable=False, default=list),
    Column("accepted_by", ForeignKey("agent.id")),
    Column("accepted_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("outcome", String(16)),  # handed_back | closed | callback
    Column("note", Text),
)
# At most one open handoff per conversation, enforced by the database: a duplicate
# escalation (two triggers racing, a retried request) finds the existing one.
Index(
    "one_open_handoff_per_conversation",
    handoffs.c.conversation_id,
    unique=True,
    sqlite_where=handoffs.c.state != "ended",
    postgresql_where=handoffs.c.state != "ended",
)

handoff_events = Table(
    "handoff_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", ForeignKey("handoff.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("agent_id", ForeignKey("agent.id")),
    Column("detail", JSON, nullable=False, default=dict),
)

tickets = Table(
    "ticket",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", ForeignKey("handoff.id"), nullable=False, unique=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False, index=True),
    Column("reason", String(32), nullable=False),  # no_agents | window_missed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(32), nullable=False),  # open | chat_accepted | callback_requested
    Column("contact", Text),
    Column("contact_at", DateTime(timezone=True)),
)

conversation_modes = Table(
    "conversation_mode",
    metadata,
    Column("conversation_id", ForeignKey("conversation.id"), primary_key=True),
    Column("mode", String(16), nullable=False),  # bot | waiting | human | closed
    Column("handoff_id", ForeignKey("handoff.id")),
    # Set when Rasa must be resumed before it answers again: the transcript after this
    # seq (what buyer and agent said meanwhile) is appended to its tracker first.
    Column("resume_after_seq", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
