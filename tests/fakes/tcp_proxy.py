"""A TCP proxy that can be cut: a database outage on demand.

`TcpProxy("127.0.0.1", 5432)` listens on an ephemeral port of 127.0.0.1 and forwards every
connection to the target. `stop()` closes the listener and cuts every open connection (both
sides at once, as a crashed server or a dropped network would), so new connections are
refused; `start()` listens again on the same port. Point a database URL at `proxy.port`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1") -> None:
        self.target_host, self.target_port, self.host = target_host, target_port, host
        self.port = 0  # chosen by the first start(), then kept
        self.accepted = 0  # connections taken over the proxy's life
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def open_connections(self) -> int:
        """Client connections being forwarded now."""
        return len(self._tasks)

    async def start(self) -> None:
        """Listen (again): the first time on an ephemeral port, after that on the same one."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and cut every connection under way."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()  # no goodbye: the peer sees the connection reset
        if self._tasks:  # with both ends gone the pipes finish
            _done, stuck = await asyncio.wait(set(self._tasks), timeout=2)
            for task in stuck:
                task.cancel()
        if server is not None:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.accepted += 1
        self._tasks.add(task)
        self._writers.add(client)
        try:
            await self._forward(reader, client)
        except (OSError, asyncio.CancelledError):
            pass  # the target refused, or stop() gave up waiting: the client is cut below
        finally:
            self._writers.discard(client)
            client.transport.abort()
            self._tasks.discard(task)

    async def _forward(self, reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(
            self.target_host, self.target_port
        )
        self._writers.add(upstream)
        try:
            await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, client))
        finally:
            self._writers.discard(upstream)
            upstream.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until the end of the stream, then pass the end on (a half close)."""
    with contextlib.suppress(ConnectionError, RuntimeError):
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof() and not writer.is_closing():
            writer.write_eof()
