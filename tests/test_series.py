"""Reflection series (issue 18): `reflect every …` sets up reflective practice on a cadence,
and the scheduler opens each reflection once, through restarts and replicas. The core with
an injected clock and the in-memory outbox; one test over HTTP with Slack faked."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox, Sent
from bot.replies import Reply, Visibility
from bot.series import next_opening, slots_after
from bot.store import Store
from bot.store.series import Series
from scheduler import reflections as retention
from scheduler.service import Scheduler
from scheduler.timer import Timer
from tests.conftest import text_of
from tests.fakes.clock import Clock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import slash_command
from tests.slack_harness import running, slack_settings, words

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday; GMT, so UTC too
FIRST = dt.datetime(2026, 11, 26, 13, 0, tzinfo=dt.UTC)  # that week's Thursday, 13:00
CHANNEL = Conversation("console", "ops", "T1")
ALICE = "console:T1:U-alice"


@dataclass
class World:
    bot: Bot
    clock: Clock
    outbox: MemoryOutbox
    store: Store

    async def say(self, text: str, user: str = "alice") -> Reply:
        [reply] = await self.bot.handle(Command(CHANNEL, Person(f"U-{user}", user), text))
        return reply

    def openings(self) -> list[Sent]:
        return [s for s in self.outbox.sent if s.reply.kind == "reflection"]

    async def tick_at(self, moment: dt.datetime) -> None:
        self.clock.now = moment
        await Scheduler(self.bot.ctx).tick()


async def make_world(
    library: Library, index: LookupIndex, store: Store, admins: frozenset[str] = frozenset()
) -> World:
    clock = Clock(START)
    store.clock = store.schedules.clock = store.reflections.clock = store.series.clock = clock
    outbox = MemoryOutbox()
    outboxes = {"console": outbox}
    ctx = Context(library, index, store, random.Random(3), clock, admins=admins, outboxes=outboxes)
    return World(Bot(ctx), clock, outbox, store)


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


async def states(world: World) -> list[tuple[str, str]]:
    return [(r.slot.isoformat(), r.state) for r in await world.store.series.ledger(1)]


# Commands


async def test_a_series_says_when_it_first_opens_and_is_listed(world: World) -> None:
    reply = await world.say("reflect every 2w thu 13:00 manager-medic gibbs anonymous")
    said = text_of(reply)
    assert reply.visibility is Visibility.CHANNEL and "Reflection series #1" in said
    assert "Thursday 26 November 2026, 13:00 GMT" in said
    assert "Every 2 weeks on Thursdays at 13:00 (Europe/London)" in said and "anonymous" in said
    listed = text_of(await world.say("reflect series"))
    assert "#1 · next: Thursday 26 November 2026, 13:00 GMT" in listed and "Gibbs" in listed
    [found] = await world.store.series.by_creator(ALICE)
    assert (found.every_weeks, found.weekday, found.times, found.anonymous) == (
        2,
        3,
        ("13:00",),
        True,
    )
    assert next_opening(found, FIRST) == FIRST + dt.timedelta(weeks=2)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("reflect every 2w thu", "A series needs how often, a day, a time and a topic"),
        ("reflect every 2 thu 13:00 manager-medic", "“2” is not how often"),
        ("reflect every 13w thu 13:00 manager-medic", "“13w” is not how often"),
        ("reflect every 2w funday 13:00 manager-medic", "“funday” is not a day of the week"),
        ("reflect every 2w thu 25:00 manager-medic", "“25:00” is not a time"),
        ("reflect every 2w thu 13:00 astrology", "There is no topic called “astrology”"),
        ("reflect every 2w thu 13:00 manager-medic times 08:00,nine", "“08:00,nine” is not"),
        ("reflect every 2w thu 13:00 manager-medic holidays wales-only", "not “wales-only”"),
        ("reflect every 1w thu 13:00 manager-medic closes 2w", "still be open when the next"),
    ],
)
async def test_bad_input_names_the_problem_and_saves_nothing(
    world: World, line: str, problem: str
) -> None:
    reply = await world.say(line)
    assert reply.kind == "error" and problem in text_of(reply)
    assert await world.store.series.by_creator(ALICE) == []


async def test_with_admins_set_only_an_admin_sets_up_a_series(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:U-alice"}))
    refused = await world.say("reflect every 2w thu 13:00 manager-medic", user="bob")
    assert "Only the people listed as Rounds admins" in text_of(refused)
    assert await world.store.series.running() == []
    await world.say("reflect every 2w thu 13:00 manager-medic")
    assert len(await world.store.series.running()) == 1


async def test_stop_by_its_creator_works_and_by_someone_else_is_refused(world: World) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    refused = await world.say("reflect series stop 1", user="bob")
    assert "Only whoever set up series #1, or an admin" in text_of(refused)
    assert len(await world.store.series.running()) == 1
    stopped = await world.say("reflect series stop #1")
    assert stopped.visibility is Visibility.CHANNEL and "Series #1 is stopped" in text_of(stopped)
    assert "no reflection series" in text_of(await world.say("reflect series"))
    assert "no running series #1" in text_of(await world.say("reflect series stop 1"))
    await world.tick_at(FIRST + dt.timedelta(minutes=1))
    assert world.openings() == []


# Openings


async def test_a_series_opens_once_across_two_replicas(
    library: Library, index: LookupIndex, database_url: str
) -> None:
    """On SQLite, and on PostgreSQL when the tests have one."""
    stores = [await Store.open(database_url) for _ in range(2)]
    worlds = [await make_world(library, index, s) for s in stores]
    await worlds[0].say("reflect every 2w thu 13:00 manager-medic")
    for w in worlds:
        w.clock.now = FIRST - dt.timedelta(minutes=1)
    await asyncio.gather(*(Scheduler(w.bot.ctx).tick() for w in worlds))
    assert [s for w in worlds for s in w.openings()] == []  # not yet
    for w in worlds:
        w.clock.now = FIRST + dt.timedelta(minutes=1)
    await asyncio.gather(*(Scheduler(w.bot.ctx).tick() for w in worlds))
    await asyncio.gather(*(Scheduler(w.bot.ctx).tick() for w in worlds))
    [opened] = [s for w in worlds for s in w.openings()]
    assert opened.conversation.channel == "ops" and "Manager" in text_of(opened.reply)
    [row] = await stores[0].series.ledger(1)
    assert row.state == "opened" and row.reflection is not None
    found = await stores[0].reflections.get(row.reflection)
    assert found is not None and found.facilitator == ALICE and found.thread
    controls = [s for w in worlds for s in w.outbox.sent if s.direct]
    assert [c.person.id for c in controls if c.person] == ["U-alice"]
    for s in stores:
        await s.close()


async def test_openings_take_the_given_times_in_turn(world: World) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic times 08:00,20:00")
    for week, hour in enumerate((13, 8, 20, 13)):
        await world.tick_at(FIRST.replace(hour=hour, minute=1) + dt.timedelta(weeks=week))
    hours = [dt.datetime.fromisoformat(slot).hour for slot, _ in await states(world)]
    assert hours == [13, 8, 20, 13] and len(world.openings()) == 4
    assert {state for _, state in await states(world)} == {"opened"}
    [found] = await world.store.series.running()
    assert found.times == ("13:00", "08:00", "20:00")


async def test_a_bank_holiday_is_skipped_and_recorded(world: World) -> None:
    world.clock.now = dt.datetime(2026, 12, 21, 8, 0, tzinfo=dt.UTC)
    await world.say("reflect every 1w mon 09:00 manager-medic holidays england-and-wales")
    [found] = await world.store.series.running()
    after_first = dt.datetime(2026, 12, 21, 9, 5, tzinfo=dt.UTC)
    assert next_opening(found, after_first) == dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
    for day in (dt.date(2026, 12, 21), dt.date(2026, 12, 28), dt.date(2027, 1, 4)):
        await world.tick_at(dt.datetime.combine(day, dt.time(9, 5), tzinfo=dt.UTC))
    assert [(slot[:10], state) for slot, state in await states(world)] == [
        ("2026-12-21", "opened"),
        ("2026-12-28", "skipped-holiday"),  # Boxing Day's substitute
        ("2027-01-04", "opened"),
    ]
    assert len(world.openings()) == 2


async def test_a_missed_slot_within_grace_opens_late_and_older_ones_are_skipped(
    world: World,
) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    await world.tick_at(FIRST + dt.timedelta(weeks=1, hours=3))  # down for a week and more
    assert [state for _, state in await states(world)] == ["skipped-missed", "opened"]
    [opened] = world.openings()
    assert opened.reply.kind == "reflection"


async def test_a_restart_between_claim_and_open_finishes_once(world: World) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    world.clock.now = FIRST + dt.timedelta(minutes=1)
    assert await world.store.series.claim(1, FIRST) is not None  # then the process died
    await world.tick_at(world.clock.now)
    assert world.openings() == []  # the claim's lease still holds
    await world.tick_at(world.clock.now + dt.timedelta(minutes=6))
    assert len(world.openings()) == 1
    await world.tick_at(world.clock.now + dt.timedelta(minutes=6))
    assert len(world.openings()) == 1 and await states(world) == [(FIRST.isoformat(), "opened")]


async def test_a_reflection_opened_before_a_crash_is_not_opened_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    finish = world.store.series.finish

    async def crash(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(world.store.series, "finish", crash)
    await world.tick_at(FIRST + dt.timedelta(minutes=1))
    assert len(world.openings()) == 1 and await states(world) == [(FIRST.isoformat(), "claimed")]
    monkeypatch.setattr(world.store.series, "finish", finish)
    await world.tick_at(world.clock.now + dt.timedelta(minutes=6))
    assert len(world.openings()) == 1
    [row] = await world.store.series.ledger(1)
    assert row.state == "opened" and row.reflection == 1


async def test_forget_me_stops_the_persons_series(world: World) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    assert "Your reflection series: 1" in text_of(await world.say("forget-me"))
    assert "Your reflection series: 1" in text_of(await world.say("forget-me confirm"))
    assert await world.store.series.running() == []
    assert await world.store.series.by_creator(ALICE) == []
    await world.tick_at(FIRST + dt.timedelta(minutes=1))
    assert world.openings() == []


async def test_ledger_rows_past_the_lookback_are_purged(world: World) -> None:
    await world.say("reflect every 1w thu 13:00 manager-medic")
    await world.tick_at(FIRST + dt.timedelta(minutes=1))
    assert len(await world.store.series.ledger(1)) == 1
    world.clock.now = FIRST + dt.timedelta(days=36)
    await retention.purge(world.bot.ctx)
    assert await world.store.series.ledger(1) == []


def test_slots_follow_the_cadence_from_the_first_day() -> None:
    found = Series(
        1, "k", "console", "ops", "T1", 3, 0, ("09:00", "17:00"), "Europe/London", "t", "m",
        dt.timedelta(days=3), False, None, ALICE, False, START,
    )  # fmt: skip
    slots = slots_after(found, START)
    got = [next(slots)[1] for _ in range(3)]
    assert [s.isoformat() for s in got] == [
        "2026-11-30T09:00:00+00:00",
        "2026-12-21T17:00:00+00:00",
        "2027-01-11T09:00:00+00:00",
    ]
    later = list(zip(range(2), slots_after(found, got[1]), strict=False))
    assert [turn for _, (turn, _slot) in later] == [2, 3]


# Over HTTP


async def test_a_series_set_over_slack_opens_its_reflection_once(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "s.db")
    async with running(library, index, settings, fake, scheduler=False) as slack:
        clock = Clock(START)
        ctx = slack.server.bot.ctx
        ctx.clock = clock
        body = slash_command("reflect every 2w thu 13:00 manager-medic", fake.response_url())
        answer = await slack.send(body)
        assert answer["response_type"] == "in_channel"
        assert "Thursday 26 November 2026, 13:00 GMT" in words(answer)
        clock.now = FIRST + dt.timedelta(minutes=2)
        await Scheduler(ctx).tick()
        await Scheduler(ctx).tick()
        posts = [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == "C0GENERAL"]
        [opening] = posts
        assert "Manager" in words(opening.params)
        [row] = await ctx.store.series.ledger(1)
        assert row.state == "opened"


async def test_the_timer_wakes_the_scheduler_at_each_of_a_series_times(world: World) -> None:
    await world.say("reflect every 2w thu 13:00 manager-medic times 08:00")
    timer = Timer(Scheduler(world.bot.ctx))
    await timer.sync([], await world.store.series.running())
    jobs = {job.id: job.trigger for job in timer.aps.get_jobs()}
    assert set(jobs) == {"series-1-13:00", "series-1-08:00"}
    fields = {f.name: str(f) for f in jobs["series-1-08:00"].fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("3", "8", "0")
    await world.say("reflect series stop 1")
    await timer.sync([], await world.store.series.running())
    assert timer.aps.get_jobs() == []
