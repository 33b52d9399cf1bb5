"""Tables of the review record: the bot's reading of every buyer line, and relabels.

Made by the gateway's migrations (``bot/migrations``), like every table on ``metadata``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from bot.db import metadata

# One row per buyer message, written with the message itself (so ``channel`` is never
# missing); the reading columns stay NULL until the bot's reading is known: Rasa's own
# reading of the turn (source ``rasa``), or a parse made afterwards for lines that went
# to a person or arrived while Rasa was down (source ``parse``).
buyer_readings = Table(
    "buyer_reading",
    metadata,
    Column("message_id", ForeignKey("message.id"), primary_key=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),  # websocket | rest
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    # The best real intent (never nlu_fallback) and its confidence.
    Column("intent", String(64), index=True),
    Column("confidence", Float),
    Column("entities", JSON, nullable=False, default=list),  # [{entity, value}]
    Column("sentiment", String(16)),  # negative | neutral | positive
    Column("sentiment_confidence", Float),
    # True when the FallbackClassifier fired (Rasa answered with the clarification).
    Column("fallback", Boolean),
    Column("source", String(8)),  # rasa | parse
    Column("read_at", DateTime(timezone=True)),
)

# A trainer's correction of one buyer line; accepted ones are written to data/nlu.
relabels = Table(
    "relabel",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", ForeignKey("message.id"), nullable=False, index=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False),
    Column("text", Text, nullable=False),  # the example as written to the data
    Column("intent", String(64), nullable=False),
    Column("sentiment", String(16)),  # None: sentiment left as it was
    Column("trainer_id", ForeignKey("agent.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
