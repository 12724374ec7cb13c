"""Schedules and the delivery ledger, on SQLite and (with ROUNDS_TEST_DATABASE_URL) on
PostgreSQL: the unique keys decide, so racing claimants agree."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.store import Store
from bot.store.schedules import Claim, NewSchedule

SLOT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
GENERAL = NewSchedule("slack:T:C1", "slack", "C1", "T", 0, "09:00", "Europe/London", ("wellbeing",))


async def test_a_channel_has_one_schedule_replaced_in_place(any_store: Store) -> None:
    first = await any_store.schedules.save(GENERAL)
    again = await any_store.schedules.save(GENERAL.__class__(**{**GENERAL.__dict__, "at": "10:30"}))
    assert first.id == again.id and again.at == "10:30" and again.topics == ("wellbeing",)
    assert [s.id for s in await any_store.schedules.all()] == [first.id]
    paused = await any_store.schedules.change("slack:T:C1", paused=True, skip_slot=SLOT)
    assert paused is not None and paused.paused and paused.skip_slot == SLOT
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
