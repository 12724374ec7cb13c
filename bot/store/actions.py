"""Actions that come back (issue 18): the answers to a reflection's last question, stored
at its close as numbered actions; the one follow-up their thread gets (claimed here before
it is posted, so it goes out once across restarts and replicas); and the updates people
reply to it. All of it goes with its reflection (`ReflectionStore.purge`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.durations import LEASE
from bot.store.reflections import insert_message
from bot.store.schedules import T, from_row
from bot.store.schema import action_follow_ups, action_updates, actions

# a follow-up's states: waiting for its day, taken by one replica (with a lease), out,
# not needed (no open action, or its thread gone), or given up after a permanent failure
DUE, CLAIMED, POSTED, SKIPPED, FAILED = "due", "claimed", "posted", "skipped", "failed"
ATTEMPTS = 5  # transient failures before a follow-up is given up


@dataclass(frozen=True)
class ActionItem:
    """One action: `number` in its reflection (1..n), the words with identifiers cut out,
    its owner's identity key (None: anonymous, or erased), and whether it is done."""

    number: int
    text: str
    owner: str | None
    done: bool
    done_at: dt.datetime | None


@dataclass(frozen=True)
class NewAction:
    text: str
    owner: str | None


@dataclass(frozen=True)
class ActionUpdate:
    """A reply to a thread's follow-up. `author` None in an anonymous thread."""

    id: int
    reflection_id: int
    author: str | None
    text: str
    created_at: dt.datetime


class ActionStore:
    def __init__(self, engine: AsyncEngine, lease: dt.timedelta = LEASE) -> None:
        self.engine, self.lease = engine, lease

    async def record(
        self,
        ident: int,
        found: Sequence[NewAction],
        follow_up_at: dt.datetime | None,
        now: dt.datetime,
    ) -> bool:
        """Store a reflection's actions, numbered from 1, and its follow-up when one is
        wanted. Once: a close finished again after a crash records nothing more (False)."""
        rows = [
            {"reflection_id": ident, "number": n, "text": a.text, "owner": a.owner, "done": False}
            for n, a in enumerate(found, start=1)
        ]
        follow = {"reflection_id": ident, "state": DUE, "updated_at": now, "attempts": 0}
        try:
            async with self.engine.begin() as conn:
                if rows:
                    await conn.execute(insert(actions), rows)
                if rows and follow_up_at is not None:
                    values = {**follow, "due_at": follow_up_at}
                    await conn.execute(insert(action_follow_ups).values(values))
        except IntegrityError:
            return False
        return True

    async def _of(self, kind: type[T], table: Table, reflection_id: int, order: str) -> list[T]:
        """The reflection's rows of `table` as `kind`, ordered by the column `order`."""
        c = table.c
        query = select(table).where(c.reflection_id == reflection_id).order_by(c[order])
        async with self.engine.connect() as conn:
            return [from_row(kind, row) for row in await conn.execute(query)]

    async def of_reflection(self, reflection_id: int) -> list[ActionItem]:
        return await self._of(ActionItem, actions, reflection_id, "number")

    async def mark_done(self, reflection_id: int, number: int, now: dt.datetime) -> bool:
        """Mark one action done; False when it was done already (or there is none)."""
        c = actions.c
        where = (c.reflection_id == reflection_id) & (c.number == number) & ~c.done
        async with self.engine.begin() as conn:
            result = await conn.execute(update(actions).where(where).values(done=True, done_at=now))
            return bool(result.rowcount)

    # the follow-up

    async def due_follow_ups(self, now: dt.datetime) -> list[int]:
        """Reflections whose follow-up is due (or whose claim ran out), oldest first."""
        f = action_follow_ups.c
        waiting = (f.state == DUE) | and_(f.state == CLAIMED, f.claimed_until < now)
        query = select(f.reflection_id).where(waiting & (f.due_at <= now)).order_by(f.due_at)
        async with self.engine.connect() as conn:
            return [int(row.reflection_id) for row in await conn.execute(query)]

    async def claim_follow_up(self, reflection_id: int, now: dt.datetime) -> bool:
        """Take the right to post a follow-up (compare-and-set: one replica wins)."""
        f = action_follow_ups.c
        free = or_(f.state == DUE, and_(f.state == CLAIMED, f.claimed_until < now))
        where = (f.reflection_id == reflection_id) & free & (f.due_at <= now)
        values = {"state": CLAIMED, "claimed_until": now + self.lease, "updated_at": now}
        async with self.engine.begin() as conn:
            result = await conn.execute(update(action_follow_ups).where(where).values(values))
            return bool(result.rowcount)

    async def follow_up_done(
        self, reflection_id: int, state: str, now: dt.datetime, message_id: str | None = None
    ) -> None:
        """A claimed follow-up ends: POSTED (with its post's id), SKIPPED or FAILED."""
        values: dict[str, object] = {"state": state, "claimed_until": None, "updated_at": now}
        values |= {"message_id": message_id}
        await self._set_follow_up(reflection_id, values)

    async def retry_follow_up(self, reflection_id: int, at: dt.datetime, now: dt.datetime) -> bool:
        """A transient failure: tried again at `at`, until ATTEMPTS; False once given up."""
        f = action_follow_ups.c
        query = select(f.attempts).where(f.reflection_id == reflection_id)
        async with self.engine.connect() as conn:
            attempts = int((await conn.execute(query)).scalar_one_or_none() or 0) + 1
        state = DUE if attempts < ATTEMPTS else FAILED
        values = {"state": state, "due_at": at, "attempts": attempts, "claimed_until": None}
        await self._set_follow_up(reflection_id, values | {"updated_at": now})
        return state == DUE

    async def _set_follow_up(self, reflection_id: int, values: dict[str, object]) -> None:
        where = action_follow_ups.c.reflection_id == reflection_id
        async with self.engine.begin() as conn:
            await conn.execute(update(action_follow_ups).where(where).values(values))

    async def follow_up_state(self, reflection_id: int) -> str | None:
        query = select(action_follow_ups.c.state)
        query = query.where(action_follow_ups.c.reflection_id == reflection_id)
        async with self.engine.connect() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        return None if found is None else str(found)

    async def followed_up(self, reflection_id: int) -> bool:
        """Whether the thread's follow-up is out: replies in it are then updates."""
        return await self.follow_up_state(reflection_id) == POSTED

    # updates

    async def add_update(
        self,
        reflection_id: int,
        text: str,
        author: str | None,
        message_id: str | None,
        now: dt.datetime,
    ) -> int | None:
        """Store a reply to the follow-up; None for one stored already (a platform retry)."""
        row = {"reflection_id": reflection_id, "author": author, "text": text, "created_at": now}
        return await insert_message(self.engine, action_updates, row, reflection_id, message_id)

    async def updates(self, reflection_id: int) -> list[ActionUpdate]:
        return await self._of(ActionUpdate, action_updates, reflection_id, "id")

    # erasure and retention

    async def about(self, person: str) -> tuple[int, int]:
        """How many actions the person owns, and how many updates they wrote."""
        async with self.engine.connect() as conn:
            owned = await _count(conn, actions.c.owner == person)
            wrote = await _count(conn, action_updates.c.author == person)
        return owned, wrote

    async def forget(self, person: str) -> tuple[int, int]:
        """`forget-me`: the person's actions kept without an owner, their updates deleted."""
        async with self.engine.begin() as conn:
            stmt = update(actions).where(actions.c.owner == person).values(owner=None)
            owned = (await conn.execute(stmt)).rowcount or 0
            gone = delete(action_updates).where(action_updates.c.author == person)
            wrote = (await conn.execute(gone)).rowcount or 0
        return owned, wrote


async def _count(conn: AsyncConnection, where: ColumnElement[bool]) -> int:
    query = select(func.count()).where(where)
    return int((await conn.execute(query)).scalar_one())
