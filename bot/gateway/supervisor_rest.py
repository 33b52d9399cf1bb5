"""Supervisors' part of the agent API: the floor at a glance, taking over, tickets."""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

from sanic import HTTPResponse, Request
from sanic.response import json

from bot.gateway.agent_auth import current_agent, require_supervisor
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.services import GatewayServices, services_of
from bot.handoff.views import agent_view, breach_view, missed_window

supervisor_rest = agent_blueprint("supervisor_rest")


def start_of_today(services: GatewayServices) -> datetime:
    """Midnight today in the shop's time zone (as a UTC instant)."""
    zone = services.settings.shop_timezone
    now = services.handoffs.clock().astimezone(zone)
    # In UTC: SQLite compares the stored UTC timestamps as text.
    return datetime.combine(now.date(), time.min, tzinfo=zone).astimezone(timezone.utc)


@supervisor_rest.get("/supervisor/overview")
async def overview(request: Request) -> HTTPResponse:
    """Agents with presence and load, the queue, today's missed windows and flags."""
    require_supervisor(await current_agent(request))
    services = services_of(request)
    handoffs = services.handoffs
    queue = await handoffs.queue_views()
    since = start_of_today(services)
    now = handoffs.clock()
    today = await handoffs.store.handoffs_triggered_since(since)
    return json(
        {
            "agents": await _agents(services, queue["active"]),
            **queue,
            "breaches_today": [breach_view(h) for h in today if missed_window(h, now)],
            "handoffs_today": len(today),
            "etiquette_flags_today": await services.flags.count_since(since),
        }
    )


async def _agents(services: GatewayServices, active: list[dict[str, Any]]) -> list[dict[str, Any]]:
    handoffs = services.handoffs
    held: dict[int, list[str]] = {}
    for view in active:
        holder = (view["accepted_by"] or {}).get("id")
        held.setdefault(holder, []).append(view["conversation_id"])
    loads = await handoffs.loads()
    return [
        {
            **(agent_view(agent) or {}),
            "presence": handoffs.presence.status_of(agent.id),
            "load": loads.get(agent.id, 0),
            "max_chats": agent.max_chats,
            "conversations": held.get(agent.id, []),
        }
        for agent in await handoffs.store.list_agents()
        if not agent.disabled
    ]


@supervisor_rest.post("/conversations/<conversation_id:str>/takeover")
async def take_over(request: Request, conversation_id: str) -> HTTPResponse:
    """The supervisor takes an active conversation from its agent."""
    agent_body(request)
    supervisor = require_supervisor(await current_agent(request))
    services = services_of(request)
    taken = await services.desk.take_over(conversation_id, supervisor)
    return json({"handoff": await services.handoffs.view(taken)})


@supervisor_rest.get("/tickets")
async def tickets(request: Request) -> HTTPResponse:
    """Every ticket, newest first, with the contact a buyer left for a call-back."""
    require_supervisor(await current_agent(request))
    store = services_of(request).handoffs.store
    return json(
        {
            "tickets": [
                {
                    "id": t.id,
                    "handoff_id": t.handoff_id,
                    "conversation_id": t.conversation_id,
                    "reason": t.reason,
                    "status": t.status,
                    "created_at": t.created_at.isoformat(),
                    "contact": t.contact,
                }
                for t in await store.list_tickets()
            ]
        }
    )
