"""A web proxy of the kind a trust puts between its servers and the internet: the only way
out, so whatever reached a fake behind it went through it.

`ForwardProxy` listens on an ephemeral port of 127.0.0.1 and takes what `HTTPS_PROXY` and
`HTTP_PROXY` send: `CONNECT host:port` (a tunnel, for https and wss) and absolute-form
requests (`GET http://host:port/path`, for http and ws; forwarded one a connection). It
resolves names itself, from its routes: a fake can be given a name (`slack.test`) that only
the proxy knows. Every request line is recorded in `seen`, refused ones too (a target with
no route is answered 403); `hold(target)` keeps a target's connections waiting until the
test lets them go.

Routes: `to(target, port)` for a server on 127.0.0.1; `front(target, port, certificate)` for
a plain-HTTP fake reached over TLS, as the real service is (the proxy's own TLS server, with
a certificate for the name, in front of it); `through(target, proxy_port)` for a target
behind another CONNECT proxy (the fake Microsoft login's own)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.changes import Changes
from tests.fakes.tcp_proxy import _pipe

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
Opener = Callable[[], Awaitable[Streams]]
HOP_BY_HOP = ("proxy-connection", "proxy-authorization", "keep-alive")
ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"
FORBIDDEN = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class ForwardProxy:
    def __init__(self) -> None:
        self.routes: dict[str, Opener] = {}  # "host:port" → how to reach it
        self.seen: list[str] = []  # every request line: "CONNECT slack.test:443", "GET http://…"
        self.changed = Changes()
        self._held: dict[str, asyncio.Event] = {}
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- routes ---------------------------------------------------------------------------------

    def to(self, target: str, port: int) -> None:
        """`target` ("host:port") is the server on 127.0.0.1:`port`."""
        self.routes[target] = lambda: asyncio.open_connection("127.0.0.1", port)

    async def front(self, target: str, port: int, certificate: tuple[Path, Path]) -> None:
        """`target` is the plain-HTTP server on 127.0.0.1:`port`, behind TLS with
        `certificate` (the certificate file and its key)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)

        async def relay(reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
            await self._relay(reader, client, lambda: asyncio.open_connection("127.0.0.1", port))

        server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
        self._servers.append(server)
        self.to(target, server.sockets[0].getsockname()[1])

    def through(self, target: str, proxy_port: int) -> None:
        """`target` is reached through the CONNECT proxy on 127.0.0.1:`proxy_port`."""

        async def chained() -> Streams:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            writer.write(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                writer.transport.abort()
                raise ConnectionRefusedError(head.decode("latin-1"))
            return reader, writer

        self.routes[target] = chained

    def hold(self, target: str) -> asyncio.Event:
        """Connections to `target` wait (after being recorded) until the event is set."""
        self._held[target] = asyncio.Event()
        return self._held[target]

    # -- what it saw ----------------------------------------------------------------------------

    def targets(self) -> set[str]:
        """host:port of every request seen, whatever its method."""
        return {_target(line) for line in self.seen}

    async def wait_for(self, line: str, timeout: float = 10) -> bool:  # noqa: ASYNC109
        return await self.changed.wait_for(lambda: line in self.seen, timeout)

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self._servers.append(server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for event in self._held.values():
            event.set()
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    # -- the proxy ------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            client.transport.abort()
            return
        request_line, _, headers = head.decode("latin-1").partition("\r\n")
        method, target, version = [*request_line.split(" "), "", ""][:3]
        self.seen.append(f"{method} {target}")
        await self.changed.notify()
        host_port = _target(f"{method} {target}")
        opener = self.routes.get(host_port)
        if opener is None:
            client.write(FORBIDDEN)
            with contextlib.suppress(ConnectionError):
                await client.drain()
            client.transport.abort()
            return
        if host_port in self._held:
            await self._held[host_port].wait()
        if method == "CONNECT":
            await self._relay(reader, client, opener, to_client=ESTABLISHED)
        else:
            upstream_head = _origin_form(method, target, version, headers)
            await self._relay(reader, client, opener, to_upstream=upstream_head)

    async def _relay(
        self,
        reader: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        opener: Opener,
        to_client: bytes = b"",
        to_upstream: bytes = b"",
    ) -> None:
        """Pipe `client` to what `opener` opens, both ways, until both ends are done, once
        `to_client` and `to_upstream` are written."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream: asyncio.StreamWriter | None = None
        try:
            upstream_reader, upstream = await opener()
            upstream.write(to_upstream)
            client.write(to_client)
            await asyncio.gather(upstream.drain(), client.drain())
            await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, client))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if upstream is not None:
                upstream.transport.abort()
            with contextlib.suppress(Exception):
                client.transport.abort()
            self._tasks.discard(task)


def _target(line: str) -> str:
    """host:port a request line is for."""
    method, _, target = line.partition(" ")
    if method == "CONNECT":
        return target
    parts = urlsplit(target)
    default = 443 if parts.scheme in ("https", "wss") else 80
    return f"{parts.hostname}:{parts.port or default}"


def _origin_form(method: str, target: str, version: str, headers: str) -> bytes:
    """The request for the server itself: its path, the proxy's own headers dropped, and
    the connection closed after the answer (unless it is upgraded to a WebSocket), so that
    each connection carries one request to one target."""
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [
        line
        for line in headers.split("\r\n")
        if line and line.split(":", 1)[0].strip().lower() not in HOP_BY_HOP
    ]
    upgrade = any(line.lower().startswith("upgrade:") for line in kept)
    if not upgrade:
        kept = [line for line in kept if not line.lower().startswith("connection:")]
        kept.append("Connection: close")
    return "\r\n".join([f"{method} {path} {version}", *kept, "", ""]).encode("latin-1")
