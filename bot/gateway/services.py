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

from bot.gateway.chat import ChatService
from bot.gateway.messages import GatewayMessages, load_messages
from bot.gateway.rasa_client import RasaClient
from bot.gateway.store import ConversationStore, create_engine_for, create_tables
from bot.settings import Settings
from bot.text.chinese_script import to_simplified, to_traditional


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

    @classmethod
    async def start(cls, settings: Settings) -> GatewayServices:
        """Load texts, open the database (creating tables) and the shared HTTP session."""
        messages = await asyncio.to_thread(load_messages)
        # OpenCC loads its dictionaries on first use; do it now, not during a buyer's message.
        await asyncio.to_thread(lambda: (to_traditional("简体"), to_simplified("簡體")))
        engine = await asyncio.to_thread(create_engine_for, settings.gateway_db_url)
        await create_tables(engine)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.http_timeout_s))
        store = ConversationStore(engine)
        rasa = RasaClient(http, settings)
        chat = ChatService(store, rasa, messages, settings.max_message_chars)
        return cls(settings, http, engine, store, rasa, messages, chat)

    async def close(self) -> None:
        """Close the HTTP session and dispose of the database engine."""
        await self.http.close()
        await self.engine.dispose()


def services_of(request: Request) -> GatewayServices:
    """The running app's services."""
    return app_services(request.app)


def app_services(app: Sanic) -> GatewayServices:
    """The services attached to ``app`` by its startup hook."""
    return app.ctx.services
