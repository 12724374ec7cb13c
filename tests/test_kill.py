"""Killed at random points during a reflection: no contribution acknowledged to anyone is
ever lost, and none is stored twice.

The real `rounds serve` runs with Slack over HTTP (a fake Slack) and Teams in emulator mode
(a fake Bot Connector), on a SQLite file and on PostgreSQL. A reflection is opened in each.
Then, again and again, a stream of contributions goes in concurrently (Slack thread replies,
Slack anonymous form submissions, Teams replies in the thread's reply chain) and at a random
moment, a few milliseconds to a few hundred in, the process gets SIGKILL. What was
acknowledged is written down: a Slack event answered 200, a form answered (at once, or by
the update after "posting…") with "your contribution is in the thread", a Teams activity
answered 200/201. The process is started again on the same database and everything not
acknowledged is sent again: the same event with `X-Slack-Retry-Num`, as Slack retries; the
same form submitted again; the same activity (Teams does not retry, but a person would send
it again).

At the end, with the process stopped, the database itself is read: every contribution is
there, named ones exactly once, anonymous ones without an author, and the thread still
closes with one summary.

An anonymous contribution is stored (pending) before it is posted, and posts to a channel
are paced, so a kill often lands while one waits its turn: sent again, it must be the same
contribution, stored once, posted, and no longer pending.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.slack import text as slack_text
from adapters.slack.render import FORM_BLOCK, FORM_INPUT
from bot import actions
from bot import messages as m
from bot.store import async_url
from bot.store.reflections import CLOSED
from bot.store.schema import contributions, reflections
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    TEAM_ID,
    event_callback,
    message_event,
    sign,
    slack_json,
    slash_command,
    view_submission_payload,
)
from tests.fakes.teams_activities import CHANNEL_ID, TENANT_ID, aad_object_id, channel_message
from tests.slack_harness import words

SEED = 20261124  # the kills come at the same moments on every run
KILLS = 8
WORKERS = 12  # contributions in flight at once
KILL_AFTER = (0.005, 0.35)  # seconds into the stream
CHANNEL = "C0KILL"
SLACK_PEOPLE = ("U0BOB", "U0CARA", "U0DAN")
TEAMS_PEOPLE = (("29:bob", "Bob Other"), ("29:cara", "Cara Third"))
KINDS = ("slack", "anonymous", "teams")
# Rounds posts an anonymous contribution itself, paced like every post to a channel (about
# one a second after a burst of three): a few per stream keep the test short.
ANONYMOUS_PER_STREAM = 3
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
TIMEOUT = aiohttp.ClientTimeout(total=20)
ACKNOWLEDGED, POSTING, NOT = "acknowledged", "posting", "not acknowledged"


# -- the process --------------------------------------------------------------------------


@dataclass
class Rounds:
    process: asyncio.subprocess.Process
    url: str


async def serve(env: dict[str, str], log: Path) -> Rounds:
    """`rounds serve` on a free port, its logs appended to `log`; returns once it listens."""
    with log.open("ab") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "rounds.cli", "serve", "--host", "127.0.0.1", "--port", "0"),
            env={**os.environ, **env},
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    started = Rounds(process, "")
    assert process.stdout is not None
    async with asyncio.timeout(30):
        while not started.url:
            line = (await process.stdout.readline()).decode()
            if not line:
                await process.wait()
                said = await asyncio.to_thread(log.read_text)
                raise AssertionError(f"rounds serve ended: {said[-3000:]}")
            if "listening on" in line:
                started.url = line.strip().rsplit(" ", 1)[1]
    return started


async def kill(rounds: Rounds) -> None:
    if rounds.process.returncode is None:
        rounds.process.send_signal(signal.SIGKILL)
    await rounds.process.wait()


async def stop(rounds: Rounds) -> None:
    """SIGTERM, as an operator stops it (SIGKILL if it will not go)."""
    if rounds.process.returncode is None:
        rounds.process.terminate()
    try:
        await asyncio.wait_for(rounds.process.communicate(), timeout=20)
    except TimeoutError:
        await kill(rounds)


@pytest.fixture
async def processes() -> AsyncIterator[list[Rounds]]:
    """Every process started; any still running when the test ends is killed."""
    started: list[Rounds] = []
    yield started
    await asyncio.gather(*(kill(r) for r in started))


def environment(slack: FakeSlack, database: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "ROUNDS_SLACK_API_URL": slack.api_url,
        "ROUNDS_DATABASE_URL": database,
        "ROUNDS_SLACK_PER_MINUTE": "60000",  # the workspace budget is benchmarked elsewhere
        "ROUNDS_ADMINS": "",
        "MicrosoftAppId": "",  # Teams in emulator mode: a loopback serviceUrl, no token
        "ROUNDS_TEAMS_EMULATOR": "true",
        "MicrosoftAppPassword": "",
    }


# -- the two reflections --------------------------------------------------------------------


@dataclass
class Threads:
    slack_id: int
    slack_ts: str
    teams_root: str


async def eventually(check: Callable[[], bool], what: str, within: float = 15) -> None:
    try:
        async with asyncio.timeout(within):
            while True:
                if check():
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not within {within}s: {what}") from None


async def command(http: aiohttp.ClientSession, slack: FakeSlack, rounds: Rounds, line: str) -> str:
    """Alice's `/rounds <line>` in the channel; the words of its answer (from the ack, or
    through `response_url` when the ack only said it was working on it)."""
    url = slack.response_url()
    body = slash_command(line, url, channel=CHANNEL)
    headers = {"Content-Type": FORM, **sign(body)}
    async with http.post(f"{rounds.url}/slack/events", data=body, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        said = words(await answer.json())
    if slack_text.WORKING not in said:
        return said
    path = urlsplit(url).path

    def answered() -> bool:
        return any(c.path == path for c in slack.calls_to("response_url"))

    await eventually(answered, f"an answer to {line!r} through response_url")
    return words(next(c.params for c in slack.calls_to("response_url") if c.path == path))


async def open_reflections(
    http: aiohttp.ClientSession, slack: FakeSlack, connector: FakeConnector, rounds: Rounds
) -> Threads:
    said = await command(http, slack, rounds, "reflect start manager-medic")
    assert "is open and closes" in said, said
    ident = int(said.split("Reflection #", 1)[1].split(" ", 1)[0])
    [opening] = slack.history[CHANNEL]
    start = channel_message("reflect start manager-medic", connector.url)
    async with http.post(f"{rounds.url}/api/messages", json=start) as answer:
        assert answer.status in (200, 201), await answer.text()
    [created] = [
        s for s in connector.sent_to("create_conversation") if s.conversation_id == CHANNEL_ID
    ]
    return Threads(ident, str(opening["ts"]), str(created.response["activityId"]))


# -- contributions --------------------------------------------------------------------------


@dataclass
class Contribution:
    n: int
    kind: str  # "slack" (a named thread reply), "anonymous" (Slack's form), "teams"
    text: str
    author: str | None  # who the store should name (`platform:workspace:user`)
    body: bytes = b""  # Slack's request body (an event, or a form submission)
    activity: dict[str, Any] = field(default_factory=dict)  # Teams'
    view_id: str = ""
    sends: int = 0
    acknowledged: bool = False  # on its first send
    delivered: bool = False  # on its first send or on a later one


class Stream:
    """Makes contributions, sends them, and remembers what became of each."""

    def __init__(self, rng: random.Random, threads: Threads, connector: FakeConnector) -> None:
        self.rng, self.threads, self.connector = rng, threads, connector
        self.all: list[Contribution] = []
        self.anonymous: dict[int, int] = {}  # stream → anonymous contributions made

    def make(self, stamp: int) -> Contribution:
        n = len(self.all)
        kind = self.rng.choices(KINDS, weights=(2, 1, 2))[0]
        if kind == "anonymous" and self.anonymous.get(stamp, 0) >= ANONYMOUS_PER_STREAM:
            kind = "slack"
        self.anonymous[stamp] = self.anonymous.get(stamp, 0) + (kind == "anonymous")
        text = f"Contribution {n} ({kind}, stream {stamp}): we agreed who owns the bed meeting"
        if kind == "slack":
            user = self.rng.choice(SLACK_PEOPLE)
            ts = f"17000{stamp:05d}.{n:06d}"
            event = message_event(text, user, CHANNEL, ts, thread_ts=self.threads.slack_ts)
            body = event_callback(event, f"EvKill{n:06d}")
            made = Contribution(n, kind, text, f"slack:{TEAM_ID}:{user}", body)
        elif kind == "anonymous":
            made = self._anonymous(n, text)
        else:
            user, name = self.rng.choice(TEAMS_PEOPLE)
            root = self.threads.teams_root
            said = channel_message(text, self.connector.url, user, name, False, root)
            who = f"teams:{TENANT_ID}:{aad_object_id(user)}"
            made = Contribution(n, kind, text, who, activity=said)
        self.all.append(made)
        return made

    def _anonymous(self, n: int, text: str) -> Contribution:
        """What Slack sends when someone submits the anonymous form Rounds opened."""
        place = {"value": str(self.threads.slack_id), "channel": CHANNEL, "team": TEAM_ID}
        values = {FORM_BLOCK: {FORM_INPUT: {"type": "plain_text_input", "value": text}}}
        payload = view_submission_payload(
            actions.ANONYMOUS_SUBMIT, json.dumps(place), values, user=f"U0HIDDEN{n % 7}"
        )
        payload["view"]["title"] = {"type": "plain_text", "text": m.ANONYMOUS_FORM_TITLE[:24]}
        body = urlencode({"payload": slack_json(payload).decode()}).encode()
        return Contribution(n, "anonymous", text, None, body, view_id=payload["view"]["id"])

    def done(self, view: Any) -> bool:
        """Whether a modal says the anonymous contribution is in the thread."""
        return isinstance(view, dict) and self._done_text in words(view)

    @property
    def _done_text(self) -> str:
        return m.ANONYMOUS_DONE.format(id=self.threads.slack_id)

    async def send(self, http: aiohttp.ClientSession, url: str, made: Contribution) -> str:
        """Send (or send again) one contribution: ACKNOWLEDGED, POSTING (a form that says
        "posting your contribution…" and is updated later) or NOT (an error, a 5xx, a
        connection cut by the kill)."""
        made.sends += 1
        try:
            if made.kind == "teams":
                async with http.post(f"{url}/api/messages", json=made.activity) as answer:
                    await answer.read()
                    return ACKNOWLEDGED if answer.status in (200, 201) else NOT
            headers = {"Content-Type": JSON if made.kind == "slack" else FORM, **sign(made.body)}
            if made.kind == "slack" and made.sends > 1:  # as Slack retries an event
                tries = str(min(made.sends - 1, 3))
                headers |= {"X-Slack-Retry-Num": tries, "X-Slack-Retry-Reason": "http_error"}
            async with http.post(f"{url}/slack/events", data=made.body, headers=headers) as answer:
                said = await answer.text()
                if answer.status != 200:
                    return NOT
                if made.kind == "slack":
                    return ACKNOWLEDGED
                view = json.loads(said).get("view")
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError):
            return NOT
        if self.done(view):
            return ACKNOWLEDGED
        return POSTING if slack_text.FORM_WORKING in words(view or {}) else NOT

    def confirmed_later(self, slack: FakeSlack) -> set[str]:
        """Forms that said "posting…" and were then updated to say it is in the thread."""
        return {
            str(c.params.get("view_id"))
            for c in slack.calls_to("views.update")
            if self.done(c.params.get("view"))
        }


@dataclass
class Kill:
    after: float  # seconds into the stream
    acknowledged: int  # contributions of this stream acknowledged before the kill
    unacknowledged: int  # sent before the kill, never acknowledged


async def stream_until_killed(
    http: aiohttp.ClientSession, rounds: Rounds, stream: Stream, stamp: int, after: float
) -> list[Contribution]:
    """Contributions from WORKERS senders at once until SIGKILL, `after` seconds in."""
    killed = False
    mine: list[Contribution] = []

    async def sender() -> None:
        while not killed:  # nothing new is sent once the kill is under way
            made = stream.make(stamp)
            mine.append(made)
            made.acknowledged = await stream.send(http, rounds.url, made) == ACKNOWLEDGED
            made.delivered = made.acknowledged

    senders = [asyncio.create_task(sender()) for _ in range(WORKERS)]
    await asyncio.sleep(after)
    killed = True
    await kill(rounds)
    await asyncio.gather(*senders)
    return mine


async def redeliver(
    http: aiohttp.ClientSession, rounds: Rounds, stream: Stream, slack: FakeSlack
) -> None:
    """Everything not acknowledged is sent again, as Slack retries an event (and as someone
    submits a form again, or Teams would resend), until it is acknowledged. A form that
    says "posting…" is left to finish: it is updated when the post is made."""
    gate = asyncio.Semaphore(WORKERS)
    posting: list[Contribution] = []

    async def again(made: Contribution) -> None:
        async with gate:
            outcome = await stream.send(http, rounds.url, made)
        made.delivered = outcome == ACKNOWLEDGED
        if outcome == POSTING:
            posting.append(made)

    for _ in range(3):
        await asyncio.gather(*(again(c) for c in stream.all if not c.delivered))
        if posting:

            def updated() -> bool:
                return {c.view_id for c in posting} <= stream.confirmed_later(slack)

            await eventually(updated, f"{len(posting)} forms updated after posting", within=30)
            for made in posting:
                made.delivered = True
            posting.clear()


# -- what the database holds ----------------------------------------------------------------


@dataclass
class Stored:
    reflection: int
    author: str | None
    author_name: str | None
    text: str
    message_id: str | None
    pending: bool


async def read_database(url: str) -> tuple[list[Stored], dict[int, tuple[str, str]]]:
    """Every contribution, and each reflection's platform and state, read directly."""
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            c = contributions.c
            columns = (c.reflection_id, c.author, c.author_name, c.text, c.message_id, c.pending)
            stored = [Stored(*row) for row in await conn.execute(select(*columns))]
            r = reflections.c
            threads = {
                row.id: (row.platform, row.state)
                for row in await conn.execute(select(r.id, r.platform, r.state))
            }
    finally:
        await engine.dispose()
    return stored, threads


def in_thread(slack: FakeSlack, thread: str, *texts: str) -> int:
    """How many posts in the thread carry all of `texts`."""
    return sum(
        1
        for post in slack.calls_to("chat.postMessage")
        if post.params.get("thread_ts") == thread
        and all(text in words(post.params) for text in texts)
    )


# -- the test -------------------------------------------------------------------------------


async def test_contributions_survive_the_process_killed_at_random_points(
    database_url: str,
    fake: FakeSlack,
    connector: FakeConnector,
    processes: list[Rounds],
    tmp_path: Path,
) -> None:
    timing = random.Random(SEED)  # when the kills come
    env, log = environment(fake, database_url), tmp_path / "serve.log"

    async def start() -> Rounds:
        rounds = await serve(env, log)
        processes.append(rounds)
        return rounds

    rounds = await start()
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        threads = await open_reflections(http, fake, connector, rounds)
    stream = Stream(random.Random(SEED + 1), threads, connector)
    kills: list[Kill] = []
    for stamp in range(1, KILLS + 1):
        after = timing.uniform(*KILL_AFTER)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            mine = await stream_until_killed(http, rounds, stream, stamp, after)
        later = stream.confirmed_later(fake)  # "posting…", then the update before the kill
        for made in mine:
            if made.kind == "anonymous" and made.view_id in later:
                made.acknowledged = made.delivered = True
        acknowledged = sum(c.acknowledged for c in mine)
        kills.append(Kill(after, acknowledged, len(mine) - acknowledged))
        rounds = await start()  # on the same database
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            await redeliver(http, rounds, stream, fake)

    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        said = await command(http, fake, rounds, "reflect close")
    assert m.REFLECT_CLOSE_DONE.format(id=threads.slack_id) in said, said
    await eventually(lambda: in_thread(fake, threads.slack_ts, "Summary:") >= 1, "a summary")
    await asyncio.sleep(1)  # a second summary would come now
    await stop(rounds)
    stored, states = await read_database(database_url)

    report = "\n".join(f"kill {n}: {k}" for n, k in enumerate(kills, 1))
    # The kills really landed mid-stream: work in flight at each, acknowledged work before most
    assert all(k.unacknowledged for k in kills), report
    assert sum(1 for k in kills if k.acknowledged) >= KILLS // 2, report
    assert len(stream.all) >= 10 * KILLS, report

    counts = Counter(s.text for s in stored)
    sent = {c.text: c for c in stream.all}
    assert set(counts) <= set(sent), "rows nobody sent"

    def kept(made: Contribution) -> str:
        return f"#{made.n} {made.kind} sent {made.sends}x stored {counts[made.text]}x"

    platform_of = {"slack": "slack", "anonymous": "slack", "teams": "teams"}
    for row in stored:
        made = sent[row.text]
        assert states[row.reflection][0] == platform_of[made.kind], kept(made)
        assert row.author == made.author, kept(made)  # anonymous: None
        if made.author is None:
            assert row.author_name is None, kept(made)
    assert states[threads.slack_id] == ("slack", CLOSED)
    assert in_thread(fake, threads.slack_ts, "Summary:") == 1

    dropped = [kept(c) for c in stream.all if c.acknowledged and counts[c.text] < 1]
    assert not dropped, f"acknowledged, then lost: {dropped}\n{report}"
    never = [kept(c) for c in stream.all if not c.delivered]
    assert not never, f"never acknowledged, even when sent again: {never}"
    lost = [kept(c) for c in stream.all if counts[c.text] < 1]
    assert not lost, f"delivered, then lost: {lost}\n{report}"
    named = [kept(c) for c in stream.all if c.kind != "anonymous" and counts[c.text] != 1]
    assert not named, f"named contributions not stored exactly once: {named}\n{report}"
    # an anonymous contribution sent again while its first post was cut short is the same
    # one: stored once, posted, and no longer pending (nothing left half-done)
    anonymous = [c for c in stream.all if c.kind == "anonymous"]
    heading = m.ANONYMOUS_HEADING
    wrong = [
        f"{kept(c)}, posted {in_thread(fake, threads.slack_ts, heading, c.text)}x, "
        f"{sum(1 for s in stored if s.text == c.text and s.pending)} pending"
        for c in anonymous
        if counts[c.text] != 1
        or any(s.pending for s in stored if s.text == c.text)
        or in_thread(fake, threads.slack_ts, heading, c.text) < 1
    ]
    assert not wrong, f"anonymous contributions not stored and posted once: {wrong}\n{report}"
