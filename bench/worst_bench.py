"""The worst case: for each endpoint and command, the costliest input within Rounds' limits
(`bot/limits.py`; MAX_BODY; MAX_DEPTH and MAX_VALUES in `adapters/nesting.py`), and a few
over them that must be refused cheaply, sent to one `rounds serve` (Slack signed over HTTP,
Teams in emulator mode; both platforms' APIs faked) and, in the same run, to the bare library
(a bolt app that only acks, botbuilder's CloudAdapter with an echo bot): what the platform's
SDK alone costs for the same bytes.

Each input is sent REPEATS times, distinct each time (so no cache answers it), one at a time
on an idle server. For each: the server's CPU from sending until it is idle again (every
thread's run time from /proc/<pid>/task/*/schedstat, in nanoseconds; work done after the
answer, such as a mention's reply, included), its peak RSS above where it started (VmHWM,
reset before each input through /proc/<pid>/clear_refs), and, on one more copy sent while
the bench asks `GET /healthz` every HEALTH_EVERY_S, the slowest answer (the event loop's
worst stall). Then DISTINCT different commands of the longest a command may be (lookups,
quotes, help, prompts and unknown words, Slack and Teams in turn), and the server's RSS
after. Last, a reflection thread gets REPLIES replies of the longest a contribution may be
and is closed, with /healthz asked until the summary is posted.

Targets: every single input at most CPU_MS of CPU and PEAK_MIB of peak growth; /healthz never
slower than HEALTH_MS while the REPLIES-reply thread closes (its CPU and memory are shown,
not judged: a summary of 6 MB of text is heavy work, done off the event loop); RSS after the
DISTINCT commands at most RSS_AFTER_MIB (the caches are bounded in bytes).

Measured on this 2-core machine: the costliest inputs 25-30 ms (a Teams lookup, whose bare
CloudAdapter echo costs as much; 1 MiB of JSON at the limits), none over 7 MiB of peak
growth, /healthz at most 21 ms beside them; the close 4.6 s of CPU in the worker thread,
87 MiB of peak growth, /healthz at most 50 ms; RSS 129 MiB before the commands, 147 after.
The bare CloudAdapter spends 1.6 s on a megabyte of numbers in an activity's `value`, which
Rounds refuses in 10 ms. The whole run takes about 90 s.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.harness import ROUNDS_SERVE, bare, running, server_env, with_fakes
from bench.measure import (
    IDLE_WINDOW_S,
    Health,
    cpu_ns,
    idle,
    peak_mib,
    reset_peak,
    rss_mib,
    while_asking,
)
from bench.slack_bench import library_words
from bench.soak_load import Run, open_slack, open_teams
from bench.worst_inputs import (
    CASES,
    SLACK,
    TEAMS,
    Bench,
    Maker,
    Request,
    fill,
    prose,
    slack_form,
    slack_reply,
    slash,
    teams_said,
)
from bot import limits
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import slash_command

REPEATS = 3
REPLIES = 2_000
DISTINCT = 10_000
CPU_MS, PEAK_MIB, HEALTH_MS, RSS_AFTER_MIB = 50.0, 20.0, 100.0, 200.0


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Cost:
    status: int
    cpu_ms: float
    peak_mib: float
    seconds: float  # from sending until the server was idle again


@dataclass
class Row:
    name: str
    costs: list[Cost] = field(default_factory=list)
    health_ms: float = 0.0
    bare_ms: float | None = None
    bare_status: int | None = None

    @property
    def cpu_ms(self) -> float:
        return max(c.cpu_ms for c in self.costs)

    @property
    def peak_mib(self) -> float:
        return max(c.peak_mib for c in self.costs)

    @property
    def ok(self) -> bool:
        return self.cpu_ms <= CPU_MS and self.peak_mib <= PEAK_MIB


async def post(http: aiohttp.ClientSession, url: str, request: Request) -> int:
    path, body, headers = request
    async with http.post(f"{url}{path}", data=body, headers=headers) as answer:
        await answer.read()
        return answer.status


async def cost(http: aiohttp.ClientSession, url: str, pid: int, request: Request) -> Cost:
    """One request on an idle server: its status, CPU until idle again, and peak growth."""
    await idle(pid)
    reset_peak(pid)
    before_rss, before_cpu, began = rss_mib(pid), cpu_ns(pid), time.perf_counter()
    status = await post(http, url, request)
    await idle(pid)
    cpu, seconds = (cpu_ns(pid) - before_cpu) / 1e6, time.perf_counter() - began - IDLE_WINDOW_S
    return Cost(status, cpu, peak_mib(pid) - before_rss, seconds)


async def measure(http: aiohttp.ClientSession, b: Bench, name: str, make: Maker) -> Row:
    row = Row(name)
    for _ in range(REPEATS):
        row.costs.append(await cost(http, b.rounds_url, b.rounds_pid, make(b)))
    await idle(b.rounds_pid)
    row.health_ms = await while_asking(b.rounds_url, sent(http, b, make(b), row))
    path, body, headers = make(b)
    if path in b.bare:
        url, pid = b.bare[path]
        bare = await cost(http, url, pid, (path, body, headers))
        row.bare_ms, row.bare_status = bare.cpu_ms, bare.status
    return row


async def sent(http: aiohttp.ClientSession, b: Bench, request: Request, row: Row) -> None:
    """Send `request`, then wait as long as the quiet copies kept the server busy."""
    began = time.perf_counter()
    await post(http, b.rounds_url, request)
    longest = max(c.seconds for c in row.costs)
    await asyncio.sleep(max(0.0, began + longest + 0.02 - time.perf_counter()))


async def health_cost(b: Bench, asks: int = 200) -> float:
    """What one GET /healthz costs the server, in CPU ms (taken off the close's CPU)."""
    await idle(b.rounds_pid)
    before, health = cpu_ns(b.rounds_pid), Health(b.rounds_url)
    await health.run(asyncio.Event(), asks)
    await idle(b.rounds_pid)
    return (cpu_ns(b.rounds_pid) - before) / 1e6 / health.asked


async def close_thread(http: aiohttp.ClientSession, b: Bench) -> Row:
    """REPLIES replies of CONTRIBUTION_CHARS in a fresh Slack reflection, then `reflect close`
    with /healthz asked until the summary is posted and the server idle."""
    channel = "C0WORSTCLOSE"
    await open_slack(http, b.run, channel)
    b.run.slack_threads.insert(0, b.run.slack_threads.pop())
    gate = asyncio.Semaphore(16)

    async def reply(n: int) -> None:
        async with gate:
            status = await post(
                http,
                b.rounds_url,
                slack_reply(b, f"{n} {prose(b.rng, limits.CONTRIBUTION_CHARS - 8)}"),
            )
            if status != 200:
                raise RuntimeError(f"a reply got HTTP {status}")

    await asyncio.gather(*(reply(n) for n in range(REPLIES)))
    await idle(b.rounds_pid)
    posted = len(b.run.slack.calls_to("chat.postMessage"))
    reset_peak(b.rounds_pid)
    before_rss, before_cpu = rss_mib(b.rounds_pid), cpu_ns(b.rounds_pid)
    began = time.perf_counter()
    close = slack_form(slash_command("reflect close", b.run.slack.response_url(), channel=channel))

    async def closing() -> int:
        status = await post(http, b.rounds_url, close)
        await b.run.slack.wait_for("chat.postMessage", posted + 1, timeout=120)
        return status

    row = Row(f"slack reflect close, {REPLIES:,} replies")
    task, health = asyncio.ensure_future(closing()), Health(b.rounds_url)
    row.health_ms = await while_asking(b.rounds_url, task, health)
    await idle(b.rounds_pid)  # the transcript may still be on its way
    seconds = time.perf_counter() - began - IDLE_WINDOW_S
    cpu = (cpu_ns(b.rounds_pid) - before_cpu) / 1e6 - health.asked * b.health_cpu_ms
    row.costs.append(Cost(task.result(), cpu, peak_mib(b.rounds_pid) - before_rss, seconds))
    return row


async def distinct_commands(http: aiohttp.ClientSession, b: Bench) -> tuple[float, float, float]:
    """DISTINCT different commands of COMMAND_CHARS, Slack and Teams in turn, 8 at a time;
    RSS before and after (idle), and how long it took."""
    kinds = ["lookup", "quote", "help", "prompt", ""]
    words = library_words()
    gate = asyncio.Semaphore(8)

    async def one(n: int) -> None:
        rng = random.Random(n)
        text = fill(rng.sample(words, 600), limits.COMMAND_CHARS, kinds[n % len(kinds)])
        text = f"{text[: limits.COMMAND_CHARS - 8]} {n:07d}"
        request = slash(b, text) if n % 2 else teams_said(b, text)
        async with gate:
            status = await post(http, b.rounds_url, request)
        if status >= 500:
            raise RuntimeError(f"a command got HTTP {status}")

    await idle(b.rounds_pid)
    before, began = rss_mib(b.rounds_pid), time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(DISTINCT)))
    await idle(b.rounds_pid)
    return before, rss_mib(b.rounds_pid), time.perf_counter() - began


# -- the table --------------------------------------------------------------------------------


def show(row: Row, verdict: str) -> None:
    bare = "-" if row.bare_ms is None else f"{row.bare_ms:.1f} ({row.bare_status})"
    statuses = ",".join(sorted({str(c.status) for c in row.costs}))
    print(
        f"{row.name:<44}{statuses:>7}{row.cpu_ms:>9.1f}{bare:>14}{row.peak_mib:>10.1f}"
        f"{row.health_ms:>11.1f}  {verdict}"
    )


def report(rows: list[Row], close: Row, rss: tuple[float, float, float]) -> bool:
    print(
        f"each input {REPEATS} times, distinct each time, on an idle server (the worst shown); "
        "CPU is the server's until idle again, bare is the platform SDK alone (bolt acking, "
        "CloudAdapter echoing) for the same bytes; peak is RSS above the start"
    )
    print(
        f"{'input':<44}{'status':>7}{'CPU ms':>9}{'bare ms':>14}{'peak MiB':>10}{'health ms':>11}"
    )
    for row in rows:
        show(row, "ok" if row.ok else "OVER")
    show(close, "ok" if close.health_ms <= HEALTH_MS else "SLOW")
    before, after, seconds = rss
    print(
        f"{DISTINCT:,} distinct {limits.COMMAND_CHARS:,}-character commands (Slack and Teams) in "
        f"{seconds:.0f} s: RSS {before:.0f} MiB before, {after:.0f} MiB after"
    )
    over = [row.name for row in rows if not row.ok]
    checks = [
        (f"every input <= {CPU_MS:.0f} ms CPU, <= {PEAK_MIB:.0f} MiB peak growth",
         ", ".join(over) or "all within", not over),
        (f"/healthz <= {HEALTH_MS:.0f} ms during the close", f"{close.health_ms:.0f} ms",
         close.health_ms <= HEALTH_MS),
        (f"RSS after {DISTINCT:,} commands <= {RSS_AFTER_MIB:.0f} MiB", f"{after:.0f} MiB",
         after <= RSS_AFTER_MIB),
    ]  # fmt: skip
    for name, measured, ok in checks:
        print(f"target: {name} ... {measured} ... {'PASS' if ok else 'FAIL'}")
    return all(ok for *_, ok in checks)


# -- main -------------------------------------------------------------------------------------


def environment(slack: FakeSlack, db: Path) -> dict[str, str]:
    return {
        **server_env(slack, db),
        "API_URL": slack.api_url,  # the bare bolt app's
        "ROUNDS_LOG_LEVEL": "warning",
        # one person may send only so many commands a minute: not what is measured here
        "ROUNDS_RATE_PER_MINUTE": "1000000",
        "ROUNDS_ANONYMOUS_PER_MINUTE": "1000000",
    }


async def worst(slack: FakeSlack, teams: FakeConnector, tmp: Path) -> bool:
    env = environment(slack, tmp / "worst.db")
    servers = (ROUNDS_SERVE, bare("bare_bolt.py"), bare("bare_cloud_adapter.py"))
    async with running(env, *servers) as [(pid, url), (bolt_pid, bolt_url), (cloud_pid, cloud_url)]:
        baselines = {SLACK: (bolt_url, bolt_pid), TEAMS: (cloud_url, cloud_pid)}
        b = Bench(Run(url, url, slack, teams), url, pid, baselines)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            await open_slack(http, b.run, "C0WORST")
            b.health_cpu_ms = await health_cost(b)
            await open_teams(http, b.run, "19:worst@thread.tacv2")
            rows = [await measure(http, b, name, make) for name, make in CASES.items()]
            rss = await distinct_commands(http, b)
            close = await close_thread(http, b)
    return report(rows, close, rss)


async def main() -> int:
    return await with_fakes(worst)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
