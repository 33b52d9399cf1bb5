"""An in-process handoff service over a real database (SQLite, then PostgreSQL), with
recording sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.db import create_engine_for, upgrade_schema
from bot.gateway.hub import ConnectionHub
from bot.gateway.messages import load_messages
from bot.gateway.store import ConversationStore
from bot.handoff.accounts import create_account
from bot.handoff.desk import AgentDesk
from bot.handoff.models import Agent
from bot.handoff.service import HandoffService
from bot.handoff.settings import HandoffSettings
from bot.handoff.store import HandoffStore

SHOP_FACTS = {
    "callback_promise": "2 小时内回电",
    "service_hours": "9:00-22:00",
    "assistant_name": "小悦",
}
FAST = HandoffSettings(offer_all_after_s=0.4, window_s=0.8, max_chats=2, idle_after_s=30)


@dataclass(eq=False)
class Sink:
    """A socket that records the frames it is sent."""

    frames: list[dict[str, Any]] = field(default_factory=list)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)

    def events(self) -> list[str]:
        return [f["event"] for f in self.frames if f["type"] == "handoff" and "event" in f]


@dataclass
class RecordingTracker:
    """Rasa's tracker API as the desk uses it; ``down`` makes it refuse."""

    appended: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    down: bool = False

    async def append_events(self, conversation_id: str, events: Any) -> None:
        from bot.errors import UpstreamError

        if self.down:
            raise UpstreamError("connection refused")
        self.appended.append((conversation_id, list(events)))

    async def parse(self, text: str) -> dict[str, Any]:
        from bot.errors import UpstreamError

        if self.down:
            raise UpstreamError("connection refused")
        return {"intent": {"name": "inform", "confidence": 0.9}, "entities": [], "text": text}


@dataclass
class Desk:
    """Everything a handoff test needs."""

    service: HandoffService
    desk: AgentDesk
    conversations: ConversationStore
    hub: ConnectionHub
    tracker: RecordingTracker
    db_url: str

    async def agent(self, username: str, role: str = "agent") -> Agent:
        return await create_account(
            self.service.store, username, "password1", f"客服{username}", role
        )

    async def online(self, agent: Agent) -> Sink:
        sink = Sink()
        self.hub.add_agent(agent.id, sink)
        await self.service.presence.connected(agent)
        return sink

    async def buyer(self, conversation_id: str) -> Sink:
        sink = Sink()
        self.hub.add_buyer(conversation_id, sink)
        return sink


DeskFactory = Callable[..., Any]


@pytest.fixture
async def make_desk(gateway_db_url: str) -> AsyncIterator[DeskFactory]:
    """Build desks over one database (two in a row = a gateway restart; two at once with
    a shared ``lock`` = two gateway processes)."""
    db_url = gateway_db_url
    built: list[tuple[HandoffService, Any]] = []

    async def build(settings: HandoffSettings = FAST, lock: Any = None) -> Desk:
        engine = create_engine_for(db_url)
        await upgrade_schema(engine)
        conversations = ConversationStore(engine)
        hub = ConnectionHub()
        service = HandoffService(
            HandoffStore(engine),
            conversations,
            hub,
            load_messages(),
            SHOP_FACTS,
            settings,
            lock=lock,
        )
        await service.start()
        built.append((service, engine))
        tracker = RecordingTracker()
        return Desk(service, AgentDesk(service, tracker), conversations, hub, tracker, db_url)

    yield build
    for service, engine in built:
        await service.close()
        await engine.dispose()


@pytest.fixture
async def desk(make_desk: DeskFactory) -> Desk:
    return await make_desk()
