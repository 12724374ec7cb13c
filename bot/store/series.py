"""Reflection series and their ledger. A series names its channel and its creator (who
facilitates each reflection it opens); every opening is claimed in `series_openings`,
whose unique (series, slot) key decides, never a read-then-write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.durations import LEASE
from bot.store.schedules import utc
from bot.store.schema import series, series_openings

Clock = Callable[[], dt.datetime]
CLAIMED, OPENED, FAILED = "claimed", "opened", "failed"


@dataclass(frozen=True)
class Series:
    id: int
    conversation: str  # the channel's conversation key
    platform: str
    channel: str
    workspace: str
    every_weeks: int
    weekday: int  # 0 = Monday
    times: tuple[str, ...]  # local wall times, "HH:MM", taking turns from the first opening
    timezone: str
    topic: str
    model: str
    closes: dt.timedelta  # how long each reflection stays open
    anonymous: bool
    holidays: str | None  # a nation (`bot.weekly.NATIONS`) when bank holidays are skipped
    creator: str | None  # the identity key of who facilitates; None once erased
    stopped: bool
    since: dt.datetime  # openings come after it


@dataclass(frozen=True)
class NewSeries:
    conversation: str
    platform: str
    channel: str
    workspace: str
    every_weeks: int
    weekday: int
    times: tuple[str, ...]
    timezone: str
    topic: str
    model: str
    closes: dt.timedelta
    anonymous: bool
    holidays: str | None
    creator: str | None


@dataclass(frozen=True)
class SeriesClaim:
    """A claimed slot; `reflection`: the one a crashed pass had opened for it already."""

    retry: bool
    reflection: int | None


@dataclass(frozen=True)
class SeriesOpening:
    """One row of the ledger."""

    slot: dt.datetime
    state: str
    reflection: int | None
    detail: str


def _series(row: Row[tuple[object, ...]]) -> Series:
    r = row._mapping
    return Series(
        id=int(r["id"]),
        conversation=str(r["conversation"]),
        platform=str(r["platform"]),
        channel=str(r["channel"]),
        workspace=str(r["workspace"]),
        every_weeks=int(r["every_weeks"]),
        weekday=int(r["weekday"]),
        times=tuple(str(r["times"]).split(",")),
        timezone=str(r["timezone"]),
        topic=str(r["topic"]),
        model=str(r["model"]),
        closes=dt.timedelta(minutes=int(r["closes_minutes"])),
        anonymous=bool(r["anonymous"]),
        holidays=r["holidays"],
        creator=r["creator"],
        stopped=bool(r["stopped"]),
        since=utc(r["since"]),
    )


class SeriesStore:
    def __init__(self, engine: AsyncEngine, clock: Clock, lease: dt.timedelta = LEASE) -> None:
        self.engine, self.clock, self.lease = engine, clock, lease

    async def create(self, new: NewSeries, since: dt.datetime) -> Series:
        """Store a series whose first opening comes after `since`."""
        values = {
            **{k: v for k, v in new.__dict__.items() if k not in ("times", "closes")},
            "times": ",".join(new.times),
            "closes_minutes": int(new.closes.total_seconds() // 60),
            "stopped": False,
            "since": utc(since),
            "updated_at": self.clock(),
        }
        async with self.engine.begin() as conn:
            ident = (await conn.execute(insert(series).values(values))).inserted_primary_key
        found = await self.get(int(ident[0]) if ident else 0)
        assert found is not None
        return found

    async def get(self, ident: int) -> Series | None:
        return next(iter(await self._where(series.c.id == ident)), None)

    async def in_channel(self, conversation: str) -> list[Series]:
        """The channel's running series, oldest first."""
        return await self._where((series.c.conversation == conversation) & ~series.c.stopped)

    async def running(self) -> list[Series]:
        return await self._where(~series.c.stopped)

    async def by_creator(self, identity_key: str) -> list[Series]:
        """The series the person set up (running or stopped), oldest first."""
        return await self._where(series.c.creator == identity_key)

    async def _where(self, which: ColumnElement[bool]) -> list[Series]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(series).where(which).order_by(series.c.id))
            return [_series(row) for row in rows]

    async def stop(self, ident: int) -> bool:
        """Stop a running series; False when it already was (of two at once, one stops it)."""
        where = (series.c.id == ident) & ~series.c.stopped
        values = {"stopped": True, "updated_at": self.clock()}
        async with self.engine.begin() as conn:
            return bool((await conn.execute(update(series).where(where).values(values))).rowcount)

    async def created_by(self, person: str) -> int:
        """How many series name the person as their creator (`forget_creator`)."""
        query = select(func.count()).select_from(series).where(series.c.creator == person)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def forget_creator(self, person: str) -> int:
        """The person's series no longer name them, and stop: a reflection needs someone to
        facilitate it. How many."""
        values = {"creator": None, "stopped": True, "updated_at": self.clock()}
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(series).where(series.c.creator == person).values(values)
            )
            return changed.rowcount or 0

    # The ledger

    async def recorded(self, since: dt.datetime) -> dict[int, set[dt.datetime]]:
        """Per series, the slots after `since` that are settled or being opened; a claim
        whose lease ran out is not (its opener crashed: the slot is due again)."""
        o = series_openings.c
        live = or_(o.state != CLAIMED, o.claimed_until >= self.clock())
        query = select(o.series_id, o.slot).where(and_(o.slot > since, live))
        found: dict[int, set[dt.datetime]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                found.setdefault(int(row.series_id), set()).add(utc(row.slot))
        return found

    async def claim(self, ident: int, slot: dt.datetime) -> SeriesClaim | None:
        """Claim a slot before opening its reflection; None when it is settled, or claimed by
        another whose lease holds. A claim whose lease ran out is taken over, with the
        reflection its crashed opener recorded."""
        now = self.clock()
        row = {"series_id": ident, "slot": utc(slot), "state": CLAIMED, "updated_at": now}
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(series_openings).values(claimed_until=now + self.lease, **row)
                )
            return SeriesClaim(retry=False, reflection=None)
        except IntegrityError:
            pass
        stale = self._stale(ident, slot, now)
        values = {"claimed_until": now + self.lease, "updated_at": now}
        async with self.engine.begin() as conn:
            if not (
                await conn.execute(update(series_openings).where(stale).values(values))
            ).rowcount:
                return None
            query = select(series_openings.c.reflection_id).where(self._key(ident, slot))
            opened = (await conn.execute(query)).scalar()
        return SeriesClaim(retry=True, reflection=None if opened is None else int(opened))

    def _key(self, ident: int, slot: dt.datetime) -> ColumnElement[bool]:
        return (series_openings.c.series_id == ident) & (series_openings.c.slot == utc(slot))

    def _stale(self, ident: int, slot: dt.datetime, now: dt.datetime) -> ColumnElement[bool]:
        o = series_openings.c
        return self._key(ident, slot) & (o.state == CLAIMED) & (o.claimed_until < now)

    async def opening(self, ident: int, slot: dt.datetime, reflection: int) -> None:
        """Record the reflection stored for a claimed slot, before its post goes out."""
        values = {"reflection_id": reflection, "updated_at": self.clock()}
        async with self.engine.begin() as conn:
            await conn.execute(update(series_openings).where(self._key(ident, slot)).values(values))

    async def finish(self, ident: int, slot: dt.datetime, state: str, detail: str = "") -> None:
        """Settle a claimed slot: opened, or failed for good."""
        values = {"state": state, "claimed_until": None, "detail": detail[:255] or None}
        async with self.engine.begin() as conn:
            await conn.execute(
                update(series_openings)
                .where(self._key(ident, slot))
                .values({**values, "updated_at": self.clock()})
            )

    async def record(self, ident: int, slot: dt.datetime, state: str, detail: str = "") -> bool:
        """Record a slot not opened (skipped, failed); False when it was recorded already. A
        claim left by a crash and now too late is settled so."""
        now = self.clock()
        row = {"series_id": ident, "slot": utc(slot), "state": state, "updated_at": now}
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    insert(series_openings).values(detail=detail[:255] or None, **row)
                )
            return True
        except IntegrityError:
            pass
        values = {"state": state, "claimed_until": None, "updated_at": now}
        async with self.engine.begin() as conn:
            stale = self._stale(ident, slot, now)
            return bool(
                (await conn.execute(update(series_openings).where(stale).values(values))).rowcount
            )

    async def ledger(self, ident: int) -> list[SeriesOpening]:
        """The ledger of one series, oldest first."""
        o = series_openings.c
        query = select(series_openings).where(o.series_id == ident).order_by(o.slot)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return [
                SeriesOpening(utc(r.slot), r.state, r.reflection_id, r.detail or "") for r in rows
            ]

    async def purge(self, before: dt.datetime) -> int:
        """Ledger rows for slots before `before` (past the lookback: never looked at again)."""
        old = series_openings.c.slot < utc(before)
        async with self.engine.begin() as conn:
            return (await conn.execute(delete(series_openings).where(old))).rowcount or 0
