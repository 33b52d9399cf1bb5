"""One ordered transcript per conversation; exports in JSON Lines and CSV; retention."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.db import utcnow
from bot.errors import BadRequestError
from bot.gateway.chat import conversation_tag
from bot.gateway.models import BotReply
from bot.gateway.store import ConversationStore, messages
from bot.handoff.accounts import create_account
from bot.handoff.store import HandoffStore
from bot.handoff.tables import handoff_events, handoffs
from bot.transcripts.entries import TranscriptStore
from bot.transcripts.export import export_lines, parse_range
from bot.transcripts.readings import ReadingStore, reading_from_parse
from bot.transcripts.retention import RetentionStore, purge
from bot.transcripts.tables import buyer_readings

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _handoff(engine, conversation_id: str, trigger_id: int, at: datetime, agent_id: int):
    async with engine.begin() as conn:
        result = await conn.execute(
            handoffs.insert().values(
                conversation_id=conversation_id, state="ended", reason="complaint",
                slots={}, trigger_message_id=trigger_id, paused_after_seq=2,
                triggered_at=at, offer_all_at=at + timedelta(seconds=15),
                fallback_at=at + timedelta(seconds=30), stage=0, declined_by=[],
                accepted_by=agent_id, accepted_at=at + timedelta(seconds=4),
            )
        )  # fmt: skip
        handoff_id = result.inserted_primary_key[0]
        for kind, seconds, who in (("requested", 0, None), ("accepted", 4, agent_id)):
            await conn.execute(
                handoff_events.insert().values(
                    handoff_id=handoff_id, kind=kind, at=at + timedelta(seconds=seconds),
                    agent_id=who, detail={},
                )
            )  # fmt: skip
    return handoff_id


async def _conversation_with_handoff(engine):
    """buyer → bot → buyer (complaint) → system notice → accepted → agent → buyer."""
    store = ConversationStore(engine)
    agent = await create_account(HandoffStore(engine), "li", "password1", "客服008")
    conversation = await store.create_conversation()
    first, _ = await store.add_buyer_message(conversation.id, "有M码吗", "c1")
    await store.add_replies(conversation.id, "bot", [BotReply("有的亲")], first.id)
    angry, _ = await store.add_buyer_message(conversation.id, "=SUM(A1) 太慢了", "c2")
    handoff_id = await _handoff(engine, conversation.id, angry.id, angry.created_at, agent.id)
    await store.add_replies(conversation.id, "system", [BotReply("正在为您转接")], angry.id)
    await store.add_replies(
        conversation.id, "agent", [BotReply("您好", custom={"agent": {"work_name": "客服008"}})],
        None,
    )  # fmt: skip
    parse = {"intent": {"name": "ask_stock", "confidence": 0.9},
             "entities": [{"entity": "size", "value": "M"}]}  # fmt: skip
    reading = reading_from_parse(parse, "rasa")
    assert reading is not None
    await ReadingStore(engine).save(first.id, reading)
    return conversation, handoff_id


async def test_a_transcript_merges_messages_and_events_in_order(engine) -> None:
    conversation, handoff_id = await _conversation_with_handoff(engine)
    entries = await TranscriptStore(engine).transcript(conversation.id)
    shape = [(e.kind, e.sender or e.event) for e in entries]
    assert shape[:4] == [("message", "buyer"), ("message", "bot"), ("message", "buyer"),
                         ("event", "requested")]  # fmt: skip
    assert ("event", "accepted") in shape and ("message", "agent") in shape
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[0].reading is not None and entries[0].reading.intent == "ask_stock"
    assert entries[0].channel == "websocket"
    assert entries[2].reading is None  # not read yet: shown without one
    agent_line = next(e for e in entries if e.sender == "agent")
    accepted = next(e for e in entries if e.event == "accepted")
    assert agent_line.agent == "客服008" and accepted.agent == "客服008"
    assert accepted.handoff_id == handoff_id


async def test_jsonl_and_csv_exports_carry_the_same_rows(engine) -> None:
    conversation, _ = await _conversation_with_handoff(engine)
    since, until = utcnow() - timedelta(minutes=1), utcnow() + timedelta(minutes=1)
    entries = await TranscriptStore(engine).between(since, until)
    jsonl = [json.loads(line) for line in export_lines(entries, "jsonl", str)]
    table = list(csv.DictReader(io.StringIO("".join(export_lines(entries, "csv", str)))))
    assert len(jsonl) == len(table) == len(entries)
    tag = conversation_tag(conversation.id)
    assert {row["conversation"] for row in jsonl} == {tag}  # the key itself never leaves
    assert conversation.id not in "".join(export_lines(entries, "csv", str))
    assert [r["kind"] for r in jsonl] == [r["kind"] for r in table]
    assert jsonl[0]["intent"] == table[0]["intent"] == "ask_stock"
    assert (
        json.loads(table[0]["entities"])
        == jsonl[0]["entities"]
        == [{"entity": "size", "value": "M"}]
    )
    formula = next(r for r in table if "SUM" in (r["text"] or ""))
    assert formula["text"].startswith("'=")  # a spreadsheet will not run it


async def test_exports_redact_again_and_refuse_unknown_formats(engine) -> None:
    store = ConversationStore(engine)
    conversation = await store.create_conversation()
    await store.add_buyer_message(conversation.id, "电话13812345678", None)
    entries = await TranscriptStore(engine).transcript(conversation.id)
    rows = [json.loads(x) for x in export_lines(entries, "jsonl", lambda t: t.replace("138", "*"))]
    assert rows[0]["text"] == "电话*12345678"
    with pytest.raises(BadRequestError):
        export_lines(entries, "xml", str)


def test_date_ranges_are_whole_days_in_the_shops_time_zone() -> None:
    start, end = parse_range("2026-11-23", "2026-11-23", SHANGHAI)
    assert start == datetime(2026, 11, 22, 16, tzinfo=timezone.utc)
    assert end - start == timedelta(days=1)
    with pytest.raises(BadRequestError):
        parse_range("2026-11-24", "2026-11-23", SHANGHAI)
    with pytest.raises(BadRequestError):
        parse_range("yesterday", "2026-11-23", SHANGHAI)
    with pytest.raises(BadRequestError):
        parse_range("2024-01-01", "2026-11-23", SHANGHAI)


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_retention_deletes_old_conversations_whole_and_keeps_the_rest(engine) -> None:
    old, _ = await _conversation_with_handoff(engine)
    store = ConversationStore(engine)
    recent = await store.create_conversation()
    await store.add_buyer_message(recent.id, "你好", None)
    later = utcnow() + timedelta(days=31)  # everything above is now 31 days old...
    async with engine.begin() as conn:  # ...except the recent one
        await conn.execute(
            messages.update().where(messages.c.conversation_id == recent.id).values(
                created_at=later - timedelta(days=1)
            )
        )  # fmt: skip
    waiting = await store.create_conversation()  # as old, but a buyer waits for a person
    await store.add_buyer_message(waiting.id, "人呢", None)
    await HandoffStore(engine).set_mode(waiting.id, "waiting", None)
    off = await purge(RetentionStore(engine), 0, now=later)
    assert (off.conversations, off.messages) == (0, 0)  # 0 days: retention is off
    result = await purge(RetentionStore(engine), 30, now=later)
    assert (result.conversations, result.messages) == (1, 5)
    assert await store.get_conversation(old.id) is None
    assert await store.get_conversation(recent.id) is not None
    assert await store.get_conversation(waiting.id) is not None
    assert await _count(engine, handoffs) == await _count(engine, handoff_events) == 0
    assert await _count(engine, buyer_readings) == 2
