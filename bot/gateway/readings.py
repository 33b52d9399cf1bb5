"""The bot's reading of every buyer line, as the agent console shows it.

Readings are kept in the ``buyer_reading`` table (bot.transcripts.readings); a view of a
conversation first settles the ones still missing (lines said to a person are parsed
once), so the console and the trainer page see the same, durable record.
"""

from __future__ import annotations

import contextlib
from typing import Any

from bot.errors import StorageError, UpstreamError
from bot.transcripts.readings import Reading, ReadingRecorder


def console_reading(reading: Reading) -> dict[str, Any]:
    """A reading in the console's shape: intent with confidence, sentiment, entities."""
    full = reading.to_dict()
    return {
        "intent": {"name": reading.intent, "confidence": round(reading.confidence, 3)},
        "sentiment": full["sentiment"],
        "entities": full["entities"],
        "fallback": reading.fallback,
    }


class MessageReadings:
    """Readings of a conversation's buyer lines, settled on demand."""

    def __init__(self, recorder: ReadingRecorder) -> None:
        self._recorder = recorder

    async def settle(self, conversation_id: str) -> None:
        """Read the conversation's lines still without a reading, if Rasa is up."""
        with contextlib.suppress(StorageError, UpstreamError):  # the stored ones still show
            await self._recorder.settle(conversation_id)

    async def for_conversation(self, conversation_id: str) -> dict[int, Reading]:
        """Every known reading of the conversation; missing ones are read first if Rasa is up."""
        await self.settle(conversation_id)
        return await self._recorder.store.of_conversation(conversation_id)
