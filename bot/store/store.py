"""Async access to the database. One code path for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import ColumnElement

from bot.durations import LEASE
from bot.store import migrate
from bot.store.actions import ActionStore
from bot.store.evaluations import EvaluationStore
from bot.store.people import QUALIFY
from bot.store.reflections import ReflectionStore
from bot.store.schedules import ScheduleStore, inserted, upsert
from bot.store.schema import conversation_refs, rotation_seen, seen_events
from bot.store.series import SeriesStore

Clock = Callable[[], dt.datetime]

EVENT_TTL = dt.timedelta(hours=2)  # Slack retries for about an hour
PRUNE_EVERY = 200
CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL before a command is told to try again
ROTATE_ATTEMPTS = 10  # each collision means another caller's choice went in: progress

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """`sqlite:///rounds.db` → `sqlite+aiosqlite:///rounds.db`; explicit drivers kept."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("a database URL looks like sqlite:///rounds.db or postgresql://…")
    base = scheme.split("+", 1)[0]
    if base == "postgres":
        base = "postgresql"
    if base not in DRIVERS:
        raise ValueError(f"unsupported database {scheme!r}: use sqlite or postgresql")
    driver = scheme if "+" in scheme else DRIVERS[base]
    return f"{driver}://{rest}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def choose_next(pool: Sequence[str], seen: set[str], rng: random.Random) -> tuple[str, bool]:
    """Pick an item not yet seen; when all have been seen, start a new round.

    Returns the item and whether the round was reset."""
    if not pool:
        raise ValueError("empty pool")
    fresh = [item for item in pool if item not in seen]
    if fresh:
        return rng.choice(fresh), False
    return rng.choice(list(pool)), True


DRIVER_LOGGERS = ("aiosqlite", "asyncpg")


def quiet_driver_logs() -> None:
    """The database drivers log SQL parameters (what people wrote) at DEBUG: never below
    INFO for them, whatever the application's level."""
    for name in DRIVER_LOGGERS:
        driver = logging.getLogger(name)
        if driver.level < logging.INFO:  # unset (0) or DEBUG
            driver.setLevel(logging.INFO)


SCHEMA_FAULTS = ("no such table", "no such column", "syntax error")


def unreachable(error: BaseException) -> bool:
    """Whether an error means the database is away (down, restarting, unreachable), as
    opposed to a fault in a query: worth "try again shortly", not a bug report."""
    if isinstance(error, InterfaceError | SQLTimeoutError | OSError):
        return True
    if isinstance(error, OperationalError):  # SQLite also says so of a missing table
        return not any(fault in str(error.orig) for fault in SCHEMA_FAULTS)
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Write-ahead logging with normal sync: a commit no longer waits for the disk each
    time (SQLite stays consistent; a power cut may lose the last commits), and writers
    from several processes wait for each other instead of failing at once."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _open_sqlite(*args: Any, **kwargs: Any) -> Awaitable[aiosqlite.Connection]:
    """An aiosqlite connection opened as SQLAlchemy opens one (handed to its aiosqlite
    adapter as `async_creator_fn`, it gets the arguments made of the URL), except that one
    which cannot be opened is given up only once its worker thread has gone: see `_opened`."""
    connection = aiosqlite.connect(*args, **kwargs)
    # since aiosqlite 0.22 the connection holds its worker thread; before, it was the thread
    worker = connection if isinstance(connection, Thread) else connection._thread
    worker.daemon = True  # as SQLAlchemy does: a connection never closed cannot block exit
    return _opened(connection, worker)


async def _opened(connection: aiosqlite.Connection, worker: Thread) -> aiosqlite.Connection:
    try:
        return await connection
    except BaseException:
        # A file that cannot be opened (a missing folder, no permission): aiosqlite asks its
        # worker thread to stop, without waiting, and the thread then reports back to this
        # event loop. Were the loop closed first (asyncio.run ending on this very error, a
        # test's loop at teardown), the thread would die with "Event loop is closed" at
        # some moment after. It is done within a moment: wait for it.
        await asyncio.to_thread(worker.join)
        raise


def _rotation(conversation: str, kind: str) -> ColumnElement[bool]:
    return (rotation_seen.c.conversation == conversation) & (rotation_seen.c.kind == kind)


async def _lock_rotation(conn: AsyncConnection, conversation: str, kind: str) -> None:
    """On PostgreSQL, a lock on the conversation's rotation until the transaction ends, so
    replicas choose one after the other: two never pick the same item, and two starting a
    new round at once cannot deadlock (they did, each deleting the old round's rows while
    inserting). SQLite has one writer at a time; there the unique key sends a caller that
    collided round again."""
    if conn.dialect.name == "postgresql":
        key = func.hashtextextended(f"rotation|{kind}|{conversation}", 0)
        await conn.execute(select(func.pg_advisory_xact_lock(key)))


async def _seen(conn: AsyncConnection, conversation: str, kind: str) -> set[str]:
    rows = await conn.execute(select(rotation_seen.c.item).where(_rotation(conversation, kind)))
    return {row.item for row in rows}


def seeded(conversation: str, kind: str, pool: Sequence[str], seen: set[str]) -> random.Random:
    """A random source fixed by the conversation and its history: each channel gets its own
    shuffled order, and the next choice is known before it is made."""
    shown = ",".join(sorted(seen.intersection(pool)))
    return random.Random(f"{conversation}|{kind}|{shown}")


class Store:
    """`lease`: how long a claim (a scheduled post, a reflection's close) holds before another
    process may take it over (`ROUNDS_CLAIM_LEASE_SECONDS`)."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock = utc_now, lease: dt.timedelta = LEASE
    ) -> None:
        self.engine = engine
        self.clock = clock
        self._claims = 0
        self.schedules = ScheduleStore(engine, clock, lease)
        self.reflections = ReflectionStore(engine, clock, lease)
        self.evaluations = EvaluationStore(engine)
        self.series = SeriesStore(engine, clock, lease)
        self.actions = ActionStore(engine, lease)

    @classmethod
    async def open(
        cls, url: str, clock: Clock = utc_now, upgrade: bool = True, lease: dt.timedelta = LEASE
    ) -> Store:
        # hide_parameters: a database error never puts what people wrote into a log line.
        # pool_pre_ping: a pooled connection cut by a database restart or a network blip is
        # found dead at checkout and replaced, instead of failing the request that drew it.
        driver_url = async_url(url)
        connect: dict[str, Any] = {}
        if driver_url.startswith("postgres"):
            connect = {"timeout": CONNECT_TIMEOUT}
        elif driver_url.startswith("sqlite+aiosqlite"):  # a failed open waits for its thread
            connect = {"async_creator_fn": _open_sqlite}
        engine = create_async_engine(
            driver_url, hide_parameters=True, pool_pre_ping=True, connect_args=connect
        )
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        quiet_driver_logs()
        if upgrade:
            await migrate.upgrade(engine)
        return cls(engine, clock, lease)

    async def close(self) -> None:
        await self.engine.dispose()

    async def qualify_people(self) -> int:
        """Qualify bare ids a replica on older code wrote (`people`); how many rows."""
        changed = 0
        async with self.engine.begin() as conn:
            for statement in QUALIFY:
                changed += (await conn.execute(text(statement))).rowcount or 0
        return changed

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(select(1))

    async def peek(self, conversation: str, kind: str, pool: Sequence[str]) -> str:
        """What `rotate` without an rng would choose now, without recording it."""
        seen = await self.seen(conversation, kind)
        return choose_next(pool, seen, seeded(conversation, kind, pool, seen))[0]

    async def rotate(
        self, conversation: str, kind: str, pool: Sequence[str], rng: random.Random | None = None
    ) -> str:
        """The next item of `pool` for this conversation, never repeating one until all of
        the pool has been shown. Without `rng` the choice is a shuffle seeded by the
        conversation and what it has seen, so `peek` can show it in advance. Two callers
        racing for the same item: one retries."""
        for _attempt in range(ROTATE_ATTEMPTS):
            try:
                return await self._rotate_once(conversation, kind, pool, rng)
            except IntegrityError:
                continue
        return (rng or random.Random()).choice(list(pool))

    async def _rotate_once(
        self, conversation: str, kind: str, pool: Sequence[str], rng: random.Random | None
    ) -> str:
        async with self.engine.begin() as conn:
            await _lock_rotation(conn, conversation, kind)
            seen = await _seen(conn, conversation, kind)
            item, _reset = choose_next(pool, seen, rng or seeded(conversation, kind, pool, seen))
            await self._show(conn, conversation, kind, item, pool, seen)
        return item

    async def mark_seen(self, conversation: str, kind: str, item: str, pool: Sequence[str]) -> None:
        """Record that `item` was shown (chosen earlier by `peek`), as `rotate` would."""
        try:
            async with self.engine.begin() as conn:
                await _lock_rotation(conn, conversation, kind)
                seen = await _seen(conn, conversation, kind)
                await self._show(conn, conversation, kind, item, pool, seen)
        except IntegrityError:
            return  # already recorded (another replica, or a retry)

    async def _show(
        self,
        conn: AsyncConnection,
        conversation: str,
        kind: str,
        item: str,
        pool: Sequence[str],
        seen: set[str],
    ) -> None:
        """Record `item` as shown; a pool shown in full starts a new round first."""
        if set(pool) <= seen:
            in_pool = rotation_seen.c.item.in_(list(pool))
            await conn.execute(delete(rotation_seen).where(_rotation(conversation, kind) & in_pool))
        row = {"conversation": conversation, "kind": kind, "item": item, "seen_at": self.clock()}
        await conn.execute(insert(rotation_seen).values(row))

    async def seen(self, conversation: str, kind: str) -> set[str]:
        async with self.engine.connect() as conn:
            return await _seen(conn, conversation, kind)

    async def claim_event(self, event_id: str, ttl: dt.timedelta = EVENT_TTL) -> bool:
        """True the first time an event id is seen (within `ttl`), False for a repeat.

        The unique key decides, so two replicas receiving the same retry agree."""
        now = self.clock()
        self._claims += 1
        if self._claims % PRUNE_EVERY == 1:
            await self.prune_events(now - ttl)
        row = insert(seen_events).values(event_id=event_id, seen_at=now)
        return await inserted(self.engine, row)

    async def prune_events(self, before: dt.datetime) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(seen_events).where(seen_events.c.seen_at < before))
            return result.rowcount or 0

    async def save_reference(
        self, conversation: str, platform: str, data: dict[str, str], person: str | None = None
    ) -> None:
        """Remember how to reach a conversation (replacing what was there). `person`: whose
        1:1 chat it is (their identity key), so that `forget-me` finds it; None for a
        channel or group chat."""
        values = {"reference": json.dumps(data, sort_keys=True), "updated_at": self.clock()}
        values["person"] = person
        row = {"conversation": conversation, "platform": platform, **values}
        key, dialect = conversation_refs.c.conversation, self.engine.dialect.name
        async with self.engine.begin() as conn:
            await conn.execute(upsert(dialect, conversation_refs, key, row, values))

    async def forget_reference(self, conversation: str) -> bool:
        where = conversation_refs.c.conversation == conversation
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(conversation_refs).where(where))
            return bool(result.rowcount)

    async def personal_references(self, person: str) -> int:
        """How many 1:1 chat references are the person's (`forget_personal_references`)."""
        where = conversation_refs.c.person == person
        query = select(func.count()).select_from(conversation_refs).where(where)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def forget_personal_references(self, person: str) -> int:
        """Forget how to reach the person's 1:1 chats (`forget-me`); how many went."""
        where = conversation_refs.c.person == person
        async with self.engine.begin() as conn:
            return (await conn.execute(delete(conversation_refs).where(where))).rowcount or 0

    async def reference(self, conversation: str) -> dict[str, str] | None:
        where = conversation_refs.c.conversation == conversation
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(conversation_refs.c.reference).where(where))).first()
        return dict(json.loads(row.reference)) if row else None

    async def references(self, platform: str) -> dict[str, dict[str, str]]:
        where = conversation_refs.c.platform == platform
        query = select(conversation_refs.c.conversation, conversation_refs.c.reference)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query.where(where))
            return {row.conversation: dict(json.loads(row.reference)) for row in rows}
