"""The supervisor's dashboard over HTTP: ``GET /api/agent/supervisor/report``.

``?since=YYYY-MM-DD&until=YYYY-MM-DD`` (both included, days in the shop's time zone;
default the last 7 days up to today); supervisors only. The figures are defined in
``bot.reports.metrics``. The SQL runs on the async engine's own thread, off the loop.
"""

from __future__ import annotations

from sanic import HTTPResponse, Request
from sanic.response import json

from bot.gateway.agent_auth import current_agent, require_supervisor
from bot.gateway.agent_http import agent_blueprint
from bot.gateway.services import services_of
from bot.reports.metrics import dashboard
from bot.reports.ranges import report_range

report_rest = agent_blueprint("report_rest")


@report_rest.get("/supervisor/report")
async def report(request: Request) -> HTTPResponse:
    """The dashboard's figures per day and for the range.

    Answers 400 (``bad_date``, ``bad_range``) for a malformed date, ``until`` before
    ``since`` or more than 366 days; 403 for agents and trainers.
    """
    require_supervisor(await current_agent(request))
    services = services_of(request)
    settings = services.settings
    now = services.handoffs.clock()
    today = now.astimezone(settings.shop_timezone).date()
    since, until = report_range(request.args.get("since"), request.args.get("until"), today)
    figures = await dashboard(
        services.engine, since, until, settings.shop_timezone, settings.handoff.window_s, now
    )
    return json(figures.to_dict(), headers={"Cache-Control": "no-store"})
