"""Connection faults the fake servers can script, below HTTP: a request accepted and never
answered (`hang`), and a response cut off mid-way (`drop`).

A drop writes a status line and part of the headers (`cut="headers"`), or all the headers
and part of the body (`cut="body"`), then aborts the connection. aiohttp's client sees the
first as `ServerDisconnectedError` (which slack_sdk's connection-error handler retries) and
the second as `ClientPayloadError` (which it does not)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from aiohttp import web

Cut = Literal["headers", "body"]
CLIENT_SEES: dict[Cut, type[Exception]] = {  # what aiohttp's client raises for each cut
    "headers": aiohttp.ServerDisconnectedError,
    "body": aiohttp.ClientPayloadError,
}
Mode = Literal["hang", "drop-before", "drop-after"]
HANG = 60.0  # seconds: far longer than any client timeout a test sets
_POLL = 0.02


@dataclass
class Fault:
    """What to do instead of answering: hang, or drop before or after doing the work."""

    mode: Mode
    seconds: float = HANG  # how long a hang lasts at most
    cut: Cut = "headers"

    @property
    def performs(self) -> bool:
        """Whether the request takes effect (a message is posted) before the drop."""
        return self.mode == "drop-after"


async def hang(request: web.BaseRequest, seconds: float, released: asyncio.Event) -> None:
    """Answer nothing until the client gives up (closes the connection), `seconds` pass, or
    the server stops; then abort the connection."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not released.is_set():
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(_POLL)
    _abort(request)


def drop(request: web.BaseRequest, answer: Any, cut: Cut, status: int = 200) -> None:
    """Send the start of the response that `answer` (JSON) would be, then abort."""
    body = json.dumps(answer).encode()
    head = (
        f"HTTP/1.1 {status} OK\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
    ).encode()
    partial = (
        head[: len(head) - 12] if cut == "headers" else head + b"\r\n" + body[: len(body) // 2]
    )
    transport = request.transport
    if transport is None:
        return
    transport.write(partial)
    if transport.get_write_buffer_size():
        transport.close()  # flushes what the socket did not take at once, then closes
    else:
        transport.abort()


def _abort(request: web.BaseRequest) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def nothing() -> web.Response:
    """What a handler returns after a fault: aiohttp writes it nowhere (the connection is
    gone), and it keeps the server's logs quiet."""
    return web.Response(status=200)
