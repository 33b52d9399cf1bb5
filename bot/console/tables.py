"""Tables of canned replies and of agent messages flagged by the etiquette checker."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Table, Text

from bot.db import metadata

canned_replies = Table(
    "canned_reply",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False, default=list),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", ForeignKey("agent.id")),  # None: from the seed file
)

etiquette_flags = Table(
    "etiquette_flag",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", ForeignKey("message.id"), nullable=False, index=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False),
    Column("agent_id", ForeignKey("agent.id"), nullable=False, index=True),
    Column("rule_ids", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
