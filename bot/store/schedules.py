"""Schedules and the delivery ledger. Every write that decides something (a schedule per
channel, a claim on a slot) is decided by a unique key, never by read-then-write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Column, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement

from bot.durations import LEASE
from bot.store.schema import deliveries, schedule_skips, schedules

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Clock = Callable[[], dt.datetime]


def utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC. SQLite hands back naive datetimes; they were written as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


T = TypeVar("T", bound="DataclassInstance")


def from_row(kind: type[T], row: Row[tuple[object, ...]], **given: object) -> T:
    """A stored row as the dataclass `kind`: each field from the column of its name, dates
    as aware UTC, unless `given`."""
    m = row._mapping
    names = [f.name for f in fields(kind) if f.name in m and f.name not in given]
    read = {n: utc(m[n]) if isinstance(m[n], dt.datetime) else m[n] for n in names}
    return kind(**read, **given)


def upsert(
    dialect: str,
    table: Table,
    key: Column[Any],
    row: Mapping[str, object],
    changes: Mapping[str, object],
) -> Insert:
    """Insert `row`, or, when a row with its unique `key` exists (written a moment ago by
    another replica, say), apply `changes` to that one: one atomic statement, where
    update-then-insert would let two writers both insert and one fail."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return make(table).values(dict(row)).on_conflict_do_update(index_elements=[key], set_=changes)


async def inserted(engine: AsyncEngine, statement: Insert) -> bool:
    """Run an insert whose unique key decides: False when the row was there already."""
    try:
        async with engine.begin() as conn:
            await conn.execute(statement)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Schedule:
    id: int
    conversation: str  # the conversation key
    platform: str
    channel: str
    workspace: str
    weekday: int  # 0 = Monday
    at: str  # local wall time, "HH:MM"
    timezone: str
    topics: tuple[str, ...]
    paused: bool
    holidays: str | None
    since: dt.datetime
    skips: tuple[dt.date, ...] = ()  # dates asked to skip, in `timezone`, ascending


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger."""

    slot: dt.datetime
    state: str
    prompt: str
    message_id: str
    detail: str


@dataclass(frozen=True)
class NewSchedule:
    conversation: str
    platform: str
    channel: str
    workspace: str
    weekday: int
    at: str
    timezone: str
    topics: tuple[str, ...]
    created_by: str | None = None  # who set the rule (identity key); erased by forget-me


def _schedule(row: Row[tuple[object, ...]], skips: list[dt.date]) -> Schedule:
    topics = tuple(t for t in str(row._mapping["topics"]).split(",") if t)
    return from_row(Schedule, row, topics=topics, skips=tuple(sorted(skips)))


@dataclass(frozen=True)
class Claim:
    prompt: str
    retry: bool  # an earlier claim ran out: the post may have gone out already


class ScheduleStore:
    def __init__(self, engine: AsyncEngine, clock: Clock, lease: dt.timedelta = LEASE) -> None:
        self.engine, self.clock, self.lease = engine, clock, lease

    async def save(self, new: NewSchedule) -> Schedule:
        """Create the channel's schedule or replace its rule (pause and holiday settings are
        kept, and skipped dates on the new rule's weekday). Slots before now are never
        posted for the new rule."""
        now = self.clock()
        values = {
            "platform": new.platform,
            "channel": new.channel,
            "workspace": new.workspace,
            "weekday": new.weekday,
            "at": new.at,
            "timezone": new.timezone,
            "topics": ",".join(new.topics),
            "created_by": new.created_by,
            "since": now,
            "updated_at": now,
        }
        first = {"conversation": new.conversation, "paused": False, **values}
        key = schedules.c.conversation
        async with self.engine.begin() as conn:
            await conn.execute(upsert(self.engine.dialect.name, schedules, key, first, values))
        found = await self.get(new.conversation)
        assert found is not None
        elsewhere = [day for day in found.skips if day.weekday() != new.weekday]
        if not elsewhere:
            return found
        await self._delete_skips(found.id, schedule_skips.c.day.in_(elsewhere))
        return replace(found, skips=tuple(d for d in found.skips if d not in elsewhere))

    async def forget_creator(self, person: str) -> int:
        """Schedules keep running but no longer name the person who set them (`person`:
        their identity key, so only their own platform and workspace)."""
        where = schedules.c.created_by == person
        async with self.engine.begin() as conn:
            result = await conn.execute(update(schedules).where(where).values(created_by=None))
            return result.rowcount or 0

    async def created_by(self, person: str) -> int:
        """How many schedules name the person as their creator (`forget_creator`)."""
        where = schedules.c.created_by == person
        query = select(func.count()).select_from(schedules).where(where)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def by_creator(self, person: str) -> list[Schedule]:
        """The schedules the person set (their identity key), oldest first (Home)."""
        mine = select(schedules).where(schedules.c.created_by == person)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(mine.order_by(schedules.c.id))).all()
            where = schedule_skips.c.schedule_id.in_([row.id for row in rows])
            skips: dict[int, list[dt.date]] = {}
            for skip in await conn.execute(select(schedule_skips).where(where)) if rows else ():
                skips.setdefault(int(skip.schedule_id), []).append(skip.day)
            return [_schedule(row, skips.get(int(row.id), [])) for row in rows]

    async def get(self, conversation: str) -> Schedule | None:
        query = select(schedules).where(schedules.c.conversation == conversation)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            where = schedule_skips.c.schedule_id == row.id
            days = (await conn.execute(select(schedule_skips.c.day).where(where))).scalars()
            return _schedule(row, list(days))

    async def all(self) -> list[Schedule]:
        skips: dict[int, list[dt.date]] = {}
        async with self.engine.connect() as conn:
            for skip in await conn.execute(select(schedule_skips)):
                skips.setdefault(int(skip.schedule_id), []).append(skip.day)
            rows = await conn.execute(select(schedules).order_by(schedules.c.id))
            return [_schedule(row, skips.get(int(row.id), [])) for row in rows]

    async def change(self, conversation: str, **values: object) -> Schedule | None:
        """Update fields of a channel's schedule (paused, holidays, since)."""
        where = schedules.c.conversation == conversation
        async with self.engine.begin() as conn:
            values = {**values, "updated_at": self.clock()}
            await conn.execute(update(schedules).where(where).values(values))
        return await self.get(conversation)

    async def switch(self, conversation: str, paused: bool) -> bool:
        """Pause or resume; False when it already was. Compare-and-set, so of two at once
        only one changes it (and announces it). Resuming starts from now: slots missed while
        paused are not posted."""
        where = and_(schedules.c.conversation == conversation, schedules.c.paused != paused)
        now = self.clock()
        values = {"paused": paused, "updated_at": now, **({} if paused else {"since": now})}
        async with self.engine.begin() as conn:
            result = await conn.execute(update(schedules).where(where).values(values))
            return bool(result.rowcount)

    async def skip(self, schedule_id: int, day: dt.date, keep_from: dt.date) -> bool:
        """Skip the schedule's post on `day` (a date in its timezone); False when it already
        was. Skipped dates before `keep_from` are past any use and are pruned."""
        await self._delete_skips(schedule_id, schedule_skips.c.day < keep_from)
        row = insert(schedule_skips).values(schedule_id=schedule_id, day=day)
        return await inserted(self.engine, row)

    async def unskip(self, schedule_id: int, day: dt.date) -> bool:
        """Post on `day` after all; False when it was not skipped."""
        return await self._delete_skips(schedule_id, schedule_skips.c.day == day) > 0

    async def _delete_skips(self, schedule_id: int, which: ColumnElement[bool]) -> int:
        where = and_(schedule_skips.c.schedule_id == schedule_id, which)
        async with self.engine.begin() as conn:
            return (await conn.execute(delete(schedule_skips).where(where))).rowcount or 0

    async def remove(self, conversation: str) -> bool:
        async with self.engine.begin() as conn:
            found = await conn.execute(
                select(schedules.c.id).where(schedules.c.conversation == conversation)
            )
            row = found.first()
            if row is None:
                return False
            await conn.execute(delete(deliveries).where(deliveries.c.schedule_id == row.id))
            await conn.execute(delete(schedule_skips).where(schedule_skips.c.schedule_id == row.id))
            await conn.execute(delete(schedules).where(schedules.c.id == row.id))
        return True

    # The ledger

    async def recorded(self, since: dt.datetime) -> dict[int, set[dt.datetime]]:
        """Per schedule, the slots after `since` that are settled or being delivered (one
        query for a whole pass). A claim whose lease ran out (its deliverer crashed or
        failed) is not: the slot is due again."""
        live = or_(deliveries.c.state != "claimed", deliveries.c.claimed_until >= self.clock())
        query = select(deliveries.c.schedule_id, deliveries.c.slot).where(
            and_(deliveries.c.slot > since, live)
        )
        found: dict[int, set[dt.datetime]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                found.setdefault(int(row.schedule_id), set()).add(utc(row.slot))
        return found

    async def claim(self, schedule_id: int, slot: dt.datetime, prompt: str) -> Claim | None:
        """Claim a slot before posting it. Returns the prompt to post (the one chosen by
        whoever claimed it first, so a retry posts the same) and whether this is a retry of
        a claim left behind; None when the slot is delivered, skipped, or claimed by someone
        else whose lease has not expired."""
        now = self.clock()
        row = {
            "schedule_id": schedule_id,
            "slot": utc(slot),
            "state": "claimed",
            "claimed_until": now + self.lease,
            "prompt": prompt,
            "updated_at": now,
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(deliveries).values(row))
            return Claim(prompt, retry=False)
        except IntegrityError:
            return await self._take_over(schedule_id, slot, now)

    async def _take_over(
        self, schedule_id: int, slot: dt.datetime, now: dt.datetime
    ) -> Claim | None:
        """A claim whose lease ran out was left by a crash: take it over, atomically."""
        key = and_(deliveries.c.schedule_id == schedule_id, deliveries.c.slot == utc(slot))
        stale = and_(key, deliveries.c.state == "claimed", deliveries.c.claimed_until < now)
        values = {"claimed_until": now + self.lease, "updated_at": now}
        async with self.engine.begin() as conn:
            taken = await conn.execute(update(deliveries).where(stale).values(values))
            if not taken.rowcount:
                return None
            prompt = (await conn.execute(select(deliveries.c.prompt).where(key))).scalar()
        return Claim(str(prompt or ""), retry=True)

    async def finish(
        self,
        schedule_id: int,
        slot: dt.datetime,
        state: str,
        message_id: str = "",
        detail: str = "",
    ) -> None:
        key = and_(deliveries.c.schedule_id == schedule_id, deliveries.c.slot == utc(slot))
        values = {
            "state": state,
            "claimed_until": None,
            "message_id": message_id or None,
            "detail": detail[:255] or None,
            "updated_at": self.clock(),
        }
        async with self.engine.begin() as conn:
            await conn.execute(update(deliveries).where(key).values(values))

    async def record(
        self, schedule_id: int, slot: dt.datetime, state: str, detail: str = ""
    ) -> bool:
        """Record a slot that is not posted (skipped). False if it was already recorded."""
        row = {
            "schedule_id": schedule_id,
            "slot": utc(slot),
            "state": state,
            "detail": detail[:255] or None,
            "updated_at": self.clock(),
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(deliveries).values(row))
        except IntegrityError:
            return await self._settle_stale(schedule_id, slot, state, detail)
        return True

    async def _settle_stale(
        self, schedule_id: int, slot: dt.datetime, state: str, detail: str
    ) -> bool:
        """A claim left by a crash, now too late to post, is settled as skipped."""
        key = and_(deliveries.c.schedule_id == schedule_id, deliveries.c.slot == utc(slot))
        now = self.clock()
        stale = and_(key, deliveries.c.state == "claimed", deliveries.c.claimed_until < now)
        values = {"state": state, "claimed_until": None, "detail": detail[:255] or None}
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(deliveries).where(stale).values({**values, "updated_at": now})
            )
        return bool(changed.rowcount)

    async def ledger(self, schedule_id: int) -> list[Delivery]:
        """The ledger of one schedule, oldest first."""
        query = select(deliveries).where(deliveries.c.schedule_id == schedule_id)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query.order_by(deliveries.c.slot))
            return [
                Delivery(utc(r.slot), r.state, r.prompt or "", r.message_id or "", r.detail or "")
                for r in rows
            ]
