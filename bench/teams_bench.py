"""Messages through `/api/messages`: Rounds' Teams adapter against a bare CloudAdapter echo
bot, both in emulator mode, in the same run, 16 concurrent connections, every reply going to
one fake Bot Connector. Rounds answers `lookup` commands (the popular-search mix of the Slack
benchmark) with an Adaptive Card; the bare bot echoes the text.

Also counted (each server has its own fake connector): TCP connections to the connector
open at the end of the 10-second run, and opened during it. Target: Rounds at least 4x the
bare adapter's messages per second, with open connections bounded (not growing with the
number of messages)."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.harness import ROUNDS_SERVE, bare, running
from bench.measure import cpu_seconds, percentile
from bench.slack_bench import popular
from tests.fakes.connector import FakeConnector
from tests.fakes.teams_activities import channel_message

HERE = Path(__file__).parent
CONNECTIONS = 16
WARMUP_S = 2.0
MEASURE_S = 10.0
TARGET_RATIO = 4.0
OPEN_LIMIT = 32  # bounded: a handful per server, however many messages were sent
BARE_NAME = "bare CloudAdapter (echo)"
ROUNDS_NAME = "rounds (lookup answered)"


@dataclass
class Result:
    rate: float = 0.0
    times: list[float] = field(default_factory=list)
    cpu: float = 0.0
    sent: int = 0
    open_after: int = 0
    opened: int = 0


async def client(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeConnector,
    until: float,
    out: Result,
    queries: Iterator[str],
) -> None:
    while time.perf_counter() < until:
        activity = channel_message(f"lookup {next(queries)}", fake.url)
        started = time.perf_counter()
        async with http.post(url, json=activity) as response:
            await response.read()
            if response.status not in (200, 201):
                raise RuntimeError(f"HTTP {response.status}")
        out.times.append(time.perf_counter() - started)
        out.sent += 1


async def load(url: str, fake: FakeConnector, seconds: float, pid: int) -> Result:
    out = Result()
    queries = popular(random.Random(1))
    opened_before, cpu_before = fake.total_connections, cpu_seconds(pid)
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(client(http, url, fake, until, out, queries) for _ in range(CONNECTIONS))
        )
        out.rate = out.sent / (time.perf_counter() - started)
    out.cpu = cpu_seconds(pid) - cpu_before
    out.open_after, out.opened = fake.connections, fake.total_connections - opened_before
    return out


def report(results: dict[str, Result]) -> bool:
    print(f"Teams messages over HTTP, {CONNECTIONS} concurrent connections, emulator mode")
    head = f"{'server':<28}{'msg/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/msg':>12}"
    print(f"{head}{'open after':>12}{'opened':>8}")
    for name, r in results.items():
        cpu = r.cpu / max(r.sent, 1) * 1000
        p50, p99 = percentile(r.times, 50), percentile(r.times, 99)
        line = f"{name:<28}{r.rate:>8.0f}{p50:>9.2f}{p99:>9.2f}{cpu:>12.3f}"
        print(f"{line}{r.open_after:>12}{r.opened:>8}")
    rounds, bare = results[ROUNDS_NAME], results[BARE_NAME]
    ratio = rounds.rate / bare.rate
    bounded = rounds.open_after <= OPEN_LIMIT and rounds.opened <= OPEN_LIMIT
    ok = ratio >= TARGET_RATIO and bounded
    print(f"throughput ratio rounds/bare: {ratio:.1f}")
    print(
        f"target: ratio >= {TARGET_RATIO} and rounds' connections to the connector <= "
        f"{OPEN_LIMIT} ... {'PASS' if ok else 'FAIL'}"
    )
    return ok


async def main() -> int:
    fakes = {BARE_NAME: FakeConnector(), ROUNDS_NAME: FakeConnector()}  # one each: own counts
    for fake in fakes.values():
        await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROUNDS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        env |= {"MicrosoftAppId": "", "ROUNDS_TEAMS_EMULATOR": "true"}
        env |= {"ROUNDS_RATE_PER_MINUTE": "1000000"}  # one benchmark user: no per-person limit
        env |= {"PYTHONPATH": str(HERE.parent)}
        commands = (bare("bare_cloud_adapter.py"), ROUNDS_SERVE)
        async with running(env, *commands) as [(bare_pid, bare_url), (rounds_pid, rounds_url)]:
            servers = {
                BARE_NAME: (f"{bare_url}/api/messages", bare_pid),
                ROUNDS_NAME: (f"{rounds_url}/api/messages", rounds_pid),
            }
            results = {}
            for name, (url, pid) in servers.items():
                await load(url, fakes[name], WARMUP_S, pid)
                results[name] = await load(url, fakes[name], MEASURE_S, pid)
            ok = report(results)
    for fake in fakes.values():
        await fake.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
