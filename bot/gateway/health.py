"""``GET /health``: is Rasa, the action server and the database answering?

200 when everything is up, 503 (same body) when anything is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, HTTPResponse, Request
from sanic.response import json

from bot.errors import ShopAssistantError
from bot.gateway.services import GatewayServices, services_of

health = Blueprint("health")


async def _probe(check: Callable[[], Awaitable[str]]) -> dict[str, Any]:
    try:
        return {"ok": True, "detail": await check()}
    except ShopAssistantError as err:
        return {"ok": False, "detail": str(err)}


async def _database_check(services: GatewayServices) -> str:
    await services.store.ping()
    return "SELECT 1 ok"


async def health_report(services: GatewayServices) -> dict[str, Any]:
    """Probe the three dependencies concurrently and summarise."""
    rasa, action_server, database = await asyncio.gather(
        _probe(services.rasa.rasa_status),
        _probe(services.rasa.action_server_status),
        _probe(lambda: _database_check(services)),
    )
    all_ok = rasa["ok"] and action_server["ok"] and database["ok"]
    return {
        "status": "ok" if all_ok else "degraded",
        "rasa": rasa,
        "action_server": action_server,
        "database": database,
    }


@health.get("/health")
async def health_check(request: Request) -> HTTPResponse:
    """200 with ``status: ok``, or 503 with ``status: degraded`` and what is down."""
    report = await health_report(services_of(request))
    return json(report, status=200 if report["status"] == "ok" else 503)
