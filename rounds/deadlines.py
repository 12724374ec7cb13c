"""Slow clients are dropped: aiohttp bounds how long a connection may sit idle between
requests (keep-alive) but not how long a request's head or body may take to arrive, so a
client trickling a byte a second would hold its connection, and the memory behind it, for
as long as it liked. Two deadlines close that gap:

- `HeadDeadline`: a connection that has not sent a whole request head (request line and
  headers) `seconds` after it opened is closed. Later requests on a kept-alive connection
  are bounded by aiohttp's keep-alive timeout, which closes a connection whose next head
  has not arrived in time.
- the body deadline: a body that has not all arrived `body_seconds` after its head is
  answered 408 and its connection closed (after aiohttp's short linger, so the client
  reads the 408).

Both are one aiohttp middleware (`HeadDeadline.middleware`): each layer costs every request.

Only aiohttp's public API is used: `runner.server.connections`, `request.protocol` and
`RequestHandler.force_close()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger("rounds.server")
TOO_SLOW = "the request's body took too long to arrive"


async def _late_body(request: web.Request, seconds: float) -> web.Response | None:
    """A 408 when the body has not all arrived within `seconds`; None once it has (at once
    when it came with its head, as small requests do: no timer is set then)."""
    if not request.can_read_body or request.content.is_eof():
        return None
    if request.match_info.http_exception is not None:
        return None
    try:
        async with asyncio.timeout(seconds):
            await request.read()
    except TimeoutError:
        log.info("a request body took over %.0f s to arrive (408)", seconds)
        response = web.json_response({"error": TOO_SLOW}, status=408)
        response.force_close()
        return response
    return None


class HeadDeadline:
    """Closes connections that have not sent a whole request head `seconds` after opening.
    `middleware` notes each connection whose request has arrived; `sweep` (every `every`
    seconds, from `run`) closes the rest once they are too old."""

    def __init__(self, seconds: float, body_seconds: float | None = None) -> None:
        self.seconds = seconds
        self.body_seconds = body_seconds  # with it, the middleware also holds bodies to time
        self.every = min(1.0, seconds / 4)
        self.opened: dict[web.RequestHandler, float | None] = {}  # None: a request came

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """One middleware for both deadlines (each layer costs every request)."""
        self.opened[request.protocol] = None
        if self.body_seconds is not None:
            too_slow = await _late_body(request, self.body_seconds)
            if too_slow is not None:
                return too_slow
        return await handler(request)

    def sweep(self, connections: Iterable[web.RequestHandler], now: float) -> int:
        """Close the connections past their deadline; forget those gone. How many closed."""
        kept: dict[web.RequestHandler, float | None] = {}
        closed = 0
        for connection in connections:
            opened = self.opened.get(connection, now)
            if opened is not None and now - opened >= self.seconds:
                connection.force_close()
                closed += 1
            else:
                kept[connection] = opened
        self.opened = kept
        return closed

    async def run(self, runners: Callable[[], Iterable[web.BaseRunner]]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.every)
            connections = [c for r in runners() if r.server for c in r.server.connections]
            if closed := self.sweep(connections, loop.time()):
                log.info(
                    "closed %d connections that sent no request within %.0f s", closed, self.seconds
                )
