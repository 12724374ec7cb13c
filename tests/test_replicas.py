"""Two `rounds serve` replicas on one PostgreSQL database behave as one: real processes,
real HTTP, one fake Slack, one database.

Each replica posts to the fake Slack with its own bot token, so every call shows which
replica made it. Where the replicas' schedulers have to race for the same work, the test
holds an exclusive lock on the table they read, waits until both are queued behind it and
lets them go at the same instant. Then:

- a slot due in 50 channels is posted once in each, with one delivered row per schedule;
- one Slack event sent to both replicas, and retried to both, is handled once;
- a reflection thread started through one replica takes replies and closes through the
  other, with one summary, and a deadline reached with both schedulers running is closed
  with one summary too;
- `/readyz` follows the database through an outage (a TCP proxy cut and restored) and the
  process recovers without a restart; a command during the outage gets a polite answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.slack import text as slack_text
from bot.store import Store
from bot.store.reflections import CLOSED
from bot.store.schedules import NewSchedule, ScheduleStore
from bot.store.schema import deliveries, reflections, rotation_seen, seen_events
from tests.conftest import PG_URL, opened, postgres_database
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import Call, FakeSlack
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    TEAM_ID,
    app_mention,
    event_callback,
    message_event,
    sign,
    slash_command,
)
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.teams_activities import CHANNEL_ID, TENANT_ID, channel_message
from tests.slack_harness import words

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="replicas share a PostgreSQL database: set ROUNDS_TEST_DATABASE_URL (.ci/run sets it)",
)

TOKENS = {"a": "xoxb-test-not-a-real-token-a", "b": "xoxb-test-not-a-real-token-b"}
CHANNELS = 50
PASS_SECONDS = 1
LONDON = ZoneInfo("Europe/London")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


# -- the replicas -----------------------------------------------------------------------------


@dataclass
class Replica:
    name: str
    token: str
    url: str
    process: asyncio.subprocess.Process
    log: Path


class Launch(Protocol):
    async def __call__(
        self, name: str, database_url: str | None = None, socket_mode: bool = False
    ) -> Replica: ...


def replica_env(fake: FakeSlack, token: str, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": database_url,
        "ROUNDS_SCHEDULER_PASS_SECONDS": str(PASS_SECONDS),
        "ROUNDS_SLACK_PER_MINUTE": "60000",  # the workspace budget is benchmarked elsewhere
        "ROUNDS_ADMINS": "",
        "MicrosoftAppId": "",
        "ROUNDS_TEAMS_EMULATOR": "true",  # Teams without tokens: serve listens on 127.0.0.1
        "MicrosoftAppPassword": "",
    }


async def spawn(
    name: str, token: str, env: dict[str, str], log: Path, socket_mode: bool = False
) -> Replica:
    """`rounds serve` on a free port (its logs in `log`); `listening` waits for it."""
    extra = ("--slack-socket-mode",) if socket_mode else ()
    with log.open("wb") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "rounds.cli", "serve", "--host", "127.0.0.1", "--port", "0", *extra),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    return Replica(name, token, "", process, log)


async def listening(replica: Replica) -> None:
    """Wait until the replica says where it listens."""
    stdout = replica.process.stdout
    assert stdout is not None
    async with asyncio.timeout(30):
        while True:
            line = (await stdout.readline()).decode()
            if not line:
                await replica.process.wait()
                said = await asyncio.to_thread(replica.log.read_text)
                raise AssertionError(f"replica {replica.name} ended: {said[-2000:]}")
            if "listening on" in line:
                replica.url = line.strip().rsplit(" ", 1)[1]
                return


async def stop_replica(replica: Replica) -> None:
    process = replica.process
    if process.returncode is None:
        process.terminate()
    try:
        await asyncio.wait_for(process.communicate(), timeout=15)
    except TimeoutError:
        process.kill()
        await process.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.other_bot_tokens.update(TOKENS.values())
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def db(database: str) -> AsyncIterator[Store]:
    """The test's own view of the database (migrated here, before any replica starts)."""
    async with opened(database) as store:
        yield store


@pytest.fixture
async def launch(fake: FakeSlack, database: str, tmp_path: Path) -> AsyncIterator[Launch]:
    """Starts replicas; every one is stopped (SIGTERM, then SIGKILL) when the test ends."""
    started: list[Replica] = []

    async def launch(
        name: str, database_url: str | None = None, socket_mode: bool = False
    ) -> Replica:
        token = TOKENS[name]
        env = replica_env(fake, token, database_url or database)
        if socket_mode:
            env["SLACK_APP_TOKEN"] = fake.app_token
        log = tmp_path / f"replica-{name}.log"
        replica = await spawn(name, token, env, log, socket_mode)
        started.append(replica)  # stopped at the end even if it never comes up
        await listening(replica)
        return replica

    try:
        yield launch
    finally:
        await asyncio.gather(*(stop_replica(r) for r in started))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def pair(launch: Launch) -> tuple[Replica, Replica]:
    a, b = await asyncio.gather(launch("a"), launch("b"))
    return a, b


# -- waiting ------------------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 15) -> None:
    """Poll until `check` holds, or fail saying what never happened."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {within}s: {what}") from None


async def quiet(seconds: float = PASS_SECONDS * 1.5) -> None:
    """Nothing more may happen: long enough for every replica to run another pass."""
    await asyncio.sleep(seconds)


@asynccontextmanager
async def holding(db: Store, table: str) -> AsyncIterator[AsyncConnection]:
    """An exclusive lock on `table` until the block ends (then committed, with anything
    written on the yielded connection): whoever reads the table meanwhile queues behind it."""
    async with db.engine.connect() as conn:
        await conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        yield conn
        await conn.commit()


async def queued(db: Store, table: str, processes: int = 2) -> None:
    """Wait until `processes` database sessions are waiting for the lock on `table`."""
    query = text(
        "SELECT count(DISTINCT pid) FROM pg_locks "
        "WHERE relation = CAST(:table AS regclass) AND NOT granted"
    )

    async def waiting() -> bool:
        async with db.engine.connect() as conn:
            return int((await conn.execute(query, {"table": table})).scalar_one()) >= processes

    await eventually(waiting, f"{processes} replicas waiting for {table}", within=20)


# -- talking to a replica like Slack does ---------------------------------------------------


async def post_signed(
    http: aiohttp.ClientSession,
    replica: Replica,
    body: bytes,
    content_type: str,
    **headers: str,
) -> tuple[int, Any]:
    all_headers = {"Content-Type": content_type, **sign(body), **headers}
    async with http.post(f"{replica.url}/slack/events", data=body, headers=all_headers) as answer:
        payload = await answer.json() if answer.content_type == JSON else await answer.text()
        return answer.status, payload


async def command(
    http: aiohttp.ClientSession,
    fake: FakeSlack,
    replica: Replica,
    line: str,
    channel: str,
    user: str = "U0ALICE",
) -> dict[str, Any]:
    """A signed `/rounds` command; the answer (from the ack, or from `response_url` when the
    ack only said it was working on it)."""
    url = fake.response_url()
    body = slash_command(line, url, user=user, user_name=user.lower(), channel=channel)
    status, answer = await post_signed(http, replica, body, FORM)
    assert status == 200, (status, answer)
    assert isinstance(answer, dict), answer
    if slack_text.WORKING not in words(answer):
        return answer
    path = urlsplit(url).path

    async def answered() -> bool:
        return any(c.path == path for c in fake.calls_to("response_url"))

    await eventually(answered, f"an answer to {line!r} through response_url")
    return next(c.params for c in fake.calls_to("response_url") if c.path == path)


async def event(
    http: aiohttp.ClientSession,
    replica: Replica,
    body: dict[str, Any],
    event_id: str,
    retry: int = 0,
) -> None:
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    raw = event_callback(body, event_id)
    status, _answer = await post_signed(http, replica, raw, JSON, **(headers if retry else {}))
    assert status == 200


def to_channel(fake: FakeSlack, channel: str, *methods: str) -> list[Call]:
    return [c for c in fake.calls if c.method in methods and c.params.get("channel") == channel]


async def count(db: Store, query: Any) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


# -- a: one slot, fifty channels, two schedulers ----------------------------------------------


async def due_in_every_channel(db: Store) -> list[int]:
    """Weekly schedules (set up yesterday) whose slot was a minute ago: due, within grace."""
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    setup = ScheduleStore(db.engine, lambda: yesterday)
    slot = dt.datetime.now(LONDON) - dt.timedelta(minutes=1)
    rule = (slot.weekday(), f"{slot:%H:%M}", "Europe/London", ())
    saved = []
    for n in range(CHANNELS):
        channel = f"C0SLOT{n:02d}"
        new = NewSchedule(f"slack:{TEAM_ID}:{channel}", "slack", channel, TEAM_ID, *rule)
        saved.append((await setup.save(new)).id)
    return saved


async def test_a_due_slot_is_posted_once_in_each_channel_by_two_schedulers(
    db: Store, launch: Launch, fake: FakeSlack
) -> None:
    schedule_ids = await due_in_every_channel(db)
    async with holding(db, "schedules"):
        await pair(launch)
        await queued(db, "schedules")  # both first passes wait: released, they race
    delivered = (
        select(func.count()).select_from(deliveries).where(deliveries.c.state == "delivered")
    )

    async def all_delivered() -> bool:
        return len(fake.history) == CHANNELS and await count(db, delivered) == CHANNELS

    await eventually(all_delivered, f"{CHANNELS} channels posted and recorded")
    await quiet()
    per_channel = Counter(c.params["channel"] for c in fake.calls_to("chat.postMessage"))
    assert len(per_channel) == CHANNELS and set(per_channel.values()) == {1}
    for ident in schedule_ids:
        [row] = await db.schedules.ledger(ident)
        assert row.state == "delivered" and row.message_id
    posted = {ms[0]["ts"] for ms in fake.history.values()}
    assert {r.message_id for i in schedule_ids for r in await db.schedules.ledger(i)} == posted
    by_replica = Counter(c.token for c in fake.calls_to("chat.postMessage"))
    assert set(by_replica) == set(TOKENS.values()), by_replica  # both won some of the race


# -- b: one event, two replicas, retries --------------------------------------------------------


async def test_an_event_sent_to_both_replicas_and_retried_is_handled_once(
    db: Store, launch: Launch, fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    a, b = await pair(launch)
    mention = app_mention("<@U0BOT> quote", channel="C0MENTION", ts="1700000001.000100")
    await asyncio.gather(*(event(http, r, mention, "EvBothReplicas") for r in (a, b)))
    for retry in (1, 2):  # Slack retries, and a load balancer may send each to either
        await asyncio.gather(*(event(http, r, mention, "EvBothReplicas", retry) for r in (a, b)))

    async def answered() -> bool:
        return bool(to_channel(fake, "C0MENTION", "chat.postEphemeral", "chat.postMessage"))

    await eventually(answered, "the mention answered")
    # Both replicas have acknowledged every copy, so each has already decided: one answer
    [answer] = to_channel(fake, "C0MENTION", "chat.postEphemeral", "chat.postMessage")
    assert answer.params.get("user") == "U0ALICE"
    assert await count(db, select(func.count()).select_from(seen_events)) == 1
    shown = rotation_seen.c.conversation == f"slack:{TEAM_ID}:C0MENTION"
    assert await count(db, select(func.count()).select_from(rotation_seen).where(shown)) == 1


async def test_socket_mode_replicas_handle_an_event_delivered_to_both_once(
    db: Store, launch: Launch, fake: FakeSlack
) -> None:
    """Slack spreads Socket Mode envelopes over the app's open connections, and may deliver
    a retry on another one: each replica holds a connection, the database decides."""
    await asyncio.gather(*(launch(name, socket_mode=True) for name in ("a", "b")))
    await fake.wait_for_socket(timeout=15, count=2)
    mention = app_mention("<@U0BOT> quote", channel="C0SOCKET", ts="1700000001.000200")
    payload = json.loads(event_callback(mention, "EvSocketBoth"))
    sent = [
        await fake.socket_send("events_api", payload, retry_attempt=n, connection=n) for n in (0, 1)
    ]
    for envelope in sent:
        await fake.socket_ack(envelope, timeout=10)

    async def answered() -> bool:
        return bool(to_channel(fake, "C0SOCKET", "chat.postEphemeral", "chat.postMessage"))

    await eventually(answered, "the mention answered")
    await quiet()
    assert len(to_channel(fake, "C0SOCKET", "chat.postEphemeral", "chat.postMessage")) == 1
    tokens = {c.token for c in fake.calls_to("apps.connections.open")}
    assert tokens == {fake.app_token}  # both replicas connected with the app-level token
    assert len(fake.calls_to("apps.connections.open")) >= 2


# -- c: a reflection thread across replicas -----------------------------------------------------


REPLIES = (
    ("U0BOB", "Shared huddles help us decide on bed capacity together."),
    ("U0CARA", "The consultant and I agreed the discharge plan, but nobody owned it."),
    ("U0DAN", "I will invite our general manager to the consultants meeting."),
)


def summaries(fake: FakeSlack, thread: str) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == thread and "Summary:" in words(c.params)
    ]


async def closed(db: Store, ident: int, fake: FakeSlack, thread: str) -> bool:
    """Whether the reflection is closed and its summary posted in its thread."""
    found = await db.reflections.get(ident)
    return found is not None and found.state == CLOSED and bool(summaries(fake, thread))


async def open_reflection(
    http: aiohttp.ClientSession, fake: FakeSlack, replica: Replica, channel: str, *more: str
) -> tuple[int, str]:
    """`/rounds reflect start` through `replica`: the thread's id and its Slack ts."""
    line = " ".join(("reflect start manager-medic", *more))
    said = words(await command(http, fake, replica, line, channel))
    assert "is open and closes" in said, said
    [opening] = fake.history[channel]  # the opening post, top level in the channel
    [call] = [
        c for c in to_channel(fake, channel, "chat.postMessage") if "thread_ts" not in c.params
    ]
    assert call.token == replica.token  # posted by the replica that was asked
    return int(said.split("Reflection #", 1)[1].split(" ", 1)[0]), str(opening["ts"])


async def test_a_reflection_started_on_one_replica_runs_and_closes_on_the_other(
    db: Store, launch: Launch, fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    a, b = await pair(launch)
    ident, thread = await open_reflection(http, fake, a, "C0REFLECT")
    for n, (user, said) in enumerate(REPLIES):
        reply = message_event(said, user, "C0REFLECT", f"1700000100.{n:06d}", thread_ts=thread)
        await event(http, b, reply, f"EvReply{n}")
    again = message_event(REPLIES[0][1], REPLIES[0][0], "C0REFLECT", "1700000100.000000", thread)
    await asyncio.gather(*(event(http, r, again, "EvReply0", retry=1) for r in (a, b)))

    async def stored() -> bool:
        return await db.reflections.count(ident) == len(REPLIES)

    await eventually(stored, "the replies stored")
    closing = [command(http, fake, r, "reflect close", "C0REFLECT") for r in (b, a)]
    answers = await asyncio.gather(*closing)
    assert any("is closed and its summary is in the thread" in words(x) for x in answers), answers

    await eventually(
        lambda: closed(db, ident, fake, thread), "the reflection closed with its summary"
    )
    await quiet()
    assert len(summaries(fake, thread)) == 1
    assert await db.reflections.count(ident) == len(REPLIES)
    assert len(fake.calls_to("files.completeUploadExternal")) == 1  # one transcript


async def teams_post(
    http: aiohttp.ClientSession, replica: Replica, activity: dict[str, Any]
) -> None:
    """An activity as the Bot Connector sends it (emulator mode: no token)."""
    async with http.post(f"{replica.url}/api/messages", json=activity) as answer:
        assert answer.status in (200, 201), answer.status


async def test_teams_through_two_replicas_runs_one_reflection(
    db: Store, launch: Launch, http: aiohttp.ClientSession
) -> None:
    connector = FakeConnector()
    await connector.start()
    try:
        a, b = await pair(launch)
        await teams_post(http, a, channel_message("reflect start manager-medic", connector.url))
        [found] = await db.reflections.in_channel(f"teams:{TENANT_ID}:{CHANNEL_ID}")
        root = str(found.thread)
        for n in range(3):
            said = channel_message(f"Reply {n}", connector.url, mention=False, reply_to_id=root)
            await teams_post(http, b if n % 2 else a, said)
        close = channel_message("reflect close", connector.url, reply_to_id=root)
        await asyncio.gather(teams_post(http, a, close), teams_post(http, b, close))
        thread = f"{CHANNEL_ID};messageid={root}"
        posted = [s for s in connector.sent if s.conversation_id == thread]
        assert len([s for s in posted if "Summary:" in json.dumps(s.activity)]) == 1
        assert [c.text for c in await db.reflections.contributions(found.id)] == [
            "Reply 0",
            "Reply 1",
            "Reply 2",
        ]
        assert len(connector.direct_to()) >= 1  # the transcript, 1:1, once the close is done
    finally:
        await connector.stop()


async def test_a_deadline_reached_with_two_schedulers_posts_one_summary(
    db: Store, launch: Launch, fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    a, b = await pair(launch)
    ident, thread = await open_reflection(http, fake, a, "C0DEADLINE", "closes 2h")
    user, said = REPLIES[0]
    await event(
        http, b, message_event(said, user, "C0DEADLINE", "1700000200.000001", thread), "EvD1"
    )

    async def stored() -> bool:
        return await db.reflections.count(ident) == 1

    await eventually(stored, "the reply stored")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    async with holding(db, "reflections") as conn:
        where = reflections.c.id == ident
        await conn.execute(update(reflections).where(where).values(closes_at=past))
        await queued(db, "reflections")  # both schedulers wait: released, both find it due

    await eventually(lambda: closed(db, ident, fake, thread), "the deadline closed the thread")
    await quiet()
    assert len(summaries(fake, thread)) == 1
    assert len(fake.calls_to("files.completeUploadExternal")) == 1


# -- 3: readiness through a database outage -----------------------------------------------------


def through(url: str, port: int) -> str:
    """The same database URL, reached through a proxy on 127.0.0.1:`port`."""
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{port}").geturl()


async def status_of(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as answer:
        return answer.status


async def test_readiness_follows_the_database_through_an_outage(
    db: Store, database: str, launch: Launch, fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    target = urlsplit(database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    try:
        replica = await launch("a", through(database, proxy.port))
        ready, healthy = f"{replica.url}/readyz", f"{replica.url}/healthz"
        assert await status_of(http, ready) == 200

        await proxy.stop()  # the database goes away; open connections are cut

        async def unready() -> bool:
            return await status_of(http, ready) == 503

        await eventually(unready, "/readyz 503 while the database is away", within=5)
        assert await status_of(http, healthy) == 200
        line = "schedule weekly monday 09:00"
        answer = await command(http, fake, replica, line, "C0OUTAGE")
        said = words(answer)
        assert answer.get("response_type") == "ephemeral" and said.strip(), answer
        for leak in ("Traceback", "Error:", "sqlalchemy", "asyncpg", "Connect call failed"):
            assert leak not in said, said
        assert await db.schedules.get(f"slack:{TEAM_ID}:C0OUTAGE") is None

        await proxy.start()  # back, on the same port

        async def ready_again() -> bool:
            return await status_of(http, ready) == 200

        await eventually(ready_again, "/readyz 200 once the database is back", within=5)
        assert replica.process.returncode is None  # the same process, never restarted
        await command(http, fake, replica, line, "C0OUTAGE")
        saved = await db.schedules.get(f"slack:{TEAM_ID}:C0OUTAGE")
        assert saved is not None and (saved.weekday, saved.at) == (0, "09:00")
    finally:
        await proxy.stop()


async def test_a_connection_cut_by_a_blip_is_replaced_before_anyone_draws_it(
    database: str,
) -> None:
    """The pool checks a connection before lending it (`pool_pre_ping`): after a blip the
    first query gets a fresh connection instead of the cut one."""
    target = urlsplit(database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    store = await Store.open(through(database, proxy.port), upgrade=False)
    try:
        await store.ping()
        await proxy.stop()
        await proxy.start()
        await store.ping()
        assert proxy.accepted == 2  # the cut connection was replaced by a new one
    finally:
        await store.close()
        await proxy.stop()
