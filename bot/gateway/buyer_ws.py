"""The buyer's WebSocket: ``GET /ws/buyer?conversation_id=<id>``.

One reader answers pings and protocol errors at once; one worker handles the buyer's
messages in order, so a slow Rasa never delays a pong. Bad input never closes the socket.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
from typing import Any

from sanic import Blueprint, HTTPResponse, Request
from sanic.exceptions import ServerError, WebsocketClosed
from sanic.response import json
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from bot.errors import BadRequestError, HandoffError, StorageError
from bot.gateway.chat import WELCOME_HISTORY_LIMIT, ChatService, conversation_tag
from bot.gateway.models import StoredMessage
from bot.gateway.origins import ORIGIN_REFUSED_CLOSE_CODE, widget_origin_allowed
from bot.gateway.protocol import (
    BuyerText,
    CallbackRequest,
    ErrorCode,
    Ping,
    ack_frame,
    bad_request,
    error_frame,
    parse_ws_frame,
    reply_frame,
    turn_end_frame,
    welcome_frame,
)
from bot.gateway.services import GatewayServices, services_of

log = logging.getLogger(__name__)

# Messages waiting behind a slow reply; beyond this the reader stops reading (backpressure).
MAX_QUEUED_MESSAGES = 16

buyer_ws = Blueprint("buyer_ws")


@buyer_ws.middleware("request")
async def require_websocket_upgrade(request: Request) -> HTTPResponse | None:
    """A plain HTTP request to the socket's URL is the client's mistake: 426, not a 500."""
    if request.headers.get("upgrade", "").lower() != "websocket":
        return json(
            {"error": "upgrade_required", "reason": "connect with a WebSocket client"},
            status=426,
            headers={"Upgrade": "websocket"},
        )
    return None


@buyer_ws.websocket("/ws/buyer")
async def buyer_socket(request: Request, ws: WebsocketImplProtocol) -> None:
    """Open or resume a conversation, send the welcome frame, then serve frames until close."""
    services = services_of(request)
    if not widget_origin_allowed(request, services.settings.widget_allowed_origins):
        await ws.close(code=ORIGIN_REFUSED_CLOSE_CODE, reason="origin not allowed")
        return
    chat = services.chat
    try:
        conversation = await chat.open_conversation(request.args.get("conversation_id"))
        history = await chat.history(conversation.id, WELCOME_HISTORY_LIMIT)
        status = await services.handoffs.current_status(conversation.id)
    except StorageError as err:
        # Handled here so that Sanic does not log the URL, which holds the buyer's key.
        log.error("cannot open a buyer conversation: %s", err)
        await ws.close(code=1011, reason="storage unavailable")
        return
    connection = BuyerConnection(ws, services, conversation.id)
    await connection.send_frame(welcome_frame(conversation.id, history))
    if status is not None:
        await connection.send_frame(status)
    services.hub.add_buyer(conversation.id, connection)
    try:
        await connection.serve()
    finally:
        services.hub.remove_buyer(conversation.id, connection)


class BuyerConnection:
    """One buyer's open socket, bound to one conversation."""

    def __init__(
        self, ws: WebsocketImplProtocol, services: GatewayServices, conversation_id: str
    ) -> None:
        self._ws = ws
        self._services = services
        self._chat: ChatService = services.chat
        self.conversation_id = conversation_id
        self._queue: asyncio.Queue[BuyerText | CallbackRequest | None] = asyncio.Queue(
            MAX_QUEUED_MESSAGES
        )
        self._is_open = True

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame; a socket closed meanwhile is not an error."""
        if not self._is_open:
            return
        try:
            await self._ws.send(jsonlib.dumps(frame, ensure_ascii=False))
        except (ConnectionClosed, WebsocketClosed, ServerError):
            # ServerError: Sanic's word for a socket whose connection has already ended.
            self._is_open = False

    async def serve(self) -> None:
        """Read frames until the buyer goes; messages already received are still answered."""
        tag = conversation_tag(self.conversation_id)
        log.info("buyer socket opened for conversation %s", tag)
        worker = asyncio.create_task(self._work())
        try:
            await self._read()
        except ConnectionClosed:
            pass
        except Exception:
            # Logged here, not by Sanic: Sanic's log line would carry the URL, a buyer's key.
            log.exception("buyer socket failed for conversation %s", tag)
        finally:
            self._is_open = False
            # Messages already stored still get their replies, stored and passed to the
            # buyer's other sockets, even when Sanic cancels this handler as the connection
            # drops: the hub keeps the finishing task alive until it is done.
            self._services.hub.keep(asyncio.create_task(self._finish(worker, tag)))

    async def _finish(self, worker: asyncio.Task[None], tag: str) -> None:
        await self._queue.put(None)
        await worker
        log.info("buyer socket closed for conversation %s", tag)

    async def _read(self) -> None:
        while True:
            data = await self._ws.recv()
            if data is None:
                continue
            try:
                frame = parse_ws_frame(data)
            except BadRequestError as err:
                await self._send_error(err)
                continue
            if isinstance(frame, Ping):
                await self.send_frame({"type": "pong"})
            else:
                await self._queue.put(frame)

    async def _work(self) -> None:
        while (message := await self._queue.get()) is not None:
            try:
                await self._handle(message)
            except Exception:  # one bad turn must not end the buyer's conversation
                log.exception("failed to handle a buyer message")

    async def _handle(self, message: BuyerText | CallbackRequest) -> None:
        if isinstance(message, CallbackRequest):
            await self._leave_callback(message)
            return

        async def acknowledge(stored: StoredMessage) -> None:
            await self.send_frame(ack_frame(message.client_message_id, stored.id))

        try:
            turn = await self._chat.handle_buyer_message(
                self.conversation_id, message, on_stored=acknowledge
            )
        except BadRequestError as err:
            await self._send_error(err)
            return
        except StorageError as err:
            log.error("storage failed: %s", err)
            await self._send_error(
                bad_request(ErrorCode.UNAVAILABLE, "the message could not be stored; retry")
            )
            return
        frames = [reply_frame(reply) for reply in turn.replies]
        if turn.handoff_status is not None:
            frames.append(turn.handoff_status)
        frames.append(turn_end_frame(message.client_message_id, len(turn.replies)))
        for frame in frames:
            await self._deliver(frame)

    async def _deliver(self, frame: dict[str, Any]) -> None:
        # The buyer may have reconnected on another socket while Rasa was answering (the
        # widget then re-sends the message, which is a duplicate with no replies yet):
        # replies that this closed socket cannot carry go to the conversation's others.
        if self._is_open:
            await self.send_frame(frame)
            if self._is_open:
                return
        await self._services.hub.to_buyer(self.conversation_id, frame)

    async def _leave_callback(self, request: CallbackRequest) -> None:
        # The notice and the new status reach this socket through the hub.
        try:
            await self._services.desk.leave_callback(self.conversation_id, request.contact)
        except HandoffError as err:
            notice = self._chat.messages.invalid_contact if err.code == "invalid_contact" else None
            await self._send_error(bad_request(ErrorCode.INVALID_FIELD, err.reason, notice))

    async def _send_error(self, error: BadRequestError) -> None:
        await self.send_frame(error_frame(error))
        notice = error.buyer_notice
        if error.code == ErrorCode.BINARY_NOT_SUPPORTED.value:
            notice = self._chat.messages.unsupported_content
        if notice:
            await self.send_frame(reply_frame(None, notice))
