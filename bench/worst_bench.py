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
import json
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters import nesting
from adapters.nesting import MAX_DEPTH, MAX_VALUES
from bench.slack_bench import library_words, start
from bench.soak_bench import (
    Run,
    open_slack,
    open_teams,
    rss_mib,
    server_env,
    stop,
    with_fakes,
)
from bot import limits
from rounds.server import MAX_BODY
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    app_mention,
    event_callback,
    message_event,
    sign,
    slack_json,
    slash_command,
    view_submission_payload,
)
from tests.fakes.teams_activities import channel_message, compose_query

HERE = Path(__file__).parent
REPEATS = 3
HEALTH_EVERY_S = 0.01
REPLIES = 2_000
DISTINCT = 10_000
CPU_MS, PEAK_MIB, HEALTH_MS, RSS_AFTER_MIB = 50.0, 20.0, 100.0, 200.0
IDLE_NS = 300_000  # under this much CPU in IDLE_WINDOW_S and the server counts as idle
IDLE_WINDOW_S = 0.03
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
SLACK, TEAMS = "/slack/events", "/api/messages"
LETTERS = "abcdefghijklmnopqrstuvwxyz"

Request = tuple[str, bytes, dict[str, str]]  # path, body, headers


# -- the server, from /proc -------------------------------------------------------------------


def cpu_ns(pid: int) -> int:
    """Nanoseconds every thread of the process has run (threads still alive)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # the thread ended as we looked
            continue
    return total


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def reset_peak(pid: int) -> None:
    """VmHWM back to the present RSS (Linux: 5 > clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def idle(pid: int, timeout: float = 120.0) -> None:  # noqa: ASYNC109
    """Until the server has done (almost) nothing for IDLE_WINDOW_S."""
    deadline = time.perf_counter() + timeout
    last = cpu_ns(pid)
    while time.perf_counter() < deadline:
        await asyncio.sleep(IDLE_WINDOW_S)
        now = cpu_ns(pid)
        if now - last < IDLE_NS:
            return
        last = now
    raise RuntimeError("the server never went idle")


class Health:
    """Asks GET /healthz every HEALTH_EVERY_S on its own connection; the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/healthz"
        self.worst = 0.0
        self.asked = 0

    async def run(self, stop: asyncio.Event, asks: int | None = None) -> None:
        """Until `stop` is set, or `asks` answers came."""
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
            while not stop.is_set() and (asks is None or self.asked < asks):
                began = time.perf_counter()
                async with http.get(self.url) as answer:
                    await answer.read()
                self.worst = max(self.worst, time.perf_counter() - began)
                self.asked += 1
                await asyncio.sleep(max(0.0, began + HEALTH_EVERY_S - time.perf_counter()))


async def while_asking(url: str, work: Awaitable[Any], health: Health | None = None) -> float:
    """Run `work` while asking /healthz; the slowest /healthz, in ms."""
    health, done = health or Health(url), asyncio.Event()
    asking = asyncio.create_task(health.run(done))
    try:
        await work
    finally:
        done.set()
        await asking
    return health.worst * 1000


# -- inputs -----------------------------------------------------------------------------------


def fill(words: list[str], chars: int, prefix: str = "") -> str:
    """`prefix` then words, separated by spaces, up to `chars` characters in all."""
    text, i = prefix, 0
    while len(text) + len(words[i % len(words)]) + 1 <= chars:
        text += (" " if text else "") + words[i % len(words)]
        i += 1
    return text


def typos(word: str, rng: random.Random, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        word = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
    return word


def near_words(rng: random.Random, length: int, count: int) -> list[str]:
    """Words two letters off library words of `length` letters (longer library words cut,
    shorter ones run together), so each takes the slow, two-edit correction."""
    pool = library_words()
    found: list[str] = []
    while len(found) < count:
        word = ""
        while len(word) < length:
            word += rng.choice(pool)
        found.append(typos(word[:length], rng, 2))
    return found


def densest_length() -> int:
    """The length with the most library words: the two-edit scan's longest window."""
    lengths = [len(w) for w in library_words()]
    return max(set(lengths), key=lambda n: sum(abs(m - n) <= 2 for m in lengths))


def lookup_text(rng: random.Random, length: int) -> str:
    words = near_words(rng, length, limits.COMMAND_CHARS // (length + 1))
    return fill(words, limits.COMMAND_CHARS, "lookup")


def hostile_prose(rng: random.Random, chars: int) -> str:
    """Text for the guardrail and the summary: library words, with capitalised words and
    digit groups among them (what names and NHS numbers look like, without being either)."""
    words = [rng.choice(library_words()) for _ in range(chars // 4)]
    words[::5] = [word.capitalize() for word in words[::5]]
    words[3::7] = [str(rng.randrange(100, 999)) for _ in words[3::7]]
    return fill(words, chars)


def prose(rng: random.Random, chars: int) -> str:
    return fill([rng.choice(library_words()) for _ in range(chars // 4)], chars)


def fullest(doc: dict[str, Any], key: str, size: int) -> bytes:
    """`doc` with `key` holding the most structure the limits let through: MAX_DEPTH-deep
    arrays, as many as MAX_VALUES allows, then a string to make the body `size` bytes."""
    chain = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    count = MAX_VALUES // (MAX_DEPTH - 1)
    while True:
        text = slack_json({**doc, key: "MARK"}).decode()
        pad = "x" * (size - len(text) - count * (len(chain) + 1) - 8)
        text = text.replace('"MARK"', "[" + ",".join([chain] * count) + f',"{pad}"]')
        if nesting.refusal(text) is None:
            return text.encode()
        count -= 1


@dataclass
class Bench:
    run: Run
    rounds_url: str
    rounds_pid: int
    bare: dict[str, tuple[str, int]]  # platform path -> (url, pid) of the bare library
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    serial: int = 0
    health_cpu_ms: float = 0.0  # the server's CPU for one GET /healthz

    def next(self) -> int:
        self.serial += 1
        return self.serial


def slack_form(body: bytes) -> Request:
    return SLACK, body, {**FORM, **sign(body)}


def slack_event(body: bytes) -> Request:
    return SLACK, body, {**JSON, **sign(body)}


def teams(activity: dict[str, Any]) -> Request:
    return TEAMS, json.dumps(activity).encode(), JSON


def slash(b: Bench, text: str) -> Request:
    user = f"U0W{b.next():06d}"
    return slack_form(slash_command(text, b.run.slack.response_url(), user=user, user_name=user))


def teams_said(b: Bench, text: str, mention: bool = True) -> Request:
    user = f"29:w{b.next():06d}"
    return teams(channel_message(text, b.run.teams.url, user=user, mention=mention))


def slack_reply(b: Bench, text: str) -> Request:
    channel, thread, _form = b.run.slack_threads[0]
    n = b.next()
    event = message_event(
        text, user=f"U0R{n % 50:04d}", channel=channel, ts=f"1700000200.{n:06d}", thread_ts=thread
    )
    return slack_event(event_callback(event, f"EvWorst{n}"))


def slack_anonymous(b: Bench, text: str) -> Request:
    _channel, _thread, form = b.run.slack_threads[0]
    [box] = [block for block in form["blocks"] if block.get("type") == "input"]
    values = {
        box["block_id"]: {box["element"]["action_id"]: {"type": "plain_text_input", "value": text}}
    }
    payload = view_submission_payload(
        form["callback_id"], form["private_metadata"], values, user=f"U0A{b.next():05d}"
    )
    return slack_form(urlencode({"payload": slack_json(payload).decode()}).encode())


def teams_reply(b: Bench, text: str) -> Request:
    channel, root = b.run.teams_threads[0]
    user = f"29:r{b.next() % 50:04d}"
    activity = channel_message(
        text, b.run.teams.url, user, mention=False, reply_to_id=root, channel=channel
    )
    return teams(activity)


def mention_markup(b: Bench) -> Request:
    """A mention whose text is the most markup the adapter cleans: user mentions, channel
    links and URLs with labels, `&amp;` entities."""
    pieces = [
        "<@U0BOT>",
        "<@U0ALICE|alice>",
        "<#C0GENERAL|general>",
        "<https://example.nhs.uk/a?b=c|link>",
        "&amp;&lt;&gt;",
    ]
    text = fill([*pieces, str(b.next())], limits.RAW_CHARS, "<@U0BOT> lookup")
    return slack_event(event_callback(app_mention(text), f"EvMention{b.next()}"))


def at_tags(b: Bench) -> Request:
    tags = fill([f"<at>Rounds{b.next()}</at>", "<at>Rounds</at>"], limits.RAW_CHARS, "lookup")
    return teams_said(b, tags, mention=False)


Maker = Callable[[Bench], Request]
CASES: dict[str, Maker] = {}


def case(name: str) -> Callable[[Maker], Maker]:
    def register(make: Maker) -> Maker:
        CASES[name] = make
        return make

    return register


@case("slack lookup, 40-letter near-words")
def _(b: Bench) -> Request:
    return slash(b, lookup_text(b.rng, limits.LONGEST_CORRECTED))


@case("slack lookup, densest-length near-words")
def _(b: Bench) -> Request:
    return slash(b, lookup_text(b.rng, densest_length()))


@case("slack quote, 4,000 chars")
def _(b: Bench) -> Request:
    return slash(b, fill(near_words(b.rng, densest_length(), 500), limits.COMMAND_CHARS, "quote"))


@case("slack unknown command, 4,000 chars")
def _(b: Bench) -> Request:
    return slash(b, fill(near_words(b.rng, 12, 400), limits.COMMAND_CHARS))


@case("slack mention, 16,000 chars of markup")
def _(b: Bench) -> Request:
    return mention_markup(b)


@case("slack thread reply, 3,000 chars")
def _(b: Bench) -> Request:
    return slack_reply(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("slack anonymous form, 3,000 chars")
def _(b: Bench) -> Request:
    return slack_anonymous(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("slack JSON at the limits, 1 MiB")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    return slack_event(fullest(event, "deep", MAX_BODY - 1024))


@case("slack JSON 65 deep (refused)")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    return slack_event(slack_json({**event, "deep": "MARK"}).replace(b'"MARK"', deep.encode()))


@case("slack JSON of a million values (refused)")
def _(b: Bench) -> Request:
    event = json.loads(event_callback(app_mention("<@U0BOT> help"), f"EvDeep{b.next()}"))
    return slack_event(slack_json({**event, "many": [b.next() % 10] * 330_000}))


@case("teams lookup, densest-length near-words")
def _(b: Bench) -> Request:
    return teams_said(b, lookup_text(b.rng, densest_length()))


@case("teams message, 16,000 chars of <at>")
def _(b: Bench) -> Request:
    return at_tags(b)


@case("teams search, 4,000 chars")
def _(b: Bench) -> Request:
    query = fill(near_words(b.rng, densest_length(), 500), limits.COMMAND_CHARS)
    return teams(compose_query(query, b.run.teams.url, user=f"29:s{b.next()}"))


@case("teams thread reply, 3,000 chars")
def _(b: Bench) -> Request:
    return teams_reply(b, hostile_prose(b.rng, limits.CONTRIBUTION_CHARS))


@case("teams JSON at the limits in value, 1 MiB")
def _(b: Bench) -> Request:
    activity = channel_message("help", b.run.teams.url, user=f"29:d{b.next()}")
    return TEAMS, fullest(activity, "value", MAX_BODY - 1024), JSON


@case("teams value of a million values (refused)")
def _(b: Bench) -> Request:
    activity = channel_message("help", b.run.teams.url, user=f"29:d{b.next()}")
    return teams({**activity, "value": [b.next() % 10] * 330_000})


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
    procs: list[subprocess.Popen[str]] = []
    try:
        rounds_cmd = [sys.executable, "-m", "rounds.cli", "serve", "--host", "127.0.0.1"]
        rounds, url = start([*rounds_cmd, "--port", "0"], env)
        procs.append(rounds)
        bolt, bolt_url = start([sys.executable, str(HERE / "bare_bolt.py")], env)
        procs.append(bolt)
        cloud, cloud_url = start([sys.executable, str(HERE / "bare_cloud_adapter.py")], env)
        procs.append(cloud)
        bare = {SLACK: (bolt_url, bolt.pid), TEAMS: (cloud_url, cloud.pid)}
        b = Bench(Run(url, url, slack, teams), url, rounds.pid, bare)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            await open_slack(http, b.run, "C0WORST")
            b.health_cpu_ms = await health_cost(b)
            await open_teams(http, b.run, "19:worst@thread.tacv2")
            rows = [await measure(http, b, name, make) for name, make in CASES.items()]
            rss = await distinct_commands(http, b)
            close = await close_thread(http, b)
    finally:
        for proc in procs:
            await stop(proc)
    return report(rows, close, rss)


async def main() -> int:
    return await with_fakes(worst)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
