"""Schedules and the delivery ledger, on SQLite and (with ROUNDS_TEST_DATABASE_URL) on
PostgreSQL: the unique keys decide, so racing claimants agree."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from bot.store import Store, migrate
from bot.store.migrate import current_revision
from bot.store.schedules import Claim, NewSchedule, utc

SLOT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
GENERAL = NewSchedule("slack:T:C1", "slack", "C1", "T", 0, "09:00", "Europe/London", ("wellbeing",))


async def test_a_channel_has_one_schedule_replaced_in_place(any_store: Store) -> None:
    first = await any_store.schedules.save(GENERAL)
    again = await any_store.schedules.save(GENERAL.__class__(**{**GENERAL.__dict__, "at": "10:30"}))
    assert first.id == again.id and again.at == "10:30" and again.topics == ("wellbeing",)
    assert [s.id for s in await any_store.schedules.all()] == [first.id]
    paused = await any_store.schedules.change("slack:T:C1", paused=True, holidays="scotland")
    assert paused is not None and paused.paused and paused.holidays == "scotland"
    assert await any_store.schedules.skip(first.id, SLOT.date(), keep_from=SLOT.date())
    assert await any_store.schedules.remove("slack:T:C1")
    assert await any_store.schedules.get("slack:T:C1") is None


async def test_a_slot_is_claimed_once(any_store: Store) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    claims = await asyncio.gather(
        *(any_store.schedules.claim(schedule.id, SLOT, f"p{n}") for n in range(5))
    )
    assert sum(c is not None for c in claims) == 1
    await any_store.schedules.finish(schedule.id, SLOT, "delivered", "1700.1")
    assert await any_store.schedules.claim(schedule.id, SLOT, "again") is None
    [row] = await any_store.schedules.ledger(schedule.id)
    assert row.state == "delivered" and row.message_id == "1700.1" and row.slot == SLOT
    assert (await any_store.schedules.recorded(SLOT - dt.timedelta(days=1)))[schedule.id] == {SLOT}


async def test_a_claim_left_by_a_crash_is_taken_over_after_its_lease(any_store: Store) -> None:
    now = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)]
    any_store.schedules.clock = lambda: now[0]
    schedule = await any_store.schedules.save(GENERAL)
    assert await any_store.schedules.claim(schedule.id, SLOT, "p-first") == Claim("p-first", False)
    assert await any_store.schedules.claim(schedule.id, SLOT, "p-other") is None  # lease holds
    now[0] += dt.timedelta(minutes=6)
    assert await any_store.schedules.claim(schedule.id, SLOT, "p-other") == Claim("p-first", True)


async def test_skips_are_recorded_once(any_store: Store) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    assert await any_store.schedules.record(schedule.id, SLOT, "skipped-holiday")
    assert not await any_store.schedules.record(schedule.id, SLOT, "skipped-missed")
    assert await any_store.schedules.claim(schedule.id, SLOT, "p") is None


async def test_an_expired_claim_is_due_again_and_can_be_settled(any_store: Store) -> None:
    now = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)]
    any_store.schedules.clock = lambda: now[0]
    schedule = await any_store.schedules.save(GENERAL)
    since = SLOT - dt.timedelta(days=1)
    await any_store.schedules.claim(schedule.id, SLOT, "p")
    assert (await any_store.schedules.recorded(since))[schedule.id] == {SLOT}
    now[0] += dt.timedelta(hours=7)
    assert schedule.id not in await any_store.schedules.recorded(since)
    assert await any_store.schedules.record(schedule.id, SLOT, "skipped-missed")
    [row] = await any_store.schedules.ledger(schedule.id)
    assert row.state == "skipped-missed"


# Skipped dates: as many as the channel likes


DECEMBER = [dt.date(2026, 12, 7), dt.date(2026, 12, 14), dt.date(2026, 12, 21)]


async def test_skips_add_up_and_each_is_undone_alone(any_store: Store) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    for day in reversed(DECEMBER):
        assert await any_store.schedules.skip(schedule.id, day, keep_from=dt.date(2026, 11, 1))
    assert not await any_store.schedules.skip(schedule.id, DECEMBER[0], dt.date(2026, 11, 1))
    found = await any_store.schedules.get(GENERAL.conversation)
    assert found is not None and found.skips == tuple(DECEMBER)  # ascending
    assert await any_store.schedules.unskip(schedule.id, DECEMBER[1])
    assert not await any_store.schedules.unskip(schedule.id, DECEMBER[1])
    [listed] = await any_store.schedules.all()
    assert listed.skips == (DECEMBER[0], DECEMBER[2])
    assert await any_store.schedules.remove(GENERAL.conversation)  # its skips go with it


async def test_past_skips_are_pruned_and_other_weekdays_dropped_with_a_new_rule(
    any_store: Store,
) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    await any_store.schedules.skip(schedule.id, dt.date(2026, 10, 5), dt.date(2026, 10, 1))
    await any_store.schedules.skip(schedule.id, DECEMBER[0], keep_from=dt.date(2026, 11, 1))
    found = await any_store.schedules.get(GENERAL.conversation)
    assert found is not None and found.skips == (DECEMBER[0],)  # 5 October was pruned
    tuesdays = await any_store.schedules.save(replace(GENERAL, weekday=1))
    assert tuesdays.skips == ()  # 7 December is a Monday: no Tuesday prompt to skip
    mondays = await any_store.schedules.save(GENERAL)
    assert mondays.skips == ()


async def test_pause_and_resume_change_once(any_store: Store) -> None:
    await any_store.schedules.save(GENERAL)
    switches = await asyncio.gather(
        *(any_store.schedules.switch(GENERAL.conversation, paused=True) for _ in range(5))
    )
    assert switches.count(True) == 1
    assert await any_store.schedules.switch(GENERAL.conversation, paused=False)
    assert not await any_store.schedules.switch(GENERAL.conversation, paused=False)


OLD_SCHEDULES = sa.table(
    "schedules",
    *(sa.column(name) for name in ("id", "conversation", "platform", "channel", "workspace")),
    *(sa.column(name) for name in ("weekday", "at", "timezone", "topics", "paused")),
    sa.column("skip_slot", sa.DateTime(timezone=True)),
    sa.column("since", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


async def test_0009_moves_a_skip_to_its_date_and_back(database_url: str) -> None:
    """A skip stored as a slot by 0008 becomes its date in the schedule's timezone (the
    Sydney slot is Monday in UTC and Tuesday there); the downgrade restores the slot."""
    store = await Store.open(database_url, upgrade=False)
    await migrate.upgrade(store.engine, "0008")
    common = {"platform": "slack", "workspace": "T", "topics": "", "paused": False}
    times = {"since": SLOT, "updated_at": SLOT}
    sydney_slot = dt.datetime(2026, 12, 7, 13, 30, tzinfo=dt.UTC)  # Tue 8 Dec, 00:30 there
    rows = [
        {"id": 1, "conversation": "slack:T:C1", "channel": "C1", "weekday": 0, "at": "09:00"}
        | {"timezone": "Europe/London", "skip_slot": SLOT, **common, **times},
        {"id": 2, "conversation": "slack:T:C2", "channel": "C2", "weekday": 1, "at": "00:30"}
        | {"timezone": "Australia/Sydney", "skip_slot": sydney_slot, **common, **times},
        {"id": 3, "conversation": "slack:T:C3", "channel": "C3", "weekday": 0, "at": "09:00"}
        | {"timezone": "Europe/London", "skip_slot": None, **common, **times},
    ]
    async with store.engine.begin() as conn:
        await conn.execute(sa.insert(OLD_SCHEDULES), rows)
    await migrate.upgrade(store.engine)
    assert await current_revision(store.engine) == "0012"
    found = {s.channel: s.skips for s in await store.schedules.all()}
    assert found == {"C1": (SLOT.date(),), "C2": (dt.date(2026, 12, 8),), "C3": ()}

    def down(conn: Connection) -> None:
        command.downgrade(migrate._config(conn), "0008")

    async with store.engine.begin() as conn:
        await conn.run_sync(down)
        query = sa.select(OLD_SCHEDULES.c.skip_slot).order_by(OLD_SCHEDULES.c.id)
        slots = list((await conn.execute(query)).scalars())
    assert [utc(s) if s else None for s in slots] == [SLOT, sydney_slot, None]
    await migrate.upgrade(store.engine)  # and up again
    assert await current_revision(store.engine) == "0012"
    await store.close()
