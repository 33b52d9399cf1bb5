"""A seeded random shop floor for the dashboard's tests: conversations with buyer messages,
bot replies after various delays, handoffs accepted early, late or never, readings and
etiquette flags, over a few days and across Shanghai midnights; and how to write it into
a gateway database.

Times are whole milliseconds (the database keeps microseconds; the figures compare
milliseconds). ``python -m tests.bot.reports.world --messages 100000`` seeds a big
database and times the dashboard on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.console.tables import etiquette_flags
from bot.gateway.store import conversations, messages
from bot.handoff.tables import agents, handoffs
from bot.transcripts.tables import buyer_readings

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_S = 30.0
# The floor's own agents (ids well above the accounts a test logs in with).
AGENTS = {
    101: ("seed_a1", "客服011", "agent"),
    102: ("seed_a2", "客服012", "agent"),
    103: ("seed_boss", "主管09", "supervisor"),
}
REASONS = ("request_human", "complaint", "threat", "strong_negative", "frustration",
           "repeated_fallback", "assistant_unavailable")  # fmt: skip
# Skewed so that the top 10 of 13 intents is a real cut.
INTENTS = {"ask_stock": 30, "ask_size": 25, "ask_shipping": 20, "ask_return": 12,
           "ask_discount": 10, "greet": 9, "complain": 8, "inform": 8, "thank": 5,
           "request_human": 4, "ask_invoice": 2, "bot_challenge": 1, "out_of_scope": 1}  # fmt: skip
SENTIMENTS = {"negative": 20, "neutral": 60, "positive": 15, None: 5}
RULES = ("E1", "E4", "E5", "E6", "E7")
# How handoffs go: kind -> weight.
OUTCOMES = {"fast": 5, "at_window": 1, "late": 3, "callback_in_time": 1, "callback_late": 1,
            "abandoned": 1, "stays_active": 1}  # fmt: skip


@dataclass
class Message:
    id: int
    conversation_id: str
    sender: str
    at: datetime
    agent_id: int | None = None
    seq: int = 0


@dataclass
class Reading:
    message_id: int
    conversation_id: str
    at: datetime
    read: bool
    intent: str | None = None
    sentiment: str | None = None
    fallback: bool = False


@dataclass
class Handoff:
    id: int
    conversation_id: str
    reason: str
    triggered_at: datetime
    trigger_message_id: int
    accepted_at: datetime | None = None
    accepted_by: int | None = None
    ended_at: datetime | None = None


@dataclass
class Flag:
    message_id: int
    conversation_id: str
    agent_id: int
    rule_ids: list[str]
    at: datetime


@dataclass
class World:
    """Everything generated; the tests compute their expected figures from this."""

    now: datetime
    window_s: float = WINDOW_S
    conversations: dict[str, datetime] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def by_conversation(self) -> dict[str, list[Message]]:
        """Each conversation's messages in seq order."""
        found: dict[str, list[Message]] = {}
        for message in sorted(self.messages, key=lambda m: (m.conversation_id, m.seq)):
            found.setdefault(message.conversation_id, []).append(message)
        return found


def local(
    day: date, hour: int, minute: int = 0, second: int = 0, tz: ZoneInfo = SHANGHAI
) -> datetime:
    """A wall-clock time of ``day`` in ``tz``, as UTC."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=tz).astimezone(timezone.utc)


def ms(value: float) -> timedelta:
    """``value`` seconds, rounded to whole milliseconds."""
    return timedelta(milliseconds=round(value * 1000))


class _Builder:
    """Generates one conversation after another into a World."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.next_message_id = 1
        self.next_handoff_id = 1

    def message(self, cid: str, sender: str, at: datetime, agent_id: int | None = None) -> Message:
        message = Message(self.next_message_id, cid, sender, at, agent_id)
        self.next_message_id += 1
        self.world.messages.append(message)
        if sender == "buyer":
            self.world.readings.append(self._reading(message))
        elif sender == "agent" and self.rng.random() < 0.3:
            rules = sorted(self.rng.sample(RULES, self.rng.choice((1, 1, 2))))
            self.world.flags.append(Flag(message.id, cid, agent_id or 0, rules, at))
        return message

    def _reading(self, message: Message) -> Reading:
        rng = self.rng
        if rng.random() < 0.1:
            return Reading(message.id, message.conversation_id, message.at, read=False)
        intent = rng.choices(list(INTENTS), weights=list(INTENTS.values()))[0]
        sentiment = rng.choices(list(SENTIMENTS), weights=list(SENTIMENTS.values()))[0]
        fallback = rng.random() < 0.1
        return Reading(
            message.id, message.conversation_id, message.at, True, intent, sentiment, fallback
        )

    def reply_delay(self) -> float:
        """A bot's reply delay spread over every bucket, with the limits themselves."""
        rng = self.rng
        kind = rng.choices(range(9), weights=(30, 25, 10, 8, 4, 3, 2, 2, 2))[0]
        return [rng.uniform(0.05, 1.0), rng.uniform(1.001, 5.0), rng.uniform(5.001, 10),
                rng.uniform(10.001, 30), rng.uniform(30.001, 60), rng.uniform(60.001, 180),
                rng.uniform(180.001, 900), 30.0, 1.0][kind]  # fmt: skip

    def conversation(self, cid: str, start: datetime, turns: int, hand_over: float) -> None:
        """A conversation of ``turns`` buyer turns; each bot turn hands over with
        probability ``hand_over``."""
        rng = self.rng
        self.world.conversations[cid] = start
        t = start
        person_until: datetime | None = None  # while a handoff is open: until when
        open_handoff: Handoff | None = None
        for turn in range(turns):
            t += ms(rng.uniform(2, 400))
            buyer = self.message(cid, "buyer", t)
            if rng.random() < 0.15:  # a second line before any answer
                self.message(cid, "buyer", t + ms(rng.uniform(0.5, 4)))
            if open_handoff is not None and (person_until is None or t < person_until):
                self._with_person(cid, open_handoff, t)
                continue
            if rng.random() < hand_over:
                open_handoff, person_until = self.handoff(cid, buyer)
            elif turn == turns - 1 and rng.random() < 0.1:
                pass  # the last line is never answered
            else:
                self.message(cid, "bot", t + ms(self.reply_delay()))

    def _with_person(self, cid: str, handoff: Handoff, t: datetime) -> None:
        # Waiting: the next agent or system line (already scheduled) answers; with a person:
        # the agent answers.
        if handoff.accepted_at is not None and t >= handoff.accepted_at:
            self.message(cid, "agent", t + ms(self.rng.uniform(3, 120)), handoff.accepted_by)

    def handoff(self, cid: str, trigger: Message) -> tuple[Handoff, datetime | None]:
        """Hand over at ``trigger``; returns the handoff and when it ends (None: never)."""
        rng, window = self.rng, self.world.window_s
        tb = trigger.at
        if rng.random() < 0.15:  # Rasa down: the gateway's apology after the timeout
            self.message(cid, "system", tb + ms(rng.uniform(10, 40)))
            reason = "assistant_unavailable"
        else:
            self.message(cid, "bot", tb + ms(rng.uniform(0.3, 3)))
            reason = rng.choice(REASONS[:-1])
        handoff = Handoff(self.next_handoff_id, cid, reason, tb, trigger.id)
        self.next_handoff_id += 1
        self.world.handoffs.append(handoff)
        kind = rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0]
        accept = {"fast": rng.uniform(2, 29.9), "at_window": window,
                  "stays_active": rng.uniform(2, 60),
                  "late": rng.uniform(window + 0.001, 300)}.get(kind)  # fmt: skip
        if kind == "callback_in_time":
            handoff.ended_at = tb + ms(rng.choice((rng.uniform(3, window - 1), window)))
            self.message(cid, "system", handoff.ended_at)
            return handoff, handoff.ended_at
        if accept is None or accept > window:
            self.message(cid, "system", tb + ms(window))  # the window is missed: told so
        if kind == "callback_late":
            handoff.ended_at = tb + ms(rng.uniform(window + 1, 200))
            self.message(cid, "system", handoff.ended_at)
            return handoff, handoff.ended_at
        if accept is None:  # abandoned: nobody, ever
            return handoff, None
        handoff.accepted_at = tb + ms(accept)
        handoff.accepted_by = rng.choice(list(AGENTS))
        self.message(cid, "agent", handoff.accepted_at, handoff.accepted_by)  # the greeting
        if kind == "stays_active":
            return handoff, None
        handoff.ended_at = handoff.accepted_at + ms(rng.uniform(60, 900))
        self.message(cid, "system", handoff.ended_at)  # handed back
        return handoff, handoff.ended_at


def generate(
    seed: int,
    days: list[date],
    conversations: int,
    now: datetime,
    hand_over: float = 0.12,
    tag: str = "c",
) -> World:
    """A World over ``days`` (plus a few hours either side) in Shanghai.

    A fifth of the conversations start in the last minutes before a midnight, so their
    messages fall on two days; two handoffs are triggered just before ``now`` and are
    still inside their window.
    """
    rng = random.Random(seed)
    world = World(now=now)
    builder = _Builder(world, rng)
    first, last = local(days[0], 0) - timedelta(hours=3), local(days[-1], 0) + timedelta(hours=27)
    span = (last - first).total_seconds()
    for k in range(conversations):
        if rng.random() < 0.2:
            midnight = local(rng.choice(days), 0) + timedelta(days=rng.choice((0, 1)))
            start = midnight - ms(rng.uniform(5, 600))
        else:
            start = first + ms(rng.uniform(0, span))
        builder.conversation(f"{tag}{k:06d}", start, rng.randint(1, 8), hand_over)
    for k in range(2):
        _pending_handoff(builder, f"{tag}-pending-{k}", now - ms(5 + 10 * k))
    _order(world)
    return world


def _pending_handoff(builder: _Builder, cid: str, at: datetime) -> None:
    builder.world.conversations[cid] = at
    trigger = builder.message(cid, "buyer", at)
    builder.message(cid, "bot", at + ms(1.5))
    handoff = Handoff(builder.next_handoff_id, cid, "request_human", at, trigger.id)
    builder.next_handoff_id += 1
    builder.world.handoffs.append(handoff)


def _order(world: World) -> None:
    """Number each conversation's messages in time order (``seq``)."""
    found: dict[str, list[Message]] = {}
    for message in world.messages:
        found.setdefault(message.conversation_id, []).append(message)
    for conversation in found.values():
        for seq, message in enumerate(sorted(conversation, key=lambda m: (m.at, m.id)), 1):
            message.seq = seq


async def seed(engine: AsyncEngine, world: World, open_handoffs: bool = True) -> None:
    """Write ``world`` into a database whose tables exist (``bot.db.upgrade_schema``).

    A database that already holds messages or handoffs (a running gateway's) keeps them:
    the world's ids are moved above the ones in use. The floor's agents are disabled (they
    never log in). ``open_handoffs=False`` stores every handoff as ended (its times kept,
    so the figures are the same) for a gateway that must not queue them.
    """
    async with engine.begin() as conn:
        last_message = await conn.scalar(select(func.coalesce(func.max(messages.c.id), 0)))
        last_handoff = await conn.scalar(select(func.coalesce(func.max(handoffs.c.id), 0)))
        _shift_ids(world, int(last_message or 0), int(last_handoff or 0))
        created = datetime(2026, 1, 1, tzinfo=timezone.utc)
        existing = {row.id for row in (await conn.execute(agents.select())).all()}
        rows = [dict(id=i, username=u, work_name=w, role=r, password_hash="x", max_chats=3,
                     disabled=True, created_at=created)
                for i, (u, w, r) in AGENTS.items() if i not in existing]  # fmt: skip
        if rows:
            await conn.execute(agents.insert(), rows)
        await conn.execute(conversations.insert(), [
            {"id": cid, "created_at": at, "script": "simplified"}
            for cid, at in world.conversations.items()])  # fmt: skip
        await conn.execute(messages.insert(), [_message_row(m) for m in world.messages])
        await conn.execute(buyer_readings.insert(), [_reading_row(r) for r in world.readings])
        rows = [_handoff_row(h, world) for h in world.handoffs]
        if not open_handoffs:
            rows = [{**row, "state": "ended"} for row in rows]
        await conn.execute(handoffs.insert(), rows)
        if world.flags:
            await conn.execute(etiquette_flags.insert(), [
                {"message_id": f.message_id, "conversation_id": f.conversation_id,
                 "agent_id": f.agent_id, "rule_ids": f.rule_ids, "created_at": f.at}
                for f in world.flags])  # fmt: skip


def _shift_ids(world: World, messages_by: int, handoffs_by: int) -> None:
    for message in world.messages:
        message.id += messages_by
    for reading in world.readings:
        reading.message_id += messages_by
    for flag in world.flags:
        flag.message_id += messages_by
    for handoff in world.handoffs:
        handoff.id += handoffs_by
        handoff.trigger_message_id += messages_by


def _message_row(m: Message) -> dict[str, object]:
    custom = {"agent": {"work_name": AGENTS[m.agent_id][1]}} if m.agent_id else None
    return {"id": m.id, "conversation_id": m.conversation_id, "seq": m.seq,
            "sender": m.sender, "text": f"{m.sender} {m.id}", "buttons": [], "custom": custom,
            "created_at": m.at}  # fmt: skip


def _reading_row(r: Reading) -> dict[str, object]:
    return {"message_id": r.message_id, "conversation_id": r.conversation_id,
            "channel": "websocket", "created_at": r.at, "entities": [],
            "intent": r.intent, "confidence": 0.9 if r.read else None,
            "sentiment": r.sentiment, "sentiment_confidence": 0.8 if r.sentiment else None,
            "fallback": r.fallback if r.read else None, "source": "rasa" if r.read else None,
            "read_at": r.at + timedelta(seconds=1) if r.read else None}  # fmt: skip


def _handoff_row(h: Handoff, world: World) -> dict[str, object]:
    window = timedelta(seconds=world.window_s)
    fallback_at = h.triggered_at + window
    missed = h.accepted_at is None or h.accepted_at > fallback_at
    if h.ended_at is not None:
        state = "ended"
    else:
        state = "active" if h.accepted_at is not None else "waiting"
    return {"id": h.id, "conversation_id": h.conversation_id, "state": state,
            "reason": h.reason, "sentiment": None, "intent": None, "slots": {},
            "trigger_message_id": h.trigger_message_id, "paused_after_seq": 0,
            "triggered_at": h.triggered_at, "offer_all_at": h.triggered_at + window / 2,
            "fallback_at": fallback_at, "stage": 2 if missed and world.now > fallback_at else 0,
            "declined_by": [], "accepted_by": h.accepted_by, "accepted_at": h.accepted_at,
            "ended_at": h.ended_at, "outcome": "handed_back" if h.ended_at else None}  # fmt: skip
