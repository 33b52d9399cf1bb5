"""Canned replies: short, etiquette-clean answers agents insert with a shortcut.

Supervisors edit them; a text that breaks the shop's etiquette is refused, so every
canned reply can be sent as it is. The first start seeds them from ``canned_replies.yml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.console.etiquette_review import EtiquetteReview
from bot.console.tables import canned_replies
from bot.db import Database, as_utc, utcnow
from bot.errors import EtiquetteBreachError, ShopDataError
from bot.shop.loader import read_yaml

SEED_FILE = Path(__file__).with_name("canned_replies.yml")
MAX_TITLE_CHARS = 40
MAX_TEXT_CHARS = 500
MAX_TAGS = 8
MAX_TAG_CHARS = 16


@dataclass(frozen=True)
class CannedReply:
    """One canned reply."""

    id: int
    title: str
    text: str
    tags: tuple[str, ...]
    updated_at: datetime
    updated_by: int | None

    def view(self) -> dict[str, Any]:
        """The JSON form the console reads."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "tags": list(self.tags),
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True)
class CannedDraft:
    """What a supervisor submits: checked before it is stored."""

    title: str
    text: str
    tags: tuple[str, ...] = ()


class CannedReplyStore(Database):
    """Reads and writes the canned_reply table."""

    async def all(self) -> list[CannedReply]:
        """Every canned reply, by title."""
        query = select(canned_replies).order_by(canned_replies.c.title, canned_replies.c.id)
        async with self._connection() as conn:
            return [_reply(row) for row in await conn.execute(query)]

    async def count(self) -> int:
        """How many canned replies exist."""
        async with self._connection() as conn:
            return int((await conn.execute(select(func.count(canned_replies.c.id)))).scalar_one())

    async def create(self, draft: CannedDraft, agent_id: int | None) -> CannedReply:
        """Store a new reply."""
        values = _values(draft, agent_id)
        async with self._connection(begin=True) as conn:
            result = await conn.execute(canned_replies.insert().values(**values))
        return _reply_from(result.inserted_primary_key[0], values)

    async def update(self, reply_id: int, draft: CannedDraft, agent_id: int) -> CannedReply | None:
        """Replace a reply's title, text and tags; None when it does not exist."""
        values = _values(draft, agent_id)
        statement = canned_replies.update().where(canned_replies.c.id == reply_id)
        async with self._connection(begin=True) as conn:
            result = await conn.execute(statement.values(**values))
        return _reply_from(reply_id, values) if result.rowcount else None

    async def delete(self, reply_id: int) -> bool:
        """Delete a reply; False when it did not exist."""
        statement = canned_replies.delete().where(canned_replies.c.id == reply_id)
        async with self._connection(begin=True) as conn:
            return bool((await conn.execute(statement)).rowcount)


class CannedReplies:
    """Canned replies that are always etiquette-clean."""

    def __init__(self, store: CannedReplyStore, review: EtiquetteReview) -> None:
        self.store = store
        self._review = review

    def checked(self, draft: CannedDraft) -> CannedDraft:
        """``draft`` if its text keeps the etiquette.

        Raises:
            EtiquetteBreachError: with the violations, for the editor to show.
        """
        violations = self._review.violations(draft.text)
        if violations:
            raise EtiquetteBreachError("the text breaks the shop's etiquette", violations)
        return draft

    async def seed(self, path: Path = SEED_FILE) -> int:
        """Load the seed file into an empty table; returns how many were added.

        Raises:
            ShopDataError: the file is malformed or a seed breaks the etiquette.
        """
        if await self.store.count():
            return 0
        drafts = [self._seed_draft(item) for item in read_yaml(path).get("replies", [])]
        for draft in drafts:
            await self.store.create(draft, None)
        return len(drafts)

    def _seed_draft(self, item: Any) -> CannedDraft:
        try:
            draft = CannedDraft(str(item["title"]), str(item["text"]), tuple(item.get("tags", ())))
            return self.checked(draft)
        except (KeyError, TypeError) as err:
            raise ShopDataError(f"malformed canned reply {item!r}") from err
        except EtiquetteBreachError as err:
            raise ShopDataError(f"canned reply {item['title']!r} breaks etiquette") from err


def draft_from(body: dict[str, Any], tags: Sequence[Any]) -> CannedDraft:
    """Validate the shapes of a submitted reply (the endpoint checks strings)."""
    clean_tags = tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
    if len(clean_tags) > MAX_TAGS or any(len(t) > MAX_TAG_CHARS for t in clean_tags):
        raise ValueError(f"at most {MAX_TAGS} tags of {MAX_TAG_CHARS} characters")
    return CannedDraft(body["title"].strip(), body["text"].strip(), clean_tags)


def _values(draft: CannedDraft, agent_id: int | None) -> dict[str, Any]:
    return {
        "title": draft.title,
        "text": draft.text,
        "tags": list(draft.tags),
        "updated_at": utcnow(),
        "updated_by": agent_id,
    }


def _reply_from(reply_id: int, values: dict[str, Any]) -> CannedReply:
    return CannedReply(
        reply_id,
        values["title"],
        values["text"],
        tuple(values["tags"]),
        values["updated_at"],
        values["updated_by"],
    )


def _reply(row: Any) -> CannedReply:
    return CannedReply(
        row.id, row.title, row.text, tuple(row.tags or ()), as_utc(row.updated_at), row.updated_by
    )
