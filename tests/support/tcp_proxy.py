"""A tiny TCP proxy in front of a server, to drop the network under a browser for real.

``TcpProxy`` forwards every connection made to its (fixed) port to the target. ``take_down``
closes every open connection (both ends, abruptly) and stops listening, so new connections
are refused; ``bring_up`` listens again on the same port. ``hold_replies`` makes the proxy
swallow what the server sends while still forwarding what the client sends: a message gets
through but its acknowledgement is lost, as when a connection dies at the wrong moment.
``hold_requests`` swallows what the client sends instead: the message is lost on the way
in, on a connection the client still believes alive.

``ThreadedTcpProxy`` runs one in a background thread with its own event loop, for
synchronous code (Playwright's sync API)::

    with ThreadedTcpProxy("127.0.0.1", gateway_port, listen_port=port) as proxy:
        proxy.take_down()
        proxy.bring_up()
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

CHUNK_BYTES = 64 * 1024
T = TypeVar("T")


class TcpProxy:
    """Forward ``listen_host:listen_port`` to ``target_host:target_port`` (asyncio)."""

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self.target = (target_host, target_port)
        self.listen_host = listen_host
        self.listen_port = listen_port
        self.holding_replies = False
        self.holding_requests = False
        self.connections_seen = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def is_up(self) -> bool:
        return self._server is not None

    @property
    def open_connections(self) -> int:
        """Client connections open now."""
        return len(self._writers) // 2

    async def bring_up(self) -> None:
        """Listen (again) on the same port; a no-op when already up."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, self.listen_host, self.listen_port, reuse_address=True
        )
        self.listen_port = self._server.sockets[0].getsockname()[1]

    async def take_down(self) -> None:
        """Refuse new connections and abort every open one (both ends)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    def hold_replies(self, hold: bool = True) -> None:
        """While holding, bytes from the target are swallowed (the client sees silence)."""
        self.holding_replies = hold

    def hold_requests(self, hold: bool = True) -> None:
        """While holding, bytes from the client are swallowed (the target sees silence)."""
        self.holding_requests = hold

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections_seen += 1
        try:
            target_r, target_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers |= {client_w, target_w}
        upstream = asyncio.ensure_future(self._pipe(client_r, target_w, replies=False))
        downstream = asyncio.ensure_future(self._pipe(target_r, client_w, replies=True))
        self._tasks |= {upstream, downstream}
        try:
            await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (upstream, downstream):
                task.cancel()
                self._tasks.discard(task)
            for writer in (client_w, target_w):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, replies: bool
    ) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(CHUNK_BYTES):
                if self.holding_replies if replies else self.holding_requests:
                    continue
                writer.write(data)
                await writer.drain()


class ThreadedTcpProxy:
    """A ``TcpProxy`` on an event loop of its own thread, with blocking methods."""

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="tcp-proxy", daemon=True
        )
        self.proxy = TcpProxy(
            target_host, target_port, listen_host=listen_host, listen_port=listen_port
        )

    @property
    def port(self) -> int:
        return self.proxy.listen_port

    @property
    def url(self) -> str:
        return f"http://{self.proxy.listen_host}:{self.port}"

    @property
    def is_up(self) -> bool:
        return self.proxy.is_up

    def start(self) -> ThreadedTcpProxy:
        self._thread.start()
        self.bring_up()
        return self

    def bring_up(self) -> None:
        self._run(self.proxy.bring_up())

    def take_down(self) -> None:
        self._run(self.proxy.take_down())

    def hold_replies(self, hold: bool = True) -> None:
        self.proxy.hold_replies(hold)  # a plain flag the proxy's loop reads per chunk

    def hold_requests(self, hold: bool = True) -> None:
        self.proxy.hold_requests(hold)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._run(self.proxy.take_down())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    def __enter__(self) -> ThreadedTcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
