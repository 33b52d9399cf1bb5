"""Talks to Rasa's REST channel and status endpoints, and to the action server's health check.

Every failure (connection refused, timeout, non-2xx status, malformed JSON) is raised as
UpstreamError so that callers can decide what the buyer sees.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.errors import UpstreamError
from bot.gateway.models import BotReply, Button
from bot.settings import Settings

# Status checks must answer quickly even when a message may legitimately take longer.
STATUS_TIMEOUT_S = 3.0

__all__ = ["BotReply", "Button", "RasaClient", "parse_rasa_replies"]


class RasaClient:
    """A thin client over one shared ``aiohttp.ClientSession``."""

    def __init__(self, session: aiohttp.ClientSession, settings: Settings) -> None:
        self._session = session
        self._webhook_url = f"{settings.rasa_url}/webhooks/rest/webhook"
        self._conversations_url = f"{settings.rasa_url}/conversations"
        self._parse_url = f"{settings.rasa_url}/model/parse"
        self._rasa_status_url = f"{settings.rasa_url}/"
        self._action_health_url = f"{settings.action_server_url}/health"
        self._status_timeout = aiohttp.ClientTimeout(
            total=min(STATUS_TIMEOUT_S, settings.http_timeout_s)
        )

    async def send(
        self, conversation_id: str, text: str, metadata: Mapping[str, Any]
    ) -> list[BotReply]:
        """Send one buyer message to Rasa's REST channel and return Rasa's replies.

        Raises:
            UpstreamError: Rasa could not be reached or answered something unusable.
        """
        body = {"sender": conversation_id, "message": text, "metadata": dict(metadata)}
        payload = await self._request_json("POST", self._webhook_url, json=body)
        return parse_rasa_replies(payload)

    async def append_events(self, conversation_id: str, events: Sequence[dict[str, Any]]) -> None:
        """Append events to a conversation's tracker (Rasa's HTTP API, ``--enable-api``).

        Raises:
            UpstreamError: Rasa could not be reached or refused the events.
        """
        url = f"{self._conversations_url}/{quote(conversation_id, safe='')}/tracker/events"
        await self._request_text("POST", url, json=list(events), params={"include_events": "NONE"})

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse of ``text`` (``POST /model/parse``): intent, entities, sentiment.

        Raises:
            UpstreamError: Rasa could not be reached or answered something unusable.
        """
        payload = await self._request_json("POST", self._parse_url, json={"text": text})
        if not isinstance(payload, dict) or not isinstance(payload.get("intent"), dict):
            raise UpstreamError("Rasa's parse is not an object with an intent")
        return payload

    async def user_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The ``user`` events of a conversation's tracker, oldest first.

        Raises:
            UpstreamError: Rasa could not be reached or answered something unusable.
        """
        url = f"{self._conversations_url}/{quote(conversation_id, safe='')}/tracker"
        payload = await self._request_json("GET", url, params={"include_events": "ALL"})
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            raise UpstreamError("Rasa's tracker has no list of events")
        return [e for e in events if isinstance(e, dict) and e.get("event") == "user"]

    async def rasa_status(self) -> str:
        """Rasa's greeting line (e.g. ``Hello from Rasa: 3.6.21``); raise UpstreamError if down."""
        return await self._request_text("GET", self._rasa_status_url, timeout=self._status_timeout)

    async def action_server_status(self) -> str:
        """The action server's health status (``ok``); raise UpstreamError if down."""
        payload = await self._request_json(
            "GET", self._action_health_url, timeout=self._status_timeout
        )
        status = payload.get("status") if isinstance(payload, dict) else None
        if status != "ok":
            raise UpstreamError(f"action server reports status {status!r}")
        return status

    async def _request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        raw = await self._request_text(method, url, **kwargs)
        try:
            return json.loads(raw)
        except ValueError as err:
            raise UpstreamError(f"{method} {url}: answer is not JSON") from err

    async def _request_text(self, method: str, url: str, **kwargs: Any) -> str:
        try:
            async with self._session.request(method, url, **kwargs) as response:
                body = await response.text()
                if response.status >= 300:
                    raise UpstreamError(f"{method} {url}: HTTP {response.status}")
                return body
        except asyncio.TimeoutError as err:
            raise UpstreamError(f"{method} {url}: timed out") from err
        except aiohttp.ClientConnectionError as err:
            raise UpstreamError(f"{method} {url}: cannot connect ({type(err).__name__})") from err
        except (aiohttp.ClientError, UnicodeDecodeError) as err:
            raise UpstreamError(f"{method} {url}: {type(err).__name__}") from err


def parse_rasa_replies(payload: Any) -> list[BotReply]:
    """Turn the REST channel's JSON list into BotReply objects.

    An ``image`` without ``custom`` is passed on as ``custom={"image": url}``. Replies
    with nothing to show are dropped.

    Raises:
        UpstreamError: the payload is not a list of objects.
    """
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise UpstreamError("Rasa's answer is not a list of objects")
    replies = [_parse_reply(item) for item in payload]
    return [r for r in replies if r.text or r.buttons or r.custom]


def _parse_reply(item: dict[str, Any]) -> BotReply:
    text = item.get("text")
    custom = item.get("custom")
    if custom is not None and not isinstance(custom, dict):
        custom = {"value": custom}
    if custom is None and isinstance(item.get("image"), str):
        custom = {"image": item["image"]}
    buttons = tuple(
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in item.get("buttons") or ()
        if isinstance(b, dict)
    )
    return BotReply(text=text if isinstance(text, str) else None, buttons=buttons, custom=custom)
