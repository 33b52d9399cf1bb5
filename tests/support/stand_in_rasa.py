"""A stand-in for Rasa and the action server: a tiny aiohttp server with canned answers.

It serves ``POST /webhooks/rest/webhook``, ``GET /conversations/<id>/tracker``,
``POST /conversations/<id>/tracker/events``, ``POST /model/parse``, ``GET /`` and
``GET /health``, records what it received, and can be made slow or failing.
The real Rasa is exercised by the e2e tests.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.supervisor import free_port


class StandInRasa:
    """Canned answers; change the attributes to change the behaviour."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[Any] = []
        self.webhook_status = 200
        self.replies: list[dict[str, Any]] = [{"recipient_id": "x", "text": "您好"}]
        self.raw_webhook_body: str | None = None  # overrides ``replies`` when set
        self.delay_s = 0.0
        self.tracker_events: list[tuple[str, Any]] = []  # (conversation id, events) appended
        # What the stand-in "understood" of every message, as Rasa's tracker reports it.
        self.parse_data: dict[str, Any] = {
            "intent": {"name": "complain", "confidence": 0.93},
            "sentiment": {"label": "negative", "confidence": 0.97},
        }

    async def _webhook(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        await asyncio.sleep(self.delay_s)
        body = self.raw_webhook_body
        if body is None:
            body = json.dumps(self.replies, ensure_ascii=False)
        return web.Response(status=self.webhook_status, text=body, content_type="application/json")

    async def _tracker(self, request: web.Request) -> web.Response:
        sender = request.match_info["sender"]
        events = [
            {"event": "user", "text": body["message"], "metadata": body.get("metadata") or {},
             "parse_data": {"text": body["message"], **self.parse_data}}
            for body in self.received
            if body.get("sender") == sender
        ]  # fmt: skip
        return web.json_response({"sender_id": sender, "events": events})

    async def _append_events(self, request: web.Request) -> web.Response:
        self.tracker_events.append((request.match_info["sender"], await request.json()))
        return web.json_response({"sender_id": request.match_info["sender"]})

    async def _parse(self, request: web.Request) -> web.Response:
        text = (await request.json()).get("text", "")
        entities = [{"entity": "order_id", "value": n} for n in re.findall(r"\d{12}", text)]
        parse = {"text": text, "intent": {"name": "inform", "confidence": 0.9},
                 "entities": entities}  # fmt: skip
        return web.json_response(parse)

    async def _root(self, _request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def application(self) -> web.Application:
        """The aiohttp application serving the six endpoints."""
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_post("/conversations/{sender}/tracker/events", self._append_events)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        app.router.add_post("/model/parse", self._parse)
        app.router.add_get("/", self._root)
        app.router.add_get("/health", self._health)
        return app


@asynccontextmanager
async def running_stand_in_rasa() -> AsyncIterator[StandInRasa]:
    """Serve a StandInRasa on a free local port for the duration of the block."""
    stand_in = StandInRasa()
    runner = web.AppRunner(stand_in.application())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stand_in.url = f"http://127.0.0.1:{port}"
    try:
        yield stand_in
    finally:
        await runner.cleanup()
