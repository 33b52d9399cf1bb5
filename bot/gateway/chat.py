"""ChatService: the one place where a buyer's message is handled, whatever the transport.

validate → store → who has the conversation? → (bot) Rasa → answer in the buyer's script
→ store replies → a handoff the bot asked for is queued. While a human has the
conversation the message goes to the agent instead; when Rasa or the action server is
down, the gateway itself apologises and puts the buyer through to a human.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.db import utcnow
from bot.errors import UnknownConversationError, UpstreamError
from bot.gateway.messages import GatewayMessages
from bot.gateway.models import BotReply, Button, Channel, Conversation, Script, StoredMessage
from bot.gateway.protocol import BuyerText, ErrorCode, bad_request
from bot.gateway.store import ConversationStore
from bot.gateway.turns import LocalTurnLeases, TurnLeases
from bot.handoff.desk import AgentDesk
from bot.handoff.service import HandoffRequest, HandoffService
from bot.text.chinese_script import is_traditional, to_traditional
from bot.transcripts.readings import ReadingRecorder

log = logging.getLogger(__name__)

WELCOME_HISTORY_LIMIT = 50
# Script detection looks at a prefix: enough to decide, cheap enough for the event loop.
SCRIPT_SAMPLE_CHARS = 200
HANDOFF_KEY = "handoff"
ASSISTANT_UNAVAILABLE = "assistant_unavailable"


class Assistant(Protocol):
    """What ChatService needs from Rasa (RasaClient in production, a stand-in in tests)."""

    async def send(
        self, conversation_id: str, text: str, metadata: Mapping[str, Any]
    ) -> list[BotReply]:
        """Return the assistant's replies to one buyer message; raise UpstreamError if down."""
        ...


@dataclass(frozen=True)
class ChatTurn:
    """The outcome of one buyer message."""

    buyer_message: StoredMessage
    replies: list[StoredMessage]
    is_duplicate: bool
    handoff_status: dict[str, Any] | None = None  # sent after the replies when handed off


def conversation_tag(conversation_id: str) -> str:
    """A short, stable tag for logs: the id itself is the buyer's key and is never logged."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:10]


def detect_script(text: str) -> Script | None:
    """The script ``text`` is written in, or None when it reads the same in both."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if is_traditional(sample):
        return "traditional"
    if to_traditional(sample) != sample:
        return "simplified"
    return None


def in_script(reply: BotReply, script: Script) -> BotReply:
    """``reply`` with its text and button titles converted to ``script`` (payloads untouched)."""
    if script == "simplified":
        return reply
    return BotReply(
        text=to_traditional(reply.text) if reply.text else reply.text,
        buttons=tuple(Button(to_traditional(b.title), b.payload) for b in reply.buttons),
        custom=reply.custom,
    )


class ChatService:
    """Handles buyer messages and conversations for every transport."""

    def __init__(
        self,
        store: ConversationStore,
        assistant: Assistant,
        messages: GatewayMessages,
        max_message_chars: int,
        handoffs: HandoffService,
        desk: AgentDesk,
        redact: Callable[[str], str] = str,
        readings: ReadingRecorder | None = None,
        turns: TurnLeases | None = None,
        turn_wait_s: float = 15.0,
    ) -> None:
        self._store = store
        self._assistant = assistant
        self.messages = messages
        self._max_chars = max_message_chars
        self._handoffs = handoffs
        self._desk = desk
        self._redact = redact
        self._readings = readings
        self._turns = turns or LocalTurnLeases()
        # How long a re-sent message waits for its first turn (Rasa's time-out and more).
        self._turn_wait_s = turn_wait_s

    async def open_conversation(self, conversation_id: str | None) -> Conversation:
        """Resume the conversation with this id, or start a new one if it is missing/unknown."""
        if conversation_id:
            conversation = await self._store.get_conversation(conversation_id)
            if conversation is not None:
                return conversation
        conversation = await self._store.create_conversation()
        log.info("conversation %s started", conversation_tag(conversation.id))
        return conversation

    async def history(self, conversation_id: str, limit: int | None = None) -> list[StoredMessage]:
        """The conversation's transcript (last ``limit`` messages when given).

        Raises:
            UnknownConversationError: no such conversation.
        """
        await self._conversation(conversation_id)
        return await self._store.history(conversation_id, limit)

    async def handle_buyer_message(
        self,
        conversation_id: str,
        message: BuyerText,
        on_stored: Callable[[StoredMessage], Awaitable[None]] | None = None,
        channel: Channel = "websocket",
    ) -> ChatTurn:
        """Validate, redact, store, ask the assistant, store and return the replies.

        Personal data (phone numbers, addresses …) is redacted before the line is stored
        or sent to Rasa, so neither the transcript nor Rasa's tracker ever holds it.

        ``on_stored`` is awaited as soon as the buyer's message is safely stored (before the
        assistant is asked), so a transport can acknowledge it without waiting for Rasa.

        Raises:
            BadRequestError: empty or too long (with a polite ``buyer_notice``).
            UnknownConversationError: no such conversation.
            StorageError: the database failed (the message may not be stored).
        """
        conversation = await self._conversation(conversation_id)
        text = self._redact(self._validated_text(message.text, conversation.script))
        buyer_message, is_new = await self._store.add_buyer_message(
            conversation.id, text, message.client_message_id, channel
        )
        if on_stored is not None:
            await on_stored(buyer_message)
        if not is_new and not await self._left_unanswered(conversation.id, buyer_message):
            replies = await self._store.replies_to(buyer_message.id)
            status = await self._handoffs.current_status(conversation.id)
            return ChatTurn(buyer_message, replies, is_duplicate=True, handoff_status=status)
        script = detect_script(text) or conversation.script
        if script != conversation.script:
            await self._store.set_script(conversation.id, script)
        async with self._turns.hold(buyer_message.id):
            turn = await self._route(conversation.id, buyer_message, script)
        self._record_readings(conversation.id)
        return turn

    async def _left_unanswered(self, conversation_id: str, buyer_message: StoredMessage) -> bool:
        """Whether a re-sent message was stored but its turn died with its gateway process:
        no turn holds it (after waiting for one that does), it is still the conversation's
        last line, and the bot has the conversation."""
        if not await self._turns.wait_released(buyer_message.id, self._turn_wait_s):
            return False
        last = await self._store.history(conversation_id, limit=1)
        if not last or last[-1].id != buyer_message.id:
            return False
        mode = await self._handoffs.store.mode_of(conversation_id)
        return mode.mode in ("bot", "closed")

    def _record_readings(self, conversation_id: str) -> None:
        """Have the bot's reading of the new line recorded soon, off the buyer's path."""
        if self._readings is not None:
            self._readings.mark(conversation_id)

    async def _route(
        self, conversation_id: str, buyer_message: StoredMessage, script: Script
    ) -> ChatTurn:
        """To the agent while a human has the conversation; otherwise to the bot."""
        mode = await self._handoffs.store.mode_of(conversation_id)
        if mode.mode in ("waiting", "human"):
            await self._desk.buyer_wrote(conversation_id, buyer_message)
            return ChatTurn(buyer_message, [], is_duplicate=False)
        if mode.mode == "closed":
            await self._handoffs.store.set_mode(
                conversation_id, "bot", mode.handoff_id, mode.resume_after_seq
            )
        if mode.resume_after_seq is not None:
            await self._desk.resume_bot(conversation_id)
        return await self._answer(conversation_id, buyer_message, script)

    async def _conversation(self, conversation_id: str) -> Conversation:
        conversation = await self._store.get_conversation(conversation_id)
        if conversation is None:
            raise UnknownConversationError("no such conversation")
        return conversation

    def _validated_text(self, raw: str, script: Script) -> str:
        text = raw.strip()
        if not text:
            notice = self._notice(self.messages.empty_message, script)
            raise bad_request(ErrorCode.EMPTY, "the message is empty", notice)
        if len(text) > self._max_chars:
            notice = self._notice(self.messages.too_long_notice(self._max_chars), script)
            reason = f"the message has {len(text)} characters; the limit is {self._max_chars}"
            raise bad_request(ErrorCode.TOO_LONG, reason, notice)
        return text

    async def _answer(
        self, conversation_id: str, buyer_message: StoredMessage, script: Script
    ) -> ChatTurn:
        # Rasa gets the buyer's own words: its pipeline normalises the script itself
        # (bot.nlu.normalizer), so its tracker, like the transcript, keeps what was written.
        text = buyer_message.text or ""
        metadata = {"script": script, "message_id": buyer_message.id}
        try:
            replies = await self._assistant.send(conversation_id, text, metadata)
        except UpstreamError as err:
            log.warning(
                "assistant unavailable for conversation %s: %s",
                conversation_tag(conversation_id),
                err,
            )
            replies = []
        visible = [reply for reply in replies if not (reply.custom or {}).get(HANDOFF_KEY)]
        if not visible:
            # Every buyer message gets a reply (E3): no answer at all means the assistant
            # or its action server is down, and a person takes over.
            return await self._hand_over_unanswered(conversation_id, buyer_message, script)
        converted = [in_script(reply, script) for reply in visible]
        stored = await self._store.add_replies(conversation_id, "bot", converted, buyer_message.id)
        payload = next(
            (r.custom[HANDOFF_KEY] for r in replies if (r.custom or {}).get(HANDOFF_KEY)), None
        )
        if payload is None:
            return ChatTurn(buyer_message, stored, is_duplicate=False)
        request = self._request(conversation_id, buyer_message, stored[-1].seq, payload)
        return await self._queue_handoff(buyer_message, stored, request)

    async def _hand_over_unanswered(
        self, conversation_id: str, buyer_message: StoredMessage, script: Script
    ) -> ChatTurn:
        apology = in_script(BotReply(self.messages.assistant_unavailable), script)
        stored = await self._store.add_replies(
            conversation_id, "system", [apology], buyer_message.id
        )
        # Rasa never recorded this message: it is replayed to Rasa at the hand-back.
        payload = {"reason": ASSISTANT_UNAVAILABLE}
        request = self._request(conversation_id, buyer_message, buyer_message.seq - 1, payload)
        return await self._queue_handoff(buyer_message, stored, request)

    @staticmethod
    def _request(
        conversation_id: str, buyer_message: StoredMessage, paused_after_seq: int, payload: Any
    ) -> HandoffRequest:
        payload = payload if isinstance(payload, dict) else {}
        slots = payload.get("slots")
        sentiment = payload.get("sentiment")
        return HandoffRequest(
            conversation_id=conversation_id,
            reason=str(payload.get("reason") or "request_human")[:32],
            # The 30-second window counts from the buyer's message, not from Rasa's answer.
            triggered_at=min(buyer_message.created_at, utcnow()),
            paused_after_seq=paused_after_seq,
            trigger_message_id=buyer_message.id,
            sentiment=sentiment if isinstance(sentiment, dict) else None,
            intent=str(payload["intent"]) if payload.get("intent") else None,
            slots=slots if isinstance(slots, dict) else {},
        )

    async def _queue_handoff(
        self, buyer_message: StoredMessage, stored: list[StoredMessage], request: HandoffRequest
    ) -> ChatTurn:
        _handoff, notices = await self._handoffs.request(request)
        status = await self._handoffs.current_status(request.conversation_id)
        return ChatTurn(
            buyer_message, [*stored, *notices], is_duplicate=False, handoff_status=status
        )

    @staticmethod
    def _notice(text: str, script: Script) -> str:
        return to_traditional(text) if script == "traditional" else text
