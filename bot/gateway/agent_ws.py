"""The agent console's WebSocket: ``GET /ws/agent`` with the session cookie (or Bearer).

The server pushes ``hello`` (the agent and the queue), then ``handoff`` frames (new,
assigned, offered_to_all, window_missed, accepted, declined, requeued, handed_back,
closed, callback_requested) and ``message`` frames of the conversations the agent holds.
The console sends ``{"type": "ping"}`` as a heartbeat (answered with ``pong``) and
``{"type": "presence", "status": "online" | "away"}``. Commands go through the REST API.
"""

from __future__ import annotations

import json as jsonlib
import logging
from typing import Any

from sanic import Blueprint, Request
from sanic.exceptions import WebsocketClosed
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from bot.errors import AuthError
from bot.gateway.agent_auth import check_same_origin, current_agent, session_token
from bot.gateway.services import services_of
from bot.handoff.models import Agent
from bot.handoff.views import agent_view

log = logging.getLogger(__name__)

agent_ws = Blueprint("agent_ws")
# Log in again: no session, an expired one, or it was logged out.
SESSION_ENDED_CLOSE_CODE = 4401


class AgentConnection:
    """One open console socket."""

    def __init__(self, ws: WebsocketImplProtocol, session: str) -> None:
        self._ws = ws
        self.session = session  # the login this socket was opened with
        self.is_open = True
        # Frames pushed while the hello is being built wait here, so hello comes first.
        self._held: list[dict[str, Any]] | None = []

    async def start(self, hello: dict[str, Any]) -> None:
        """Send the hello frame, then whatever was pushed while it was being built."""
        held, self._held = self._held or [], None
        for frame in [hello, *held]:
            await self.send_frame(frame)

    async def end(self) -> None:
        """Close the socket because its login ended (the console goes back to login)."""
        self.is_open = False
        await self._ws.close(code=SESSION_ENDED_CLOSE_CODE, reason="logged out")

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame; a socket closed meanwhile is not an error."""
        if self._held is not None:
            self._held.append(frame)
            return
        if not self.is_open:
            return
        try:
            await self._ws.send(jsonlib.dumps(frame, ensure_ascii=False))
        except (ConnectionClosed, WebsocketClosed):
            self.is_open = False


@agent_ws.websocket("/ws/agent")
async def agent_socket(request: Request, ws: WebsocketImplProtocol) -> None:
    """Authenticate, register presence, push the queue, then serve heartbeats until close."""
    try:
        check_same_origin(request)
        agent = await current_agent(request)
    except AuthError as err:
        await ws.close(code=SESSION_ENDED_CLOSE_CODE, reason=str(err)[:100])
        return
    services = services_of(request)
    connection = AgentConnection(ws, session_token(request) or "")
    services.hub.add_agent(agent.id, connection)
    try:
        await connection.start(await _hello(request, agent))
        await services.handoffs.presence.connected(agent)
        await _serve(request, ws, connection, agent)
    except ConnectionClosed:
        pass
    finally:
        connection.is_open = False
        services.hub.remove_agent(agent.id, connection)
        await services.handoffs.presence.disconnected(agent.id)
        log.info("agent %s disconnected", agent.id)


async def _hello(request: Request, agent: Agent) -> dict[str, Any]:
    queue = await services_of(request).handoffs.queue_views()
    return {"type": "hello", "agent": agent_view(agent), **queue}


async def _serve(
    request: Request, ws: WebsocketImplProtocol, connection: AgentConnection, agent: Agent
) -> None:
    presence = services_of(request).handoffs.presence
    while True:
        data = await ws.recv()
        if data is None:
            continue
        try:
            frame = jsonlib.loads(data) if isinstance(data, str) else None
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await connection.send_frame(
                {"type": "error", "code": "invalid_json", "reason": "send JSON objects"}
            )
            continue
        await presence.heartbeat(agent.id)
        if frame.get("type") == "ping":
            await connection.send_frame({"type": "pong"})
        elif frame.get("type") == "presence" and frame.get("status") in ("online", "away"):
            await presence.set_status(agent.id, frame["status"])
            await connection.send_frame(
                {"type": "presence", "status": presence.status_of(agent.id)}
            )
        else:
            await connection.send_frame(
                {"type": "error", "code": "unknown_type", "reason": "use ping or presence"}
            )
