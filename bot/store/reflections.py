"""Reflection threads and their contributions. Decisions that more than one replica could
make at once (advance a question, send the reminder, close) are compare-and-set updates:
the one whose update changes a row acts, the others do nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    DateTime,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.durations import LEASE
from bot.store.keeping import Keeping, count
from bot.store.schedules import from_row
from bot.store.schema import (
    CLOSED as CLOSED,
)
from bot.store.schema import (
    CLOSING as CLOSING,
)
from bot.store.schema import (
    OPEN as OPEN,
)
from bot.store.schema import (
    contributions,
    reflections,
)

Clock = Callable[[], dt.datetime]
CLOSE_GIVE_UP = dt.timedelta(days=1)  # a close failing this long is finished without summary
DIGESTED = "sha256:"  # how a stored message id that is a digest begins


@dataclass(frozen=True)
class Reflection:
    id: int
    conversation: str  # the channel's conversation key
    platform: str
    channel: str
    workspace: str
    thread: str | None  # None until the opening post is out
    topic: str
    model: str
    facilitator: str | None  # the identity key (`bot.identity`); None once erased
    anonymous: bool
    step: int  # index of the question the thread is on
    state: str
    opened_at: dt.datetime
    closes_at: dt.datetime
    remind_at: dt.datetime | None
    next_step_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_since: dt.datetime | None = None  # when its close was first claimed


@dataclass(frozen=True)
class NewReflection:
    conversation: str
    platform: str
    channel: str
    workspace: str
    topic: str
    model: str
    facilitator: str | None  # the identity key (`bot.identity`)
    anonymous: bool
    closes_at: dt.datetime
    remind_at: dt.datetime | None
    next_step_at: dt.datetime | None


@dataclass(frozen=True)
class Contribution:
    id: int
    reflection_id: int
    step: int
    author: str | None  # the identity key (`bot.identity`); None: anonymous
    author_name: str | None
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Named:
    """A thread's named contributions per question (step → count) and its named people."""

    per_step: dict[int, int]
    people: int


def digest(salt: str, message_id: str) -> str:
    """What an anonymous thread stores for a platform message id: the same id always gives
    the same digest (so retries and deletions still match), but the digest does not name
    the message, and so not its author."""
    return DIGESTED + hashlib.sha256(f"{salt}:{message_id}".encode()).hexdigest()


async def _stored_id(conn: AsyncConnection, ident: int, message_id: str | None) -> str | None:
    """The message id as the thread `ident` stores it: a digest in an anonymous thread."""
    if message_id is None:
        return None
    query = select(reflections.c.salt).where(reflections.c.id == ident)
    salt = (await conn.execute(query)).scalar_one_or_none()
    return digest(salt, message_id) if salt else message_id


async def insert_message(
    engine: AsyncEngine,
    table: Table,
    row: Mapping[str, object],
    ident: int,
    message_id: str | None,
) -> int | None:
    """Insert `row`, a message in the thread `ident` (its `message_id` stored as the thread
    stores ids), and return its id; None for a message stored already (a platform retry)."""
    try:
        async with engine.begin() as conn:
            values = {**row, "message_id": await _stored_id(conn, ident, message_id)}
            stmt = insert(table).values(values).returning(table.c.id)
            return int((await conn.execute(stmt)).scalar_one())
    except IntegrityError:
        return None


def _reflection(row: Row[tuple[object, ...]]) -> Reflection:
    return from_row(Reflection, row)


def _contribution(row: Row[tuple[object, ...]]) -> Contribution:
    return from_row(Contribution, row)


class ReflectionStore(Keeping):
    def __init__(self, engine: AsyncEngine, clock: Clock, lease: dt.timedelta = LEASE) -> None:
        self.engine, self.clock, self.lease = engine, clock, lease

    async def open(self, new: NewReflection) -> Reflection:
        row = {
            **new.__dict__,
            "step": 0,
            "state": OPEN,
            "opened_at": self.clock(),
            "salt": secrets.token_hex(16) if new.anonymous else None,
        }
        async with self.engine.begin() as conn:
            stmt = insert(reflections).values(row).returning(reflections.c.id)
            ident = int((await conn.execute(stmt)).scalar_one())
        found = await self.get(ident)
        assert found is not None
        return found

    async def set_thread(self, ident: int, thread: str) -> None:
        async with self.engine.begin() as conn:
            where = reflections.c.id == ident
            await conn.execute(update(reflections).where(where).values(thread=thread))

    async def discard(self, ident: int) -> None:
        """Remove a thread whose opening post never went out."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(contributions).where(contributions.c.reflection_id == ident))
            await conn.execute(delete(reflections).where(reflections.c.id == ident))

    async def get(self, ident: int) -> Reflection | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(reflections).where(reflections.c.id == ident))).first()
        return _reflection(row) if row else None

    async def by_thread(self, conversation: str, thread: str) -> Reflection | None:
        where = (reflections.c.conversation == conversation) & (reflections.c.thread == thread)
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(reflections).where(where))).first()
        return _reflection(row) if row else None

    async def in_channel(self, conversation: str, open_only: bool = True) -> list[Reflection]:
        """The channel's threads, newest first (open ones only by default). A thread whose
        opening post never went out (the process stopped in between) is not one."""
        where = (reflections.c.conversation == conversation) & reflections.c.thread.is_not(None)
        if open_only:
            where = where & (reflections.c.state == OPEN)
        query = select(reflections).where(where).order_by(reflections.c.id.desc())
        async with self.engine.connect() as conn:
            return [_reflection(row) for row in await conn.execute(query)]

    async def advance(self, ident: int, step: int, next_step_at: dt.datetime | None) -> bool:
        """Move from question `step` to the next; False when someone else already did, or
        the thread is no longer open."""
        where = (reflections.c.id == ident) & (reflections.c.step == step)
        where = where & (reflections.c.state == OPEN)
        values = {"step": step + 1, "next_step_at": next_step_at}
        async with self.engine.begin() as conn:
            result = await conn.execute(update(reflections).where(where).values(values))
            return bool(result.rowcount)

    async def step_back(self, ident: int, step: int, next_step_at: dt.datetime | None) -> None:
        """Undo `advance` after the question could not be posted (it is tried again)."""
        where = (reflections.c.id == ident) & (reflections.c.step == step + 1)
        values = {"step": step, "next_step_at": next_step_at}
        async with self.engine.begin() as conn:
            await conn.execute(update(reflections).where(where).values(values))

    async def claim_reminder(self, ident: int) -> bool:
        where = (reflections.c.id == ident) & reflections.c.remind_at.is_not(None)
        where = where & (reflections.c.state == OPEN)
        async with self.engine.begin() as conn:
            result = await conn.execute(update(reflections).where(where).values(remind_at=None))
            return bool(result.rowcount)

    async def retry_reminder(self, ident: int, at: dt.datetime) -> None:
        where = reflections.c.id == ident
        async with self.engine.begin() as conn:
            await conn.execute(update(reflections).where(where).values(remind_at=at))

    async def claim_close(self, ident: int) -> Reflection | None:
        """Take the right to close a thread: open ones, or a close left by a crash."""
        now = self.clock()
        stale = (reflections.c.state == CLOSING) & (reflections.c.claimed_until < now)
        where = (reflections.c.id == ident) & or_(reflections.c.state == OPEN, stale)
        since = func.coalesce(reflections.c.closing_since, literal(now, DateTime(timezone=True)))
        values = {"state": CLOSING, "claimed_until": now + self.lease, "closing_since": since}
        async with self.engine.begin() as conn:
            result = await conn.execute(update(reflections).where(where).values(values))
        return await self.get(ident) if result.rowcount else None

    async def finish_close(self, ident: int) -> None:
        values = {"state": CLOSED, "closed_at": self.clock(), "claimed_until": None}
        values |= {"remind_at": None, "next_step_at": None}
        async with self.engine.begin() as conn:
            where = reflections.c.id == ident
            await conn.execute(update(reflections).where(where).values(values))

    async def due(self, now: dt.datetime) -> list[Reflection]:
        """Threads with something to do: a deadline passed, a reminder or a timed question
        due, or a close left unfinished by a crash."""
        c = reflections.c
        posted = c.thread.is_not(None)
        work = or_(c.closes_at <= now, c.remind_at <= now, c.next_step_at <= now)
        stale = and_(c.state == CLOSING, c.claimed_until < now)
        where = posted & or_(and_(c.state == OPEN, work), stale)
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(reflections).where(where).order_by(c.id))
            return [_reflection(row) for row in rows]

    async def contribute(
        self,
        ident: int,
        step: int,
        text: str,
        author: str | None = None,
        author_name: str | None = None,
        message_id: str | None = None,
        pending: bool = False,
    ) -> int | None:
        """Store a contribution; None for a message already stored (a platform retry).
        A `pending` one (an anonymous contribution not yet posted) is left out of
        everything read back until `set_message` records its post."""
        row = {
            "pending": pending,
            "reflection_id": ident,
            "step": step,
            "author": author,
            "author_name": author_name if author else None,
            "text": text,
            "created_at": self.clock(),
        }
        return await insert_message(self.engine, contributions, row, ident, message_id)

    async def set_message(self, contribution: int, message_id: str) -> None:
        """The contribution's post is out: it counts from now on."""
        async with self.engine.begin() as conn:
            where = contributions.c.id == contribution
            query = select(contributions.c.reflection_id).where(where)
            thread = (await conn.execute(query)).scalar_one_or_none()
            if thread is None:
                return
            stored = await _stored_id(conn, int(thread), message_id)
            values = {"message_id": stored, "pending": False}
            await conn.execute(update(contributions).where(where).values(values))

    async def sent_again(
        self, ident: int, text: str, since: dt.datetime
    ) -> tuple[int, bool] | None:
        """An anonymous contribution with this text, still pending or stored since `since`,
        and whether it is pending: the same form sent again after a failure (a post cut
        short, or an answer lost after the post)."""
        c = contributions.c
        recent = c.pending | (c.created_at >= since)
        where = (c.reflection_id == ident) & c.author.is_(None) & (c.text == text) & recent
        query = select(c.id, c.pending).where(where).order_by(c.id).limit(1)
        async with self.engine.connect() as conn:
            found = (await conn.execute(query)).first()
        return None if found is None else (int(found.id), bool(found.pending))

    async def withdraw(self, contribution: int) -> None:
        """Remove a contribution that could not be posted."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(contributions).where(contributions.c.id == contribution))

    async def remove_message(self, ident: int, message_id: str) -> bool:
        """The person deleted their reply: its stored copy goes too."""
        async with self.engine.begin() as conn:
            stored = await _stored_id(conn, ident, message_id)
            where = (contributions.c.reflection_id == ident) & (
                contributions.c.message_id == stored
            )
            return bool((await conn.execute(delete(contributions).where(where))).rowcount)

    async def unposted(self, before: dt.datetime) -> list[tuple[Contribution, Reflection]]:
        """Pending contributions stamped before `before`, in open threads: posts cut short
        (by a crash or a shutdown while they waited their turn)."""
        c, r = contributions.c, reflections.c
        where = c.pending & (c.created_at < before) & (r.state == OPEN) & r.thread.is_not(None)
        query = select(contributions).join(reflections).where(where).order_by(c.id)
        async with self.engine.connect() as conn:
            found = [_contribution(row) for row in await conn.execute(query)]
        threads = {i: await self.get(i) for i in {f.reflection_id for f in found}}
        return [(f, t) for f in found if (t := threads[f.reflection_id]) is not None]

    async def take_unposted(self, contribution: int, stamped: dt.datetime) -> bool:
        """Take a pending contribution to post it (compare-and-set on its stamp, which is
        moved on: one replica takes it, and a post that fails again waits as long again)."""
        c = contributions.c
        where = (c.id == contribution) & c.pending & (c.created_at == stamped)
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(contributions).where(where).values(created_at=self.clock())
            )
        return bool(changed.rowcount)

    async def contributions(self, ident: int) -> list[Contribution]:
        c = contributions.c
        query = select(contributions).where((c.reflection_id == ident) & ~c.pending)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query.order_by(contributions.c.id))
            return [_contribution(row) for row in rows]

    async def count(self, ident: int) -> int:
        c = contributions.c
        query = select(func.count()).where((c.reflection_id == ident) & ~c.pending)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # what a facilitator runs (Home)

    async def by_facilitator(self, person: str, limit: int) -> tuple[list[Reflection], int]:
        """The person's posted threads as facilitator, newest first (at most `limit`), and
        how many there are in all."""
        c = reflections.c
        where = (c.facilitator == person) & c.thread.is_not(None)
        query = select(reflections).where(where).order_by(c.id.desc()).limit(limit)
        async with self.engine.connect() as conn:
            found = [_reflection(row) for row in await conn.execute(query)]
            total = await count(conn, reflections, where)
        return found, total

    async def named_counts(self, idents: Sequence[int]) -> dict[int, Named]:
        """For each thread, its named contributions per question and how many distinct
        named people wrote them (anonymous ones prove no one: left out)."""
        c = contributions.c
        named = c.reflection_id.in_(list(idents)) & c.author.is_not(None) & ~c.pending
        steps = select(c.reflection_id, c.step, func.count()).where(named)
        people = select(c.reflection_id, func.count(c.author.distinct())).where(named)
        async with self.engine.connect() as conn:
            per_step = await conn.execute(steps.group_by(c.reflection_id, c.step))
            by_people = await conn.execute(people.group_by(c.reflection_id))
            counts: dict[int, dict[int, int]] = {}
            for ident, step, count in per_step:
                counts.setdefault(int(ident), {})[int(step)] = int(count)
            return {int(i): Named(counts.get(int(i), {}), int(n)) for i, n in by_people}
