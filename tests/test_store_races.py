"""Many callers at once on one store, on SQLite and (with ROUNDS_TEST_DATABASE_URL) on
PostgreSQL: every write that two replicas could make at the same moment ends with one row
and one winner, never an error. Each test fires its calls together with `asyncio.gather`,
over the store's own connection pool, as replicas sharing a database would."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import replace

from sqlalchemy import func, select

from bot.store import Store
from bot.store.reflections import CLOSING, NewReflection
from bot.store.schedules import NewSchedule
from bot.store.schema import conversation_refs, deliveries, rotation_seen, schedules, seen_events
from bot.store.store import ROTATE_ATTEMPTS

MANY = 24
SLOT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
GENERAL = NewSchedule("slack:T:C1", "slack", "C1", "T", 0, "09:00", "Europe/London", ())


async def rows(store: Store, table: object, where: object = None) -> int:
    query = select(func.count()).select_from(table)  # type: ignore[arg-type]
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def test_a_new_conversation_reference_saved_at_once_is_one_row(any_store: Store) -> None:
    key = "teams:tenant:19:new@thread.tacv2"
    sent = [{"serviceUrl": f"https://smba.example/{n}/"} for n in range(MANY)]
    await asyncio.gather(*(any_store.save_reference(key, "teams", data) for data in sent))
    assert await rows(any_store, conversation_refs) == 1
    assert await any_store.reference(key) in sent
    await any_store.save_reference(key, "teams", {"serviceUrl": "https://later.example/"})
    assert await any_store.reference(key) == {"serviceUrl": "https://later.example/"}
    assert await any_store.references("teams") == {key: {"serviceUrl": "https://later.example/"}}


async def test_a_new_schedule_saved_at_once_is_one_schedule(any_store: Store) -> None:
    rules = [replace(GENERAL, at=f"{9 + n % 10:02d}:{n:02d}") for n in range(MANY)]
    saved = await asyncio.gather(*(any_store.schedules.save(rule) for rule in rules))
    assert await rows(any_store, schedules) == 1
    [stored] = await any_store.schedules.all()
    assert {s.id for s in saved} == {stored.id}
    assert stored.at in {rule.at for rule in rules} and not stored.paused


async def test_saving_a_rule_keeps_pause_skip_and_holidays(any_store: Store) -> None:
    first = await any_store.schedules.save(GENERAL)
    await any_store.schedules.change(GENERAL.conversation, paused=True, holidays="scotland")
    await any_store.schedules.skip(first.id, SLOT.date(), keep_from=SLOT.date())
    again = await any_store.schedules.save(replace(GENERAL, at="10:30", created_by="U1"))
    assert again.id == first.id and again.at == "10:30"
    assert again.paused and again.skips == (SLOT.date(),) and again.holidays == "scotland"


async def test_an_event_id_claimed_at_once_has_one_winner(any_store: Store) -> None:
    won = await asyncio.gather(*(any_store.claim_event("Ev-same") for _ in range(MANY)))
    assert won.count(True) == 1
    assert await rows(any_store, seen_events) == 1


async def test_a_slot_claimed_at_once_has_one_winner(any_store: Store) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    claims = await asyncio.gather(
        *(any_store.schedules.claim(schedule.id, SLOT, f"p{n}") for n in range(MANY))
    )
    [winner] = [c for c in claims if c is not None]
    assert not winner.retry
    [row] = await any_store.schedules.ledger(schedule.id)
    assert row.state == "claimed" and row.prompt == winner.prompt


async def test_a_stale_claim_taken_over_at_once_has_one_winner(any_store: Store) -> None:
    now = [SLOT]
    any_store.schedules.clock = lambda: now[0]
    schedule = await any_store.schedules.save(GENERAL)
    assert await any_store.schedules.claim(schedule.id, SLOT, "p-first")
    now[0] += dt.timedelta(minutes=6)  # the first claimant crashed: its lease ran out
    claims = await asyncio.gather(
        *(any_store.schedules.claim(schedule.id, SLOT, f"p{n}") for n in range(MANY))
    )
    [winner] = [c for c in claims if c is not None]
    assert winner.retry and winner.prompt == "p-first"
    assert await rows(any_store, deliveries) == 1


async def test_a_skip_recorded_at_once_is_recorded_once(any_store: Store) -> None:
    schedule = await any_store.schedules.save(GENERAL)
    recorded = await asyncio.gather(
        *(any_store.schedules.record(schedule.id, SLOT, "skipped-missed") for _ in range(MANY))
    )
    assert recorded.count(True) == 1
    [row] = await any_store.schedules.ledger(schedule.id)
    assert row.state == "skipped-missed"


async def test_rotations_at_once_never_repeat_within_a_round(any_store: Store) -> None:
    """The worst case: every caller settles on the same next item (no rng), so each
    collision leaves one winner and the others choose again; a caller loses at most once
    per other caller (ROTATE_ATTEMPTS bounds how many race for one channel)."""
    racing = ROTATE_ATTEMPTS - 2
    pool = [f"q{i:02d}" for i in range(MANY * 2)]
    chosen = await asyncio.gather(*(any_store.rotate("c1", "quote", pool) for _ in range(racing)))
    assert len(set(chosen)) == racing
    assert await any_store.seen("c1", "quote") == set(chosen)


async def test_random_rotations_at_once_never_repeat_within_a_round(any_store: Store) -> None:
    pool = [f"q{i:03d}" for i in range(MANY * 10)]
    rngs = [random.Random(n) for n in range(MANY)]
    chosen = await asyncio.gather(*(any_store.rotate("c1", "quote", pool, r) for r in rngs))
    assert len(set(chosen)) == MANY
    assert await any_store.seen("c1", "quote") == set(chosen)


async def test_rotations_at_once_across_new_rounds_never_fail(any_store: Store) -> None:
    """A small pool starts a new round every few calls: each start deletes the old round
    while others insert (on PostgreSQL that deadlocked now and then, before the lock)."""
    pool = ["a", "b", "c"]
    for attempt in range(6):
        rngs = [random.Random(f"{attempt}-{n}") for n in range(MANY)]
        chosen = await asyncio.gather(*(any_store.rotate("c1", "quote", pool, r) for r in rngs))
        assert set(chosen) <= set(pool)
        assert await any_store.seen("c1", "quote") <= set(pool)


async def test_marking_the_same_item_seen_at_once_is_one_row(any_store: Store) -> None:
    pool = ["a", "b"]
    await any_store.mark_seen("c1", "prompt", "a", pool)
    await any_store.mark_seen("c1", "prompt", "b", pool)  # the pool is used up
    await asyncio.gather(*(any_store.mark_seen("c1", "prompt", "a", pool) for _ in range(MANY)))
    assert await any_store.seen("c1", "prompt") == {"a"}  # a new round, with "a" once
    where = rotation_seen.c.conversation == "c1"
    assert await rows(any_store, rotation_seen, where) == 1


def thread(closes: dt.datetime) -> NewReflection:
    return NewReflection(
        "slack:T:C1", "slack", "C1", "T", "manager-medic", "what-so-what-now-what", "U1",
        False, closes, closes - dt.timedelta(days=1), None,
    )  # fmt: skip


async def test_advance_remind_and_close_at_once_have_one_winner_each(any_store: Store) -> None:
    reflections = any_store.reflections
    opened = await reflections.open(thread(dt.datetime.now(dt.UTC) + dt.timedelta(days=3)))
    await reflections.set_thread(opened.id, "1700000000.000100")
    advanced = await asyncio.gather(*(reflections.advance(opened.id, 0, None) for _ in range(MANY)))
    assert advanced.count(True) == 1
    reminded = await asyncio.gather(*(reflections.claim_reminder(opened.id) for _ in range(MANY)))
    assert reminded.count(True) == 1
    closers = await asyncio.gather(*(reflections.claim_close(opened.id) for _ in range(MANY)))
    [closer] = [c for c in closers if c is not None]
    assert closer.state == CLOSING and closer.step == 1
    assert await reflections.claim_close(opened.id) is None  # the lease holds


async def test_a_close_left_by_a_crash_is_taken_over_once(any_store: Store) -> None:
    now = [dt.datetime.now(dt.UTC)]
    reflections = any_store.reflections
    reflections.clock = lambda: now[0]
    opened = await reflections.open(thread(now[0] + dt.timedelta(hours=1)))
    await reflections.set_thread(opened.id, "1700000000.000100")
    assert await reflections.claim_close(opened.id) is not None
    now[0] += dt.timedelta(minutes=6)  # the closer crashed: its lease ran out
    assert [r.id for r in await reflections.due(now[0])] == [opened.id]
    closers = await asyncio.gather(*(reflections.claim_close(opened.id) for _ in range(MANY)))
    assert sum(c is not None for c in closers) == 1


async def test_the_same_message_contributed_at_once_is_stored_once(any_store: Store) -> None:
    reflections = any_store.reflections
    opened = await reflections.open(thread(dt.datetime.now(dt.UTC) + dt.timedelta(days=3)))
    stored = await asyncio.gather(
        *(
            reflections.contribute(opened.id, 0, "Huddles help", "U2", "bo", "1700.000200")
            for _ in range(MANY)
        )
    )
    assert sum(s is not None for s in stored) == 1
    assert await reflections.count(opened.id) == 1
