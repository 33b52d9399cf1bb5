"""Readings of buyer lines: Rasa's own for answered turns, a parse for the others, and
pending (retried later) while Rasa is away."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.errors import UpstreamError
from bot.gateway.store import ConversationStore
from bot.transcripts.readings import ReadingRecorder, ReadingStore, reading_from_parse


@dataclass
class FakeRasa:
    """Rasa's tracker and parse endpoints at the HTTP boundary; ``down`` refuses both."""

    latest: dict[str, Any] | None = None
    down: bool = False
    parsed: list[str] = field(default_factory=list)

    async def latest_user_message(self, conversation_id: str) -> dict[str, Any] | None:
        if self.down:
            raise UpstreamError("connection refused")
        return self.latest

    async def parse(self, text: str) -> dict[str, Any]:
        if self.down:
            raise UpstreamError("connection refused")
        self.parsed.append(text)
        return {"intent": {"name": "ask_size", "confidence": 0.42}, "entities": [],
                "sentiment": {"label": "neutral", "confidence": 0.8}}  # fmt: skip


def test_a_fallback_keeps_the_best_real_intent_and_is_flagged() -> None:
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "ask_stock", "confidence": 0.31},
            {"name": "greet", "confidence": 0.2},
        ],
        "entities": [{"entity": "product", "value": "T恤"}],
        "sentiment": {"label": "negative", "confidence": 0.77777},
    }
    reading = reading_from_parse(parse, "rasa")
    assert reading is not None
    assert (reading.intent, reading.confidence, reading.fallback) == ("ask_stock", 0.31, True)
    assert reading.entities == (("product", "T恤"),)
    assert (reading.sentiment, reading.sentiment_confidence) == ("negative", 0.7778)
    assert reading_from_parse({"intent": {}}, "rasa") is None


async def test_the_answered_line_takes_rasas_reading_and_the_others_are_parsed(engine) -> None:
    conversations = ConversationStore(engine)
    conversation = await conversations.create_conversation()
    to_agent, _ = await conversations.add_buyer_message(conversation.id, "人呢", None)
    answered, _ = await conversations.add_buyer_message(conversation.id, "有M码吗", None, "rest")
    rasa = FakeRasa(
        latest={
            "intent": {"name": "ask_stock", "confidence": 0.97},
            "entities": [{"entity": "size", "value": "M"}],
            "metadata": {"message_id": answered.id},
        }
    )
    store = ReadingStore(engine)
    recorded = await ReadingRecorder(store, rasa).settle(conversation.id, answered.id)
    readings = await store.of_conversation(conversation.id)
    assert recorded == 2
    assert readings[answered.id].source == "rasa"
    assert readings[answered.id].intent == "ask_stock"
    assert readings[answered.id].entities == (("size", "M"),)
    assert readings[to_agent.id].source == "parse"
    assert rasa.parsed == ["人呢"]  # only the line Rasa never answered is parsed
    assert await store.channels_of(conversation.id) == {to_agent.id: "websocket",
                                                         answered.id: "rest"}  # fmt: skip


async def test_a_tracker_that_moved_on_is_not_trusted(engine) -> None:
    conversations = ConversationStore(engine)
    conversation = await conversations.create_conversation()
    line, _ = await conversations.add_buyer_message(conversation.id, "几天到", None)
    other = {"intent": {"name": "greet", "confidence": 1.0}, "metadata": {"message_id": 999}}
    store = ReadingStore(engine)
    await ReadingRecorder(store, FakeRasa(latest=other)).settle(conversation.id, line.id)
    assert (await store.of_conversation(conversation.id))[line.id].source == "parse"


async def test_lines_stay_pending_while_rasa_is_down_and_a_sweep_reads_them(engine) -> None:
    conversations = ConversationStore(engine)
    conversation = await conversations.create_conversation()
    line, _ = await conversations.add_buyer_message(conversation.id, "在吗", None)
    store = ReadingStore(engine)
    rasa = FakeRasa(down=True)
    recorder = ReadingRecorder(store, rasa)
    assert await recorder.settle(conversation.id) == 0
    assert [p.message_id for p in await store.pending()] == [line.id]
    rasa.down = False
    assert await recorder.sweep(older_than_s=0) == 1
    assert await store.pending() == []
    assert (await store.of_conversation(conversation.id))[line.id].intent == "ask_size"
