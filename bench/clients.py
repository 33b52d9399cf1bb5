"""Simulated buyers: one over the gateway's WebSocket, one over Rasa's REST channel, and an
NLU-only client of Rasa's ``/model/parse`` (to see how much of a turn is NLU).

Each ``turn`` sends one message and waits for the complete answer, raising TurnError on
failure (including a turn without any reply: every rule of this assistant answers), so the
caller can time it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, Protocol

import aiohttp

TURN_TIMEOUT_S = 30.0
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=TURN_TIMEOUT_S)


class TurnError(Exception):
    """A failed turn; ``kind`` is a short name used to count failures by cause."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class Buyer(Protocol):
    """One simulated buyer with its own conversation."""

    async def turn(self, text: str) -> int | None:
        """Send ``text``; return the number of replies (None if not applicable)."""
        ...

    async def close(self) -> None:
        """Release the buyer's connection, if any."""
        ...

    async def new_conversation(self) -> None:
        """Start a new conversation for the next turn."""
        ...


class GatewayBuyer:
    """A buyer on ``/ws/buyer``; after a failed turn it reconnects as a new conversation.

    Its socket is read all the time, as a browser's is, so that the gateway's pings are
    answered between turns (the gateway closes a socket whose pings go unanswered).
    """

    def __init__(self, session: aiohttp.ClientSession, ws_url: str, apology: str) -> None:
        self._session = session
        self._url = ws_url
        self._apology = apology  # the gateway's text when Rasa failed: a failed turn too
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._frames: asyncio.Queue[aiohttp.WSMessage] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the socket and read the welcome frame (raises TurnError on failure)."""
        try:
            self._ws = await self._session.ws_connect(self._url, timeout=TURN_TIMEOUT_S)
            self._frames = asyncio.Queue()
            self._reader = asyncio.create_task(_read_into(self._ws, self._frames))
            welcome = await asyncio.wait_for(self._frame(), TURN_TIMEOUT_S)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            await self.close()
            raise TurnError("connection", type(err).__name__) from err
        if welcome.get("type") != "welcome":
            await self.close()
            raise TurnError("protocol", f"expected welcome, got {welcome.get('type')}")

    async def turn(self, text: str) -> int:
        """Send one message and read frames up to its ``turn_end``."""
        try:
            if self._ws is None:
                await self.connect()
            return await asyncio.wait_for(self._exchange(text), TURN_TIMEOUT_S)
        except asyncio.TimeoutError as err:
            await self.close()
            raise TurnError("timeout") from err
        except (aiohttp.ClientError, OSError) as err:
            await self.close()
            raise TurnError("connection", type(err).__name__) from err
        except TurnError:
            await self.close()  # the stream may be out of step: start afresh
            raise

    async def new_conversation(self) -> None:
        """The next turn connects afresh, which starts a new conversation."""
        await self.close()

    async def close(self) -> None:
        """Close the socket if it is open."""
        ws, self._ws = self._ws, None
        reader, self._reader = self._reader, None
        if ws is not None:
            await ws.close()
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _exchange(self, text: str) -> int:
        assert self._ws is not None
        client_id = uuid.uuid4().hex
        frame = {"type": "message", "text": text, "client_message_id": client_id}
        await self._ws.send_str(json.dumps(frame, ensure_ascii=False))
        replies, apologised = 0, False
        while (frame := await self._frame())["type"] != "turn_end":
            if frame["type"] == "error":
                raise TurnError("error frame", str(frame.get("code")))
            if frame["type"] == "bot":
                replies += 1
                apologised = apologised or frame.get("text") == self._apology
            elif frame["type"] not in ("ack", "pong"):
                raise TurnError("protocol", f"unexpected frame {frame['type']!r}")
        if frame.get("client_message_id") != client_id or frame.get("replies") != replies:
            raise TurnError("protocol", "turn_end does not match the message")
        if apologised:
            raise TurnError("gateway apology (Rasa failed or timed out)")
        if replies == 0:
            raise TurnError("no reply")
        return replies

    async def _frame(self) -> dict[str, Any]:
        message = await self._frames.get()
        if message.type != aiohttp.WSMsgType.TEXT:
            raise TurnError("connection", f"socket sent {message.type.name}")
        try:
            frame = json.loads(message.data)
        except ValueError as err:
            raise TurnError("protocol", "frame is not JSON") from err
        if not isinstance(frame, dict) or "type" not in frame:
            raise TurnError("protocol", "frame is not an object with a type")
        return frame


async def _read_into(
    ws: aiohttp.ClientWebSocketResponse, frames: asyncio.Queue[aiohttp.WSMessage]
) -> None:
    """Queue every message of ``ws`` (its pings are answered on the way) until it ends."""
    while True:
        message = await ws.receive()
        frames.put_nowait(message)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.ERROR):  # fmt: skip
            return


class RestBuyer:
    """A buyer talking to Rasa's REST channel directly, under its own sender id."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str, sender: str) -> None:
        self._session = session
        self._url = f"{rasa_url}/webhooks/rest/webhook"
        self._base_sender = self._sender = sender
        self._visits = 0

    async def new_conversation(self) -> None:
        """Use a new sender id from the next turn on."""
        self._visits += 1
        self._sender = f"{self._base_sender}-{self._visits}"

    async def turn(self, text: str) -> int:
        """POST one message; return the number of replies."""
        body = {"sender": self._sender, "message": text}
        payload = await _post_json(self._session, self._url, body)
        if not isinstance(payload, list):
            raise TurnError("bad answer", "not a JSON list")
        if not payload:
            raise TurnError("no reply")  # every rule of this assistant answers something
        return len(payload)

    async def close(self) -> None:
        """Nothing to release: the session is shared."""


class ParseClient:
    """Rasa's NLU alone (``POST /model/parse``): no tracker, no policy, no actions."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str) -> None:
        self._session = session
        self._url = f"{rasa_url}/model/parse"

    async def turn(self, text: str) -> None:
        """Parse ``text``; there are no replies to count."""
        payload = await _post_json(self._session, self._url, {"text": text})
        if not isinstance(payload, dict) or "intent" not in payload:
            raise TurnError("bad answer", "no intent in the parse result")

    async def close(self) -> None:
        """Nothing to release: the session is shared."""

    async def new_conversation(self) -> None:
        """Parsing has no conversation."""


async def _post_json(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    try:
        async with session.post(url, json=body, timeout=_REQUEST_TIMEOUT) as response:
            if response.status != 200:
                raise TurnError(f"HTTP {response.status}")
            return await response.json(content_type=None)
    except asyncio.TimeoutError as err:
        raise TurnError("timeout") from err
    except aiohttp.ClientError as err:
        raise TurnError("connection", type(err).__name__) from err
    except ValueError as err:
        raise TurnError("bad answer", "not JSON") from err
