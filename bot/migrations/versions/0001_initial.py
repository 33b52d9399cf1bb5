"""The schema as ``metadata.create_all`` built it before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Written out table by table (never from today's ``metadata``, which moves on). A database
made by ``create_all`` has no ``alembic_version``, and may predate the later tables
(handoff, console, transcripts): upgrading it creates only the tables it lacks and keeps
every row of the others.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _agent() -> None:
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("work_name", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def _conversation() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("script", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def _agent_session() -> None:
    op.create_table(
        "agent_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_agent_session_agent_id", "agent_session", ["agent_id"])


def _canned_reply() -> None:
    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def _message() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("custom", sa.JSON(), nullable=True),
        sa.Column("client_message_id", sa.String(length=128), nullable=True),
        sa.Column("in_reply_to", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "seq"),
        sa.UniqueConstraint("conversation_id", "client_message_id"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["in_reply_to"], ["message.id"]),
    )
    op.create_index("ix_message_conversation_id", "message", ["conversation_id"])
    op.create_index("ix_message_in_reply_to", "message", ["in_reply_to"])


def _buyer_reading() -> None:
    op.create_table(
        "buyer_reading",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("sentiment_confidence", sa.Float(), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_index("ix_buyer_reading_conversation_id", "buyer_reading", ["conversation_id"])
    op.create_index("ix_buyer_reading_created_at", "buyer_reading", ["created_at"])
    op.create_index("ix_buyer_reading_intent", "buyer_reading", ["intent"])


def _etiquette_flag() -> None:
    op.create_table(
        "etiquette_flag",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_etiquette_flag_agent_id", "etiquette_flag", ["agent_id"])
    op.create_index("ix_etiquette_flag_created_at", "etiquette_flag", ["created_at"])
    op.create_index("ix_etiquette_flag_message_id", "etiquette_flag", ["message_id"])


def _handoff() -> None:
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("sentiment", sa.JSON(), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("trigger_message_id", sa.Integer(), nullable=True),
        sa.Column("paused_after_seq", sa.Integer(), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offer_all_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fallback_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("assigned_agent_id", sa.Integer(), nullable=True),
        sa.Column("declined_by", sa.JSON(), nullable=False),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["trigger_message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["assigned_agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["accepted_by"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_conversation_id", "handoff", ["conversation_id"])
    open_only = sa.text("state != 'ended'")
    op.create_index(
        "one_open_handoff_per_conversation",
        "handoff",
        ["conversation_id"],
        unique=True,
        sqlite_where=open_only,
        postgresql_where=open_only,
    )


def _relabel() -> None:
    op.create_table(
        "relabel",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["trainer_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_relabel_message_id", "relabel", ["message_id"])


def _conversation_mode() -> None:
    op.create_table(
        "conversation_mode",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("resume_after_seq", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"]),
        sa.PrimaryKeyConstraint("conversation_id"),
    )


def _handoff_event() -> None:
    op.create_table(
        "handoff_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"]),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_event_handoff_id", "handoff_event", ["handoff_id"])


def _ticket() -> None:
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handoff_id"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoff.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
    )
    op.create_index("ix_ticket_conversation_id", "ticket", ["conversation_id"])


# Referenced tables before the tables that reference them.
TABLES = (
    ("agent", _agent),
    ("conversation", _conversation),
    ("agent_session", _agent_session),
    ("canned_reply", _canned_reply),
    ("message", _message),
    ("buyer_reading", _buyer_reading),
    ("etiquette_flag", _etiquette_flag),
    ("handoff", _handoff),
    ("relabel", _relabel),
    ("conversation_mode", _conversation_mode),
    ("handoff_event", _handoff_event),
    ("ticket", _ticket),
)


def upgrade() -> None:
    # ``--sql`` mode has no database to look at: it prints the whole schema.
    existing = set() if context.is_offline_mode() else _existing_tables()
    for name, create in TABLES:
        if name not in existing:
            create()


def _existing_tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def downgrade() -> None:
    for name, _ in reversed(TABLES):
        op.drop_table(name)  # its indexes go with it
