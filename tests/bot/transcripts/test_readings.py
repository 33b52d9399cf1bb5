"""Readings of buyer lines: Rasa's own for answered turns, a parse for the others, and
pending (retried later) while Rasa is away."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.errors import UpstreamError
from bot.gateway.store import ConversationStore
from bot.transcripts.entries import TranscriptStore
from bot.transcripts.readings import ReadingRecorder, ReadingStore, reading_from_parse


@dataclass
class FakeRasa:
    """Rasa's tracker and parse endpoints at the HTTP boundary; ``down`` refuses both."""

    events: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    parsed: list[str] = field(default_factory=list)
    tracker_reads: int = 0

    async def user_events(self, conversation_id: str) -> list[dict[str, Any]]:
        if self.down:
            raise UpstreamError("connection refused")
        self.tracker_reads += 1
        return self.events

    async def parse(self, text: str) -> dict[str, Any]:
        if self.down:
            raise UpstreamError("connection refused")
        self.parsed.append(text)
        return {"intent": {"name": "ask_size", "confidence": 0.42}, "entities": [],
                "sentiment": {"label": "neutral", "confidence": 0.8}}  # fmt: skip


def _answered(message_id: int, intent: str, **parse: Any) -> dict[str, Any]:
    """A user event of Rasa's tracker for a line the gateway sent."""
    return {"event": "user", "metadata": {"message_id": message_id},
            "parse_data": {"intent": {"name": intent, "confidence": 0.97}, **parse}}  # fmt: skip


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


async def test_answered_lines_take_rasas_reading_and_the_others_are_parsed(engine) -> None:
    conversations = ConversationStore(engine)
    conversation = await conversations.create_conversation()
    first, _ = await conversations.add_buyer_message(conversation.id, "有M码吗", None, "rest")
    to_agent, _ = await conversations.add_buyer_message(conversation.id, "人呢", None)
    second, _ = await conversations.add_buyer_message(conversation.id, "蓝色", None)
    rasa = FakeRasa(
        events=[
            _answered(first.id, "ask_stock", entities=[{"entity": "size", "value": "M"}]),
            _answered(second.id, "inform"),
            {"event": "user", "metadata": {}, "parse_data": {}},
        ]
    )
    store = ReadingStore(engine)
    recorder = ReadingRecorder(store, rasa)
    recorder.mark(conversation.id)
    recorder.mark(conversation.id)
    assert await recorder.settle_marked() == 3
    readings = await store.of_conversation(conversation.id)
    assert (readings[first.id].source, readings[first.id].intent) == ("rasa", "ask_stock")
    assert readings[first.id].entities == (("size", "M"),)
    assert (readings[second.id].source, readings[second.id].intent) == ("rasa", "inform")
    assert readings[to_agent.id].source == "parse"
    assert rasa.parsed == ["人呢"]  # only the line Rasa never answered is parsed
    assert rasa.tracker_reads == 1  # one read for all the conversation's new lines
    # A line said to a person reaches the tracker at the hand-back with the gateway's parse.
    third, _ = await conversations.add_buyer_message(conversation.id, "好的", None)
    rasa.events.append(
        {**_answered(third.id, "affirm"), "metadata": {"message_id": third.id,
                                                       "during_handoff": True}}
    )  # fmt: skip
    recorder.mark(conversation.id)
    assert await recorder.settle_marked() == 1
    assert (await store.of_conversation(conversation.id))[third.id].source == "parse"
    assert await recorder.settle_marked() == 0  # nothing marked any more
    entries = await TranscriptStore(engine).transcript(conversation.id)
    assert {e.message_id: e.channel for e in entries if e.sender == "buyer"} == {
        first.id: "rest",
        to_agent.id: "websocket",
        second.id: "websocket",
        third.id: "websocket",
    }


async def test_lines_stay_pending_while_rasa_is_down_and_a_sweep_reads_them(engine) -> None:
    conversations = ConversationStore(engine)
    conversation = await conversations.create_conversation()
    line, _ = await conversations.add_buyer_message(conversation.id, "在吗", None)
    store = ReadingStore(engine)
    rasa = FakeRasa(down=True)
    recorder = ReadingRecorder(store, rasa)
    recorder.mark(conversation.id)
    assert await recorder.settle_marked() == 0
    assert [p.message_id for p in await store.pending()] == [line.id]
    assert await recorder.sweep(older_than_s=0) == 0  # still down
    rasa.down = False
    assert await recorder.sweep(older_than_s=3600) == 0  # too recent for the sweep
    assert await recorder.sweep(older_than_s=0) == 1
    assert await store.pending() == []
    assert (await store.of_conversation(conversation.id))[line.id].intent == "ask_size"
