"""Slow clients are dropped (docs/security.md): over real sockets, a client that trickles
its request's head or body, or sends nothing, loses its connection soon after the
deadline in `Options`, and nothing it sent is acted on; ordinary clients, kept-alive
connections among them, are unaffected. The deadlines here are short to keep the tests
fast; the defaults are 10 s (head, body) and 75 s (keep-alive)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.content.model import Library
from bot.lookup import LookupIndex
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import slash_command
from tests.slack_harness import Rounds, running, slack_settings
from tests.test_hostile import rows

HEAD, BODY, KEEPALIVE, LINGER = 0.5, 0.5, 3.0, 0.2
SLACK = 1.5  # seconds allowed past a deadline: the sweep's tick, a busy machine
TRICKLE = 0.05  # seconds between the bytes a slow client sends
SLACK_HEAD = (
    b"POST /slack/events HTTP/1.1\r\nHost: rounds\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n"
    b"X-Slack-Request-Timestamp: 1700000000\r\nContent-Length: 4000\r\n\r\n"
)
TEAMS_HEAD = (
    b"POST /api/messages HTTP/1.1\r\nHost: rounds\r\n"
    b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
)
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: rounds\r\n\r\n"


@pytest.fixture
async def rounds(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Rounds]:
    settings = replace(slack_settings(fake, tmp_path / "r.db"), teams_emulator=True)
    short = {
        "header_timeout": HEAD,
        "body_timeout": BODY,
        "keepalive_timeout": KEEPALIVE,
        "linger": LINGER,
    }
    async with running(library, index, settings, fake, scheduler=False, **short) as r:
        yield r


async def trickle(writer: asyncio.StreamWriter, data: bytes) -> None:
    """Send `data` a byte at a time until it is sent or the server hangs up."""
    try:
        for i in range(len(data)):
            writer.write(data[i : i + 1])
            await writer.drain()
            await asyncio.sleep(TRICKLE)
    except (ConnectionError, OSError):
        return


class Opened:
    """Counts the connections made, and says when all `expected` are open."""

    def __init__(self, expected: int) -> None:
        self.count, self.expected, self.all = 0, expected, asyncio.Event()

    def note(self) -> None:
        self.count += 1
        if self.count >= self.expected:
            self.all.set()


async def hung_up(
    rounds: Rounds, start: bytes, slowly: bytes, opened: Opened | None = None
) -> tuple[float, bytes]:
    """Connect, send `start` at once and `slowly` a byte at a time; how long the server
    kept the connection, and what it said before closing it. Each connection made is
    noted in `opened`, when given."""
    reader, writer = await asyncio.open_connection("127.0.0.1", rounds.server.port)
    began = time.monotonic()
    if opened is not None:
        opened.note()
    writer.write(start)
    sending = asyncio.create_task(trickle(writer, slowly))
    try:
        said = await asyncio.wait_for(reader.read(), timeout=20)
    except ConnectionResetError:  # closed with our bytes unread
        said = b""
    finally:
        sending.cancel()
        writer.close()
    return time.monotonic() - began, said


async def test_a_body_sent_slowly_gets_408_and_the_connection_is_closed(rounds: Rounds) -> None:
    before = await rows(rounds.server.bot.ctx.store)
    held, said = await hung_up(rounds, SLACK_HEAD, b"command=%2Frounds&text=" + b"x" * 3977)
    assert said.startswith(b"HTTP/1.1 408 "), said[:80]
    assert b"took too long" in said and b"Connection: close" in said
    assert BODY <= held < BODY + LINGER + SLACK
    assert await rows(rounds.server.bot.ctx.store) == before
    assert rounds.fake.calls == []


async def test_a_teams_body_sent_slowly_gets_408(rounds: Rounds) -> None:
    held, said = await hung_up(rounds, TEAMS_HEAD, b'{"type": "message"' + b" " * 3982)
    assert said.startswith(b"HTTP/1.1 408 ") and BODY <= held < BODY + LINGER + SLACK


@pytest.mark.parametrize("head", [SLACK_HEAD, TEAMS_HEAD, HEALTH])
async def test_a_head_sent_slowly_is_cut_off(rounds: Rounds, head: bytes) -> None:
    held, said = await hung_up(rounds, b"", head[:-2])  # never quite finished
    assert said == b"" and HEAD <= held < HEAD + SLACK


async def test_a_connection_that_sends_nothing_is_closed(rounds: Rounds) -> None:
    held, said = await hung_up(rounds, b"", b"")
    assert said == b"" and HEAD <= held < HEAD + SLACK


async def test_two_hundred_slow_clients_are_all_dropped_and_health_answers_meanwhile(
    rounds: Rounds,
) -> None:
    opened = Opened(200)
    slow = [hung_up(rounds, SLACK_HEAD, b"x" * 4000, opened) for _ in range(100)]
    slow += [hung_up(rounds, b"", SLACK_HEAD, opened) for _ in range(100)]
    dropping = asyncio.gather(*slow)
    # the storm of connects passes first: the clients share this test's event loop
    connected: asyncio.Future[Any] = asyncio.ensure_future(opened.all.wait())
    either: list[asyncio.Future[Any]] = [connected, dropping]
    await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    connected.cancel()
    waits = []
    while not dropping.done():
        began = time.monotonic()
        async with rounds.http.get(f"{rounds.server.url}/healthz") as health:
            assert health.status == 200
        waits.append(time.monotonic() - began)
        await asyncio.sleep(0.05)
    held = [seconds for seconds, _said in await dropping]
    assert max(held) < max(HEAD, BODY) + LINGER + SLACK
    assert waits and max(waits) < 0.5


async def test_ordinary_requests_and_kept_alive_connections_are_unaffected(
    rounds: Rounds,
) -> None:
    answer = await rounds.send(slash_command("help", rounds.fake.response_url()))
    assert "lookup" in str(answer)
    reader, writer = await asyncio.open_connection("127.0.0.1", rounds.server.port)
    try:
        for _ in range(2):  # the second after longer than the head deadline: keep-alive
            writer.write(HEALTH)
            status = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            assert status.startswith(b"HTTP/1.1 200 ")
            await reader.readexactly(int(status.split(b"Content-Length: ")[1].split(b"\r")[0]))
            await asyncio.sleep(HEAD + 0.5)
        began = time.monotonic()
        assert await asyncio.wait_for(reader.read(), timeout=10) == b""  # idle: closed
        assert time.monotonic() - began < KEEPALIVE + SLACK
    finally:
        writer.close()
