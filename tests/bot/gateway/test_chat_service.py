"""ChatService with a real SQLite store and a hand-written stand-in for Rasa."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.db import create_engine_for, upgrade_schema
from bot.errors import BadRequestError, UnknownConversationError, UpstreamError
from bot.gateway.chat import ChatService, detect_script
from bot.gateway.hub import ConnectionHub
from bot.gateway.messages import GatewayMessages, load_messages
from bot.gateway.models import BotReply, Button
from bot.gateway.protocol import BuyerText
from bot.gateway.store import ConversationStore
from bot.handoff.desk import AgentDesk
from bot.handoff.service import HandoffService
from bot.handoff.settings import HandoffSettings
from bot.handoff.store import HandoffStore

MAX_CHARS = 20
SHOP_FACTS = {
    "callback_promise": "2 小时内回电",
    "service_hours": "9:00-22:00",
    "assistant_name": "小悦",
}


class StandInAssistant:
    """Answers with canned replies (or fails), recording what it was sent."""

    def __init__(self, store: ConversationStore, replies: list[BotReply]) -> None:
        self.store = store
        self.replies = replies
        self.down = False
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.history_seen: list[list[str | None]] = []
        self.appended: list[tuple[str, list[Any]]] = []

    async def send(
        self, conversation_id: str, text: str, metadata: Mapping[str, Any]
    ) -> list[BotReply]:
        self.calls.append((conversation_id, text, dict(metadata)))
        # What is already stored when Rasa is asked: the buyer's message must be.
        stored = await self.store.history(conversation_id)
        self.history_seen.append([m.text for m in stored])
        if self.down:
            raise UpstreamError("connection refused")
        return self.replies

    async def append_events(self, conversation_id: str, events: Any) -> None:
        self.appended.append((conversation_id, list(events)))

    async def parse(self, text: str) -> dict[str, Any]:
        return {"intent": {"name": "inform", "confidence": 0.9}, "entities": [], "text": text}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ConversationStore]:
    engine = create_engine_for(f"sqlite+aiosqlite:///{tmp_path / 'state' / 'gateway.sqlite3'}")
    await upgrade_schema(engine)
    yield ConversationStore(engine)
    await engine.dispose()


@pytest.fixture
def messages() -> GatewayMessages:
    return load_messages()


@pytest.fixture
def assistant(store: ConversationStore) -> StandInAssistant:
    reply = BotReply("您好,请问您想看哪款呢?", (Button("查看尺码", "/ask_size"),), None)
    return StandInAssistant(store, [reply, BotReply("还有什么可以帮您的吗?")])


@pytest.fixture
async def handoffs(store, messages) -> AsyncIterator[HandoffService]:
    service = HandoffService(
        HandoffStore(store._engine),
        store,
        ConnectionHub(),
        messages,
        SHOP_FACTS,
        HandoffSettings(),
    )
    await service.start()
    yield service
    await service.close()


@pytest.fixture
def chat(store, assistant, messages, handoffs) -> ChatService:
    desk = AgentDesk(handoffs, assistant)
    return ChatService(store, assistant, messages, MAX_CHARS, handoffs, desk)


async def test_buyer_message_is_stored_before_rasa_and_replies_after(chat, assistant) -> None:
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("有货吗", "c1"))
    assert assistant.history_seen == [["有货吗"]]
    assert assistant.calls == [
        (conversation.id, "有货吗", {"script": "simplified", "message_id": turn.buyer_message.id})
    ]
    assert [r.text for r in turn.replies] == ["您好,请问您想看哪款呢?", "还有什么可以帮您的吗?"]
    assert turn.replies[0].buttons == (Button("查看尺码", "/ask_size"),)
    assert {r.sender for r in turn.replies} == {"bot"}
    assert {r.in_reply_to for r in turn.replies} == {turn.buyer_message.id}
    history = await chat.history(conversation.id)
    assert [m.seq for m in history] == [1, 2, 3]


async def test_traditional_buyer_is_answered_in_traditional(chat, assistant, store) -> None:
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("請問這件還有貨嗎"))
    assert turn.buyer_message.text == "請問這件還有貨嗎"  # the transcript keeps what was written
    _cid, rasa_text, metadata = assistant.calls[0]
    assert rasa_text == "請問這件還有貨嗎"  # Rasa normalises the script in its pipeline
    assert metadata["script"] == "traditional"
    assert turn.replies[0].text == "您好,請問您想看哪款呢?"
    assert turn.replies[0].buttons == (Button("查看尺碼", "/ask_size"),)
    assert (await store.get_conversation(conversation.id)).script == "traditional"


async def test_script_neutral_message_keeps_the_conversations_script(chat) -> None:
    conversation = await chat.open_conversation(None)
    await chat.handle_buyer_message(conversation.id, BuyerText("這個"))
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("👍👍"))
    assert turn.replies[1].text == "還有什麼可以幫您的嗎?"


async def test_rasa_down_stores_message_and_apologises(chat, assistant, messages) -> None:
    assistant.down = True
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("<b>人呢</b>"))
    notice = messages.render("handoff_no_agents", **SHOP_FACTS)
    assert [(r.sender, r.text) for r in turn.replies] == [
        ("system", messages.assistant_unavailable),
        ("system", notice),
    ]
    assert turn.handoff_status is not None
    assert turn.handoff_status["mode"] == "waiting"
    history = await chat.history(conversation.id)
    assert [m.text for m in history] == ["<b>人呢</b>", messages.assistant_unavailable, notice]


@pytest.mark.parametrize(
    ("text", "code"), [("", "empty"), (" \n\t ", "empty"), ("好" * (MAX_CHARS + 1), "too_long")]
)
async def test_rejected_text_is_not_stored(chat, assistant, messages, text, code) -> None:
    conversation = await chat.open_conversation(None)
    with pytest.raises(BadRequestError) as caught:
        await chat.handle_buyer_message(conversation.id, BuyerText(text))
    assert caught.value.code == code
    expected = messages.empty_message if code == "empty" else messages.too_long_notice(MAX_CHARS)
    assert caught.value.buyer_notice == expected
    assert assistant.calls == []
    assert await chat.history(conversation.id) == []


async def test_text_at_the_limit_is_accepted(chat) -> None:
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("好" * MAX_CHARS))
    assert turn.buyer_message.text == "好" * MAX_CHARS


async def test_duplicate_client_message_id_is_answered_from_the_store(chat, assistant) -> None:
    conversation = await chat.open_conversation(None)
    first = await chat.handle_buyer_message(conversation.id, BuyerText("发顺丰吗", "same"))
    again = await chat.handle_buyer_message(conversation.id, BuyerText("发顺丰吗", "same"))
    assert again.is_duplicate and not first.is_duplicate
    assert again.buyer_message == first.buyer_message
    assert again.replies == first.replies
    assert len(assistant.calls) == 1
    assert len(await chat.history(conversation.id)) == 3


async def test_same_client_id_in_another_conversation_is_a_new_message(chat) -> None:
    first = await chat.open_conversation(None)
    second = await chat.open_conversation(None)
    await chat.handle_buyer_message(first.id, BuyerText("在吗", "x"))
    turn = await chat.handle_buyer_message(second.id, BuyerText("在吗", "x"))
    assert not turn.is_duplicate


async def test_unknown_conversation(chat) -> None:
    with pytest.raises(UnknownConversationError):
        await chat.handle_buyer_message("nope", BuyerText("你好"))
    with pytest.raises(UnknownConversationError):
        await chat.history("nope")


async def test_open_conversation_resumes_known_and_replaces_unknown(chat) -> None:
    conversation = await chat.open_conversation(None)
    assert (await chat.open_conversation(conversation.id)).id == conversation.id
    assert (await chat.open_conversation("forged")).id not in {"forged", conversation.id}


async def test_history_limit_returns_the_latest_in_order(chat) -> None:
    conversation = await chat.open_conversation(None)
    for n in range(3):
        await chat.handle_buyer_message(conversation.id, BuyerText(f"第{n}条"))
    latest = await chat.history(conversation.id, limit=4)
    assert [m.seq for m in latest] == [6, 7, 8, 9]


@pytest.mark.parametrize(
    ("text", "script"),
    [("请问", "simplified"), ("請問", "traditional"), ("👍", None), ("您好", None)],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


async def test_on_stored_runs_before_the_assistant_is_asked(chat, assistant) -> None:
    conversation = await chat.open_conversation(None)
    acknowledged: list[tuple[int, int]] = []

    async def on_stored(message) -> None:
        acknowledged.append((message.id, len(assistant.calls)))

    turn = await chat.handle_buyer_message(conversation.id, BuyerText("在吗"), on_stored)
    assert acknowledged == [(turn.buyer_message.id, 0)]


async def test_no_reply_at_all_means_the_action_server_is_down(chat, assistant, messages) -> None:
    assistant.replies = []  # what Rasa answers when its action server is unreachable
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("有M码吗"))
    assert turn.replies[0].text == messages.assistant_unavailable
    assert turn.handoff_status["reason"] == "assistant_unavailable"


async def test_handoff_payload_is_queued_not_shown(chat, assistant, handoffs) -> None:
    payload = {"reason": "threat", "sentiment": {"label": "negative", "confidence": 0.9},
               "intent": "complain", "slots": {"order_id": "A1001"}}  # fmt: skip
    assistant.replies = [BotReply("非常理解您的心情…"), BotReply(None, custom={"handoff": payload})]
    conversation = await chat.open_conversation(None)
    turn = await chat.handle_buyer_message(conversation.id, BuyerText("我要投诉"))
    assert [r.sender for r in turn.replies] == ["bot", "system"]  # the reply, nobody-online
    assert all(r.custom is None for r in turn.replies)
    handoff = await handoffs.store.open_handoff_for(conversation.id)
    assert (handoff.reason, handoff.slots) == ("threat", {"order_id": "A1001"})
    assert handoff.trigger_message_id == turn.buyer_message.id
    assert handoff.triggered_at == turn.buyer_message.created_at
    # While waiting for a person, the bot is not asked again.
    calls = len(assistant.calls)
    later = await chat.handle_buyer_message(conversation.id, BuyerText("人呢"))
    assert later.replies == [] and len(assistant.calls) == calls
