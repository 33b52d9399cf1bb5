"""A small client for the gateway's buyer WebSocket, for integration and end-to-end tests."""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any

import aiohttp

FRAME_TIMEOUT_S = 10.0


class BuyerSocket:
    """One buyer's WebSocket; use ``async with BuyerSocket.connect(...)``."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.conversation_id: str = welcome["conversation_id"]
        # Frames read while looking for others (handoff status, notices, agent messages).
        self.pushed: list[dict[str, Any]] = []

    @classmethod
    async def connect(
        cls, session: aiohttp.ClientSession, ws_url: str, conversation_id: str | None = None
    ) -> BuyerSocket:
        """Open the socket (resuming ``conversation_id`` if given) and read the welcome frame."""
        params = {"conversation_id": conversation_id} if conversation_id else None
        ws = await session.ws_connect(ws_url, params=params)
        socket = cls(ws, {"conversation_id": ""})
        welcome = await socket.next_frame()
        assert welcome["type"] == "welcome", welcome
        socket.welcome = welcome
        socket.conversation_id = welcome["conversation_id"]
        return socket

    async def __aenter__(self) -> BuyerSocket:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.ws.close()

    async def next_frame(self, timeout_s: float = FRAME_TIMEOUT_S) -> dict[str, Any]:
        """The next JSON text frame; fails on anything else (close, binary, timeout)."""
        message = await self.ws.receive(timeout=timeout_s)
        assert message.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {message}"
        return json.loads(message.data)

    async def send_json(self, frame: Any) -> None:
        """Send any JSON value as a text frame."""
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def send_message(self, text: str, client_message_id: str | None = None) -> None:
        """Send a buyer ``message`` frame."""
        frame: dict[str, Any] = {"type": "message", "text": text}
        if client_message_id is not None:
            frame["client_message_id"] = client_message_id
        await self.send_json(frame)

    async def ping(self) -> None:
        """Send a ping and assert the pong: proves the socket still works."""
        await self.send_json({"type": "ping"})
        assert await self.next_frame() == {"type": "pong"}

    async def exchange(
        self,
        text: str,
        client_message_id: str | None = None,
        replies: int | None = None,
        timeout_s: float = FRAME_TIMEOUT_S,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Send a message; return its ack and every bot frame up to the ``turn_end`` frame.

        ``replies``, when given, is the number of bot frames the turn must have. Other
        frames met on the way (handoff status, notices) are kept in ``pushed``.
        """
        await self.send_message(text, client_message_id)
        ack = await self.wait_for("ack", timeout_s)
        bots: list[dict[str, Any]] = []
        while (frame := await self.next_frame(timeout_s))["type"] != "turn_end":
            if frame["type"] == "bot":
                bots.append(frame)
            else:
                self.pushed.append(frame)
        assert frame["replies"] == len(bots), (frame, bots)
        assert replies is None or len(bots) == replies, bots
        return ack, bots

    async def wait_for(
        self, frame_type: str, timeout_s: float = FRAME_TIMEOUT_S, **expected: Any
    ) -> dict[str, Any]:
        """The first frame of ``frame_type`` whose fields equal ``expected`` (kept frames
        first); frames skipped on the way are kept in ``pushed``."""

        def matches(frame: dict[str, Any]) -> bool:
            return frame["type"] == frame_type and all(
                frame.get(k) == v for k, v in expected.items()
            )

        for frame in self.pushed:
            if matches(frame):
                self.pushed.remove(frame)
                return frame
        while not matches(frame := await self.next_frame(timeout_s)):
            self.pushed.append(frame)
        return frame
