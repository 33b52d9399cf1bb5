"""The live etiquette check of agents' drafts, and the record of flagged agent messages.

Sending is never blocked: a message that breaks rules is delivered, and its rule ids are
recorded here for review (supervisor view, trainers' reports).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.console.tables import etiquette_flags
from bot.db import Database, utcnow
from bot.etiquette import EtiquetteChecker, Violation


class EtiquetteReview:
    """Checks a draft and proposes the checker's rewrite."""

    def __init__(self, checker: EtiquetteChecker) -> None:
        self._checker = checker
        self._names = {rule.id: rule.name for rule in checker.rules}

    def violations(self, text: str) -> list[dict[str, Any]]:
        """The broken rules of ``text`` as JSON-ready dicts, in text order."""
        return [self._view(v) for v in self._checker.check(text)]

    def suggestion(self, text: str) -> str | None:
        """The mechanical rewrite of ``text``, or None when nothing would change."""
        fixed = self._checker.suggest_fix(text)
        return None if fixed == text else fixed

    def _view(self, violation: Violation) -> dict[str, Any]:
        start, end = violation.span
        return {
            "rule_id": violation.rule_id,
            "name": self._names.get(violation.rule_id, violation.rule_id),
            "message": violation.message,
            "excerpt": violation.excerpt,
            "start": start,
            "end": end,
        }


class EtiquetteFlagStore(Database):
    """Agent messages that broke etiquette rules, by message id."""

    async def record(
        self, message_id: int, conversation_id: str, agent_id: int, rule_ids: Iterable[str]
    ) -> None:
        """Remember that an agent's message broke ``rule_ids``."""
        async with self._connection(begin=True) as conn:
            await conn.execute(
                etiquette_flags.insert().values(
                    message_id=message_id,
                    conversation_id=conversation_id,
                    agent_id=agent_id,
                    rule_ids=sorted(set(rule_ids)),
                    created_at=utcnow(),
                )
            )

    async def rules_by_message(self, message_ids: Iterable[int]) -> dict[int, list[str]]:
        """The broken rule ids of each flagged message among ``message_ids``."""
        ids = list(message_ids)
        if not ids:
            return {}
        query = select(etiquette_flags.c.message_id, etiquette_flags.c.rule_ids).where(
            etiquette_flags.c.message_id.in_(ids)
        )
        async with self._connection() as conn:
            return {row.message_id: list(row.rule_ids) for row in await conn.execute(query)}

    async def count_since(self, since: datetime) -> int:
        """How many agent messages were flagged since ``since``."""
        query = select(func.count()).where(etiquette_flags.c.created_at >= since)
        async with self._connection() as conn:
            return int((await conn.execute(query)).scalar_one())
