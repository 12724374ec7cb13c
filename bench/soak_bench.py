"""A sustained mixed load on one `rounds serve`: Slack (signed HTTP requests, Web API faked)
and Teams (emulator mode, Bot Connector faked) at once, on a SQLite file, scheduler running.

Setup opens THREADS reflections on each platform (`closes 7d`) and primes Rounds' bounded
caches (see `prime`). Then requests go out on a fixed timetable, RATE a second whatever the
answers do (open loop, a new connection each): WARMUP_S of warm-up, then MEASURE_S measured.
Latency runs from the time a request was due, not from when it went, so a stall shows. The
mix (MIX): lookups 40%, quotes 20%, `prompt` 15%, named replies in the reflection threads 20%
(each with its own text), anonymous contributions (Slack forms) 5%. Six threads on each
platform, not one: at 3 anonymous contributions a second a single Slack thread would be
over Slack's pace of about one post a second per channel, which Rounds keeps to by queueing.

Errors: a non-2xx answer, a transport error or timeout, an answer carrying Rounds' error
reply ("something went wrong", "can't reach its database"), the same posted later to the
fake Slack or Connector, an ERROR line in the server's log, and a contribution not stored
exactly once with its message id (the database is read, read-only, at the end: a named reply
has its platform id, an anonymous one the id of its post in the thread). Every 5 s the
server's RSS, open fds and sockets are read from /proc, and the CPU used by everything else
on the machine, which explains a bad latency.

Measured on this 2-core machine with nothing else running (three runs): p99 14-15 ms (p50
6-7 ms), the server at 27% of one core; RSS +0.3-0.4 MiB, fds and sockets +1 (a request in
flight at the last sample). Targets, and why:
- no error at all, warm-up included;
- overall p99 under P99_MS = 100 ms: about 7x what is measured, so a busy neighbour does
  not fail it, but a stall of a tenth of a second (the event loop blocked, a lock or the
  database held across requests) does;
- RSS from the first measured sample to the last grows by at most max(8 MiB, 5%). Unprimed,
  RSS grows 10-12 MiB over the first 90 s of this mix and then stops: bounded caches filling
  (answers to 2,048 searches, 1,024 rendered replies per platform, 4,096 parsed commands).
  Primed, the growth is under 1 MiB, so 8 MiB flags a leak of 2-3 KiB a request (a kept
  request body or reply), not allocator noise or a burst after a stall;
- fds and sockets: the last sample at most 10 above the first, and the median of the last
  third of the samples at most 4 above that of the first (no steady climb). The leeway is
  for requests in flight, and for the few SQLite connections (2 fds each) the database's
  pool may add after a burst.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

import aiohttp

from bench.harness import ROUNDS_SERVE, server_env, start, stop, with_fakes
from bench.measure import Sample, percentile, sample
from bench.soak_load import (
    CONTRIBUTIONS,
    ERROR_MARKS,
    MEASURE_S,
    MIX,
    RATE,
    WARMUP_S,
    Run,
    Stat,
    drive,
    open_reflections,
    prime,
    topics,
)
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack

SAMPLE_EVERY_S = 5
TIMEOUT_S = 10.0  # an answer later than this is an error
P99_MS = 100.0
RSS_GROWTH_MIB, RSS_GROWTH_SHARE = 8.0, 0.05
FD_END_SLACK, FD_CLIMB = 10, 4


# -- the server, from /proc -------------------------------------------------------------------


async def watch(pid: int, start_at: float, samples: list[Sample]) -> None:
    for n in range(MEASURE_S // SAMPLE_EVERY_S + 1):
        await asyncio.sleep(max(0.0, start_at + n * SAMPLE_EVERY_S - time.perf_counter()))
        samples.append(sample(pid))


# -- after the run ----------------------------------------------------------------------------


def late_errors(run: Run) -> None:
    """Rounds' error reply posted to Slack or Teams after the HTTP answer, by request kind."""
    for call in run.slack.calls:
        if any(mark in json.dumps(call.params, ensure_ascii=False) for mark in ERROR_MARKS):
            key = call.path if call.method == "response_url" else ""
            in_thread = call.params.get("thread_ts") in {t for _, t, _ in run.slack_threads}
            kind = run.whose.get(key, "slack reply" if in_thread else "slack other")
            run.fail(kind, f"{call.method} posted the error reply")
    for sent in run.teams.sent:
        if any(mark in json.dumps(sent.activity, ensure_ascii=False) for mark in ERROR_MARKS):
            root = sent.conversation_id.rpartition("messageid=")[2]
            kind = run.whose.get(sent.reply_to or "", run.whose.get(root, "teams other"))
            run.fail(kind, f"{sent.method} posted the error reply")


def stored(db: Path) -> dict[str, list[str | None]]:
    """Each contribution's text, with the message id of every row holding it."""
    found: dict[str, list[str | None]] = {}
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        for text, message in conn.execute("SELECT text, message_id FROM contributions"):
            found.setdefault(text, []).append(message)
    return found


def wrongly_stored(ids: list[str | None]) -> str | None:
    if len(ids) != 1:
        return f"stored {len(ids)} times"
    if ids[0] is None:  # an anonymous one is stored, then posted, then given the post's id
        return "stored, but never posted in its thread"
    return None


async def check_stored(run: Run, db: Path) -> None:
    """Each contribution sent stored exactly once, with the id of its message (replies may
    still be on their way: wait a little); the lost, doubled or unposted are errors."""
    deadline = time.perf_counter() + 10
    while True:
        found = stored(db)
        wrong = {t: why for t in run.contributed if (why := wrongly_stored(found.get(t, [])))}
        if not wrong or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.5)
    for text, why in wrong.items():
        run.fail(run.contributed[text], f"contribution {why}: {text!r}")


# -- the table --------------------------------------------------------------------------------


def ms(times: list[float], p: int) -> str:
    return f"{percentile(times, p):.1f}" if len(times) >= 2 else "-"


def kind_rows(run: Run) -> list[float]:
    """One row per kind of request, then all together; every measured latency."""
    print(f"{'kind':<20}{'sent':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}")
    order = [*MIX, *sorted(set(run.stats) - set(MIX))]
    every: list[float] = []
    for kind in order:
        stat = run.stats.get(kind, Stat())
        every += stat.times
        row = f"{kind:<20}{stat.sent:>7}{stat.errors:>8}"
        print(f"{row}{ms(stat.times, 50):>9}{ms(stat.times, 99):>9}")
    sent = sum(s.sent for s in run.stats.values())
    errors = sum(s.errors for s in run.stats.values())
    print(f"{'all':<20}{sent:>7}{errors:>8}{ms(every, 50):>9}{ms(every, 99):>9}")
    return every


def climbs(values: list[float]) -> bool:
    """The last sample well above the first, or the last third's median above the first's."""
    third = max(1, len(values) // 3)
    late, early = statistics.median(values[-third:]), statistics.median(values[:third])
    return values[-1] > values[0] + FD_END_SLACK or late > early + FD_CLIMB


def server_rows(samples: list[Sample]) -> None:
    print(f"{'server':<20}{'start':>9}{'end':>9}{'max':>9}")
    for name, values, digits in (
        ("RSS MiB", [s.rss_mib for s in samples], 1),
        ("open fds", [s.fds for s in samples], 0),
        ("sockets", [s.sockets for s in samples], 0),
    ):
        start, end, most = (f"{v:>9.{digits}f}" for v in (values[0], values[-1], max(values)))
        print(f"{name:<20}{start}{end}{most}")
    cpu = (samples[-1].cpu - samples[0].cpu) / MEASURE_S * 100
    others = (samples[-1].others - samples[0].others) / MEASURE_S * 100
    print(
        f"CPU over the measured run: the server {cpu:.0f}% of one core, other processes "
        f"{others:.0f}% (of {os.cpu_count()} cores; much more and the latencies are theirs too)"
    )


def verdict(run: Run, every: list[float], samples: list[Sample]) -> bool:
    errors = run.warmup.errors + sum(s.errors for s in run.stats.values())
    p99 = percentile(every, 99) if len(every) >= 2 else float("inf")
    rss = [s.rss_mib for s in samples]
    grown = rss[-1] - rss[0] <= max(RSS_GROWTH_MIB, RSS_GROWTH_SHARE * rss[0])
    flat = not climbs([s.fds for s in samples]) and not climbs([s.sockets for s in samples])
    ok = errors == 0 and p99 < P99_MS and grown and flat
    print(
        f"target: 0 errors (warm-up too), p99 < {P99_MS:.0f} ms, RSS growth <= "
        f"max({RSS_GROWTH_MIB:.0f} MiB, {RSS_GROWTH_SHARE:.0%}), fds and sockets: end <= "
        f"start + {FD_END_SLACK}, no climb (> +{FD_CLIMB}) ... {'PASS' if ok else 'FAIL'}"
    )
    return ok


def report(run: Run, samples: list[Sample], log: Path) -> bool:
    print(
        f"{MEASURE_S} s at {RATE} requests/s (open loop) after {WARMUP_S} s of warm-up: one "
        "rounds serve, Slack over HTTP and Teams, SQLite file, scheduler on"
    )
    every = kind_rows(run)
    sent = {k: sum(v == k for v in run.contributed.values()) for k in CONTRIBUTIONS}
    print(
        f"warm-up: {run.warmup.sent} sent, {run.warmup.errors} errors; contributions sent "
        f"(all stored once unless counted as errors): {sent}"
    )
    server_rows(samples)
    for failure in run.failures:
        print(f"  first errors: {failure}")
    for line in log_warnings(log):
        print(f"  server log: {line}")
    return verdict(run, every, samples)


def log_errors(run: Run, log: Path) -> None:
    """Each ERROR line the server logged is an error (a turn that failed, even if the error
    reply could not be posted either)."""
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line:
            run.fail("server log", line[24:200])


def log_warnings(log: Path, show: int = 3) -> list[str]:
    """The first few warnings the server logged (the access log is INFO)."""
    found = [ln[:200] for ln in log.read_text(errors="replace").splitlines() if " WARNING " in ln]
    more = [f"... and {len(found) - show} more"] if len(found) > show else []
    return found[:show] + more


# -- main -------------------------------------------------------------------------------------


async def load(run: Run, pid: int) -> list[Sample]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    # open loop: never queue in the client; a connection per request, so the server holds
    # only what is in flight and a socket it fails to close shows
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        await open_reflections(http, run)
        await prime(http, run)
        start_at = time.perf_counter() + 0.2
        samples: list[Sample] = []
        watcher = asyncio.create_task(watch(pid, start_at + WARMUP_S, samples))
        await drive(http, run, start_at)
        await watcher
    return samples


async def soak(slack: FakeSlack, teams: FakeConnector, tmp: Path) -> bool:
    db, log = tmp / "soak.db", tmp / "server.log"
    with log.open("w") as errors:
        env = server_env(slack, db)
        proc, url = await asyncio.to_thread(start, ROUNDS_SERVE, env, errors)
        try:
            run = Run(url, url, slack, teams)
            topics(run)
            samples = await load(run, proc.pid)
            await check_stored(run, db)
            late_errors(run)
        finally:
            await stop(proc)
    log_errors(run, log)  # all of it written now
    return report(run, samples, log)


async def main() -> int:
    return await with_fakes(soak)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
