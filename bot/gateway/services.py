"""The gateway's long-lived objects, built once at server start and closed at stop.

Handlers reach them through ``services_of(request)``; later pieces (handoff queue, agent
registry) are added here so that every handler sees the same instances.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from sanic import Request, Sanic
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cluster.node import ClusterNode
from bot.console.canned import CannedReplies, CannedReplyStore
from bot.console.etiquette_review import EtiquetteFlagStore, EtiquetteReview
from bot.db import create_engine_for, upgrade_schema
from bot.etiquette import EtiquetteChecker
from bot.gateway.chat import ChatService
from bot.gateway.hub import ConnectionHub
from bot.gateway.messages import GatewayMessages, load_messages
from bot.gateway.rasa_client import RasaClient
from bot.gateway.readings import MessageReadings
from bot.gateway.store import ConversationStore
from bot.handoff.accounts import ensure_admin
from bot.handoff.desk import AgentDesk
from bot.handoff.service import HandoffService
from bot.handoff.store import HandoffStore
from bot.settings import Settings
from bot.shop import ShopRepository, load_shop_data
from bot.shop.loader import read_yaml
from bot.text.chinese_script import to_simplified, to_traditional
from bot.trainer.relabeling import Relabeler, RelabelStore
from bot.trainer.runner import TrainingRunner
from bot.transcripts.entries import TranscriptStore
from bot.transcripts.housekeeping import Housekeeping
from bot.transcripts.log_redaction import install_log_redaction
from bot.transcripts.readings import ReadingRecorder, ReadingStore
from bot.transcripts.redaction import Redactor
from bot.transcripts.retention import RetentionStore
from bot.transcripts.review import ReviewStore

SHOP_FACTS_FILE = "shop.yml"


@dataclass
class GatewayServices:
    """Everything a request handler may use."""

    settings: Settings
    http: aiohttp.ClientSession
    engine: AsyncEngine
    store: ConversationStore
    rasa: RasaClient
    messages: GatewayMessages
    chat: ChatService
    hub: ConnectionHub
    handoffs: HandoffService
    desk: AgentDesk
    shop: ShopRepository
    etiquette: EtiquetteReview
    flags: EtiquetteFlagStore
    canned: CannedReplies
    readings: MessageReadings
    redactor: Redactor
    transcripts: TranscriptStore
    housekeeping: Housekeeping
    review: ReviewStore
    relabeler: Relabeler
    training: TrainingRunner
    cluster: ClusterNode | None = None  # several gateway processes (REDIS_URL)

    @classmethod
    async def start(cls, settings: Settings) -> GatewayServices:
        """Load texts, open the database (migrated to the newest schema), join the other
        gateway processes when ``REDIS_URL`` is set, open the shared HTTP session."""
        messages = await asyncio.to_thread(load_messages)
        # OpenCC loads its dictionaries on first use; do it now, not during a buyer's message.
        await asyncio.to_thread(lambda: (to_traditional("简体"), to_simplified("簡體")))
        engine = await asyncio.to_thread(create_engine_for, settings.gateway_db_url)
        await upgrade_schema(engine)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.http_timeout_s))
        store = ConversationStore(engine)
        rasa = RasaClient(http, settings)
        cluster = await _join_cluster(settings)
        hub = cluster.hub if cluster else ConnectionHub()
        handoff_store = HandoffStore(engine)
        if settings.admin_username and settings.admin_password:
            await ensure_admin(handoff_store, settings.admin_username, settings.admin_password)
        shop_facts = await asyncio.to_thread(read_yaml, settings.shop_data_dir / SHOP_FACTS_FILE)
        handoffs = HandoffService(
            handoff_store,
            store,
            hub,
            messages,
            {k: v for k, v in shop_facts.items() if isinstance(v, str)},
            settings.handoff,
            lock=cluster.queue_lock if cluster else None,
        )
        await handoffs.start(requeue_offers=cluster is None)
        if cluster is not None:
            await cluster.start(handoffs)
        redactor = await asyncio.to_thread(Redactor.from_settings, settings)
        install_log_redaction(redactor)
        desk = AgentDesk(handoffs, rasa, redact=redactor.redact)
        recorder = ReadingRecorder(ReadingStore(engine), rasa)
        chat = ChatService(
            store, rasa, messages, settings.max_message_chars, handoffs, desk,
            redact=redactor.redact, readings=recorder,
            turns=cluster.turns if cluster else None, turn_wait_s=settings.http_timeout_s + 5,
        )  # fmt: skip
        housekeeping = Housekeeping(
            recorder, RetentionStore(engine), settings.transcript_retention_days
        )
        housekeeping.start()
        shop = await asyncio.to_thread(_open_shop, settings)
        etiquette = EtiquetteReview(await asyncio.to_thread(EtiquetteChecker.default))
        canned = CannedReplies(CannedReplyStore(engine), etiquette)
        await canned.seed()
        return cls(
            settings, http, engine, store, rasa, messages, chat, hub, handoffs, desk,
            shop, etiquette, EtiquetteFlagStore(engine), canned, MessageReadings(recorder),
            redactor, TranscriptStore(engine), housekeeping, ReviewStore(engine),
            Relabeler(RelabelStore(engine), settings.trainer_project_dir),
            TrainingRunner(settings), cluster,
        )  # fmt: skip

    async def close(self) -> None:
        """Stop the background work, close the HTTP session, dispose of the database engine."""
        await self.housekeeping.close()
        await self.handoffs.close()
        if self.cluster is not None:
            await self.cluster.close()
        await self.http.close()
        await self.engine.dispose()


async def _join_cluster(settings: Settings) -> ClusterNode | None:
    if settings.redis_url is None:
        return None
    return await ClusterNode.connect(settings.redis_url, settings.node_name)


def _open_shop(settings: Settings) -> ShopRepository:
    # `make run` builds the shop database before starting the processes; a gateway run on
    # its own builds it from the same files.
    if not settings.shop_db_path.exists():
        load_shop_data(settings.shop_data_dir, settings.shop_db_path)
    return ShopRepository(settings.shop_db_path)


def services_of(request: Request) -> GatewayServices:
    """The running app's services."""
    return app_services(request.app)


def app_services(app: Sanic) -> GatewayServices:
    """The services attached to ``app`` by its startup hook."""
    return app.ctx.services
