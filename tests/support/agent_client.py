"""A small client for an agent: log in, the console WebSocket, and the agent REST API."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp

FRAME_TIMEOUT_S = 10.0


class AgentClient:
    """One logged-in agent with an open console socket; ``async with`` closes it."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.http = http
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.hello: dict[str, Any] = {}
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def log_in(
        cls, http: aiohttp.ClientSession, base_url: str, username: str, password: str
    ) -> AgentClient:
        """Log in and open the console socket (reads the hello frame)."""
        body = {"username": username, "password": password}
        async with http.post(f"{base_url}/api/agent/login", json=body) as response:
            assert response.status == 200, await response.text()
            token = (await response.json())["token"]
        client = cls(http, base_url, token)
        ws_url = base_url.replace("http://", "ws://") + "/ws/agent"
        client.ws = await http.ws_connect(ws_url, headers=client.headers)
        client.hello = await client.next_frame()
        assert client.hello["type"] == "hello", client.hello
        return client

    async def __aenter__(self) -> AgentClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def next_frame(self, timeout_s: float = FRAME_TIMEOUT_S) -> dict[str, Any]:
        """The next JSON frame from the console socket."""
        assert self.ws is not None
        message = await self.ws.receive(timeout=timeout_s)
        assert message.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {message}"
        frame = json.loads(message.data)
        self.seen.append(frame)
        return frame

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout_s: float = FRAME_TIMEOUT_S
    ) -> dict[str, Any]:
        """The first frame (already seen or new) that ``predicate`` accepts."""
        for frame in self.seen:
            if predicate(frame):
                return frame
        while not predicate(frame := await self.next_frame(timeout_s)):
            pass
        return frame

    async def handoff_event(
        self, conversation_id: str, event: str, timeout_s: float = FRAME_TIMEOUT_S
    ) -> dict[str, Any]:
        """The ``handoff`` frame of ``event`` for a conversation."""
        return await self.wait_for(
            lambda f: f["type"] == "handoff"
            and f.get("event") == event
            and f["handoff"]["conversation_id"] == conversation_id,
            timeout_s,
        )

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """POST JSON to the agent API; return the status and the JSON answer."""
        return await self.request("POST", path, body or {})

    async def request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Any request to the agent API; return the status and the JSON answer."""
        url = f"{self.base_url}/api/agent{path}"
        async with self.http.request(method, url, json=body, headers=self.headers) as response:
            return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        """GET from the agent API."""
        async with self.http.get(f"{self.base_url}/api/agent{path}", headers=self.headers) as r:
            return r.status, await r.json()
