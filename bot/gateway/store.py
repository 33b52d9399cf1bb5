"""Conversations and their transcripts, stored through SQLAlchemy's async engine.

SQLite by default; the same code runs on PostgreSQL when the shop scales out.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import Database, as_utc, metadata, utcnow
from bot.errors import UnknownConversationError
from bot.gateway.models import (
    BotReply,
    Button,
    Channel,
    Conversation,
    Script,
    Sender,
    StoredMessage,
)
from bot.transcripts.tables import buyer_readings

conversations = Table(
    "conversation",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("script", String(16), nullable=False, default="simplified"),
)

messages = Table(
    "message",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", ForeignKey("conversation.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("sender", String(16), nullable=False),
    Column("text", Text),
    Column("buttons", JSON, nullable=False, default=list),
    Column("custom", JSON),
    Column("client_message_id", String(128)),
    Column("in_reply_to", ForeignKey("message.id"), index=True),
    # Indexed (migration 0002): the dashboard and the retention purge scan by time.
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("conversation_id", "seq"),
    # NULLs never collide, so only buyer messages with a client id are deduplicated.
    UniqueConstraint("conversation_id", "client_message_id"),
)


def _to_message(row: Row) -> StoredMessage:
    return StoredMessage(
        id=row.id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        sender=row.sender,
        text=row.text,
        buttons=tuple(Button(b["title"], b["payload"]) for b in row.buttons or ()),
        custom=row.custom,
        client_message_id=row.client_message_id,
        in_reply_to=row.in_reply_to,
        created_at=as_utc(row.created_at),
    )


class ConversationStore(Database):
    """Reads and writes conversations and their ordered messages."""

    async def ping(self) -> None:
        """Run ``SELECT 1``; raise StorageError when the database is unusable."""
        async with self._connection() as conn:
            await conn.execute(sql_text("SELECT 1"))

    async def create_conversation(self, script: Script = "simplified") -> Conversation:
        """Start a new conversation with a fresh unguessable id."""
        conversation = Conversation(secrets.token_urlsafe(24), utcnow(), script)
        async with self._connection(begin=True) as conn:
            await conn.execute(
                conversations.insert().values(
                    id=conversation.id, created_at=conversation.created_at, script=script
                )
            )
        return conversation

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with this id, or None."""
        async with self._connection() as conn:
            row = (
                await conn.execute(
                    select(conversations).where(conversations.c.id == conversation_id)
                )
            ).first()
        return Conversation(row.id, as_utc(row.created_at), row.script) if row else None

    async def set_script(self, conversation_id: str, script: Script) -> None:
        """Remember which script the buyer writes in."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                conversations.update()
                .where(conversations.c.id == conversation_id)
                .values(script=script)
            )

    async def add_buyer_message(
        self,
        conversation_id: str,
        text: str,
        client_message_id: str | None,
        channel: Channel = "websocket",
    ) -> tuple[StoredMessage, bool]:
        """Store a buyer message (and its pending reading); return it and whether it is new.

        A ``client_message_id`` already stored in this conversation is not stored again:
        the earlier message is returned with ``False``.
        """
        if client_message_id is not None:
            existing = await self._find_by_client_id(conversation_id, client_message_id)
            if existing is not None:
                return existing, False
        try:
            async with self._connection(begin=True) as conn:
                message = await self._append(
                    conn, conversation_id, "buyer", BotReply(text), client_message_id, None
                )
                await conn.execute(
                    buyer_readings.insert().values(
                        message_id=message.id,
                        conversation_id=conversation_id,
                        channel=channel,
                        created_at=message.created_at,
                        entities=[],
                    )
                )
        except IntegrityError as err:
            # Lost a race against the same message sent twice at once.
            existing = await self._find_by_client_id(conversation_id, client_message_id)
            if existing is None:
                raise UnknownConversationError(conversation_id) from err
            return existing, False
        return message, True

    async def add_replies(
        self,
        conversation_id: str,
        sender: Sender,
        replies: Sequence[BotReply],
        in_reply_to: int | None,
    ) -> list[StoredMessage]:
        """Store replies (in order, in one transaction) and return them as stored."""
        async with self._connection(begin=True) as conn:
            return [
                await self._append(conn, conversation_id, sender, reply, None, in_reply_to)
                for reply in replies
            ]

    async def replies_to(self, message_id: int) -> list[StoredMessage]:
        """The replies stored for one buyer message, in order."""
        query = select(messages).where(messages.c.in_reply_to == message_id)
        async with self._connection() as conn:
            rows = (await conn.execute(query.order_by(messages.c.seq))).all()
        return [_to_message(row) for row in rows]

    async def history(self, conversation_id: str, limit: int | None = None) -> list[StoredMessage]:
        """The conversation's messages in order; only the last ``limit`` when given."""
        query = select(messages).where(messages.c.conversation_id == conversation_id)
        query = query.order_by(messages.c.seq.desc())
        if limit is not None:
            query = query.limit(limit)
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [_to_message(row) for row in reversed(rows)]

    async def _find_by_client_id(
        self, conversation_id: str, client_message_id: str | None
    ) -> StoredMessage | None:
        query = select(messages).where(
            messages.c.conversation_id == conversation_id,
            messages.c.client_message_id == client_message_id,
        )
        async with self._connection() as conn:
            row = (await conn.execute(query)).first()
        return _to_message(row) if row else None

    async def _append(
        self,
        conn: AsyncConnection,
        conversation_id: str,
        sender: Sender,
        content: BotReply,
        client_message_id: str | None,
        in_reply_to: int | None,
    ) -> StoredMessage:
        # The next seq is computed inside the INSERT so that two writers cannot take the same.
        next_seq = (
            select(func.coalesce(func.max(messages.c.seq), 0) + 1)
            .where(messages.c.conversation_id == conversation_id)
            .scalar_subquery()
        )
        values = {
            "conversation_id": conversation_id,
            "sender": sender,
            "text": content.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in content.buttons],
            "custom": content.custom,
            "client_message_id": client_message_id,
            "in_reply_to": in_reply_to,
            "created_at": utcnow(),
        }
        result = await conn.execute(messages.insert().values(seq=next_seq, **values))
        message_id = result.inserted_primary_key[0]
        row = (await conn.execute(select(messages).where(messages.c.id == message_id))).one()
        return _to_message(row)
