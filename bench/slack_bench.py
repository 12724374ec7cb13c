"""`/rounds lookup` through the full HTTP path, against a bare bolt app that only acks.

Both servers run as their own processes on this machine, in the same run, behind the same
fake Slack Web API; the load comes from 16 concurrent connections sending signed slash
commands. Rounds answers each with real lookup results (Block Kit, in the HTTP response);
the bare app answers with an empty ack. Server CPU per request is read from /proc.

The queries: 400 searches made from the library's own words (one or two words, a quarter
with a typo), asked with popularity falling off as 1/rank (a Zipf mix, as people repeat
popular searches) — and, for comparison, a run where every query is new, so the lookup
index's memory of recent answers never helps. Target, on the popular mix: Rounds at least
0.6 of the bare app's throughput, and its p99 latency under 20 ms."""

from __future__ import annotations

import asyncio
import functools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.harness import ROUNDS_SERVE, bare, running
from bench.measure import cpu_seconds, percentile
from bot.content.loader import bundled_content_dir, load_library
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, sign, slash_command

HERE = Path(__file__).parent
CONNECTIONS = 16
WARMUP_S = 1.5
MEASURE_S = 6.0
ROUNDS = 2  # alternate the two servers, twice each, to spread the machine's noise
TARGET_RATIO = 0.6
TARGET_P99_MS = 20.0
BARE_NAME = "bare bolt (ack only)"
ROUNDS_NAME = "rounds, popular searches"
DISTINCT_NAME = "rounds, every query new"
CANDIDATES = 400


@functools.cache
def library_words() -> list[str]:
    library = load_library([bundled_content_dir()]).library
    text = " ".join(a.body for a in library.articles.values()).lower()
    counts = Counter(re.findall(r"[a-z]{5,}", text))
    return sorted(w for w, n in counts.items() if n >= 2)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def candidates(rng: random.Random) -> list[str]:
    words = library_words()
    found = []
    for n in range(CANDIDATES):
        query = " ".join(rng.sample(words, 1 + (n % 3 == 0)))
        found.append(typo(query, rng) if n % 4 == 0 else query)
    return found


def popular(rng: random.Random, count: int = 200_000) -> Iterator[str]:
    pool = candidates(rng)
    weights = [1 / rank for rank in range(1, len(pool) + 1)]
    return iter(rng.choices(pool, weights, k=count))


def distinct(rng: random.Random) -> Iterator[str]:
    words = library_words()
    pairs = [f"{a} {b}" for a in words for b in words if a < b]
    rng.shuffle(pairs)
    return iter(pairs)


async def client(
    http: aiohttp.ClientSession, url: str, until: float, times: list[float], queries: Iterator[str]
) -> int:
    sent = 0
    while time.perf_counter() < until:
        body = slash_command(f"lookup {next(queries)}", "http://127.0.0.1:9/r")
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        started = time.perf_counter()
        async with http.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        times.append(time.perf_counter() - started)
        sent += 1
    return sent


@dataclass
class Result:
    rates: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    cpu: float = 0.0  # server CPU seconds over the measured runs
    requests: int = 0


async def load(url: str, seconds: float, queries: Iterator[str]) -> tuple[float, list[float]]:
    times: list[float] = []
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        until = started + seconds
        counts = await asyncio.gather(
            *(client(http, url, until, times, queries) for _ in range(CONNECTIONS))
        )
        elapsed = time.perf_counter() - started
    return sum(counts) / elapsed, times


async def measure(servers: dict[str, tuple[str, int]]) -> dict[str, Result]:
    """Each server warmed up, then measured in turn, ROUNDS times over."""
    rng = random.Random(2026)
    mix = {
        BARE_NAME: popular(random.Random(1)),
        ROUNDS_NAME: popular(random.Random(1)),
        DISTINCT_NAME: distinct(rng),
    }
    results = {name: Result() for name in servers}
    for name, (url, _pid) in servers.items():
        await load(url, WARMUP_S, mix[name] if name != DISTINCT_NAME else distinct(rng))
    for _ in range(ROUNDS):
        for name, (url, pid) in servers.items():
            before = cpu_seconds(pid)
            rate, times = await load(url, MEASURE_S, mix[name])
            result = results[name]
            result.cpu += cpu_seconds(pid) - before
            result.rates.append(rate)
            result.times.extend(times)
            result.requests += len(times)
    return results


def report(results: dict[str, Result]) -> bool:
    print(f"/rounds lookup over HTTP, {CONNECTIONS} concurrent connections, signed requests")
    print(f"{'server':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}")
    for name, r in results.items():
        cpu = r.cpu / r.requests * 1000
        rate, p50, p99 = (
            statistics.median(r.rates),
            percentile(r.times, 50),
            percentile(r.times, 99),
        )
        print(f"{name:<32}{rate:>9.0f}{p50:>9.2f}{p99:>9.2f}{cpu:>12.3f}")
    rounds, bare = results[ROUNDS_NAME], results[BARE_NAME]
    ratio = statistics.median(rounds.rates) / statistics.median(bare.rates)
    p99 = percentile(rounds.times, 99)
    ok = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
    print(f"throughput ratio rounds/bare: {ratio:.2f}")
    print(
        f"target: ratio >= {TARGET_RATIO} and rounds p99 < {TARGET_P99_MS} ms ... "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


async def main() -> int:
    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "ROUNDS_SLACK_API_URL": fake.api_url,
            "API_URL": fake.api_url,
            "ROUNDS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            # one benchmark user sends thousands of lookups: the per-person limit is off
            "ROUNDS_RATE_PER_MINUTE": "1000000",
            "PYTHONPATH": str(HERE.parent),
        }
        commands = (bare("bare_bolt.py"), ROUNDS_SERVE)
        async with running(env, *commands) as [(bare_pid, bare_url), (rounds_pid, rounds_url)]:
            servers = {
                BARE_NAME: (f"{bare_url}/slack/events", bare_pid),
                ROUNDS_NAME: (f"{rounds_url}/slack/events", rounds_pid),
                DISTINCT_NAME: (f"{rounds_url}/slack/events", rounds_pid),
            }
            ok = report(await measure(servers))
    await fake.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
