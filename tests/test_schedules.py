"""Weekly prompts: the `schedule` commands through the bot, and delivery through the
scheduler with an injected clock and the in-memory outbox (no sleeping)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.console.outbox import ConsoleOutbox
from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError, MemoryOutbox
from bot.replies import Reply, Visibility
from bot.store import Store
from scheduler.service import Scheduler
from scheduler.timer import Timer
from tests.conftest import text_of
from tests.fakes.clock import Clock

# Monday 23 November 2026, 08:00 in London (GMT, so UTC too).
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
CHANNEL = Conversation("console", "general", "test")


@dataclass
class World:
    bot: Bot
    clock: Clock
    outbox: MemoryOutbox
    scheduler: Scheduler
    sent_replies: list[Reply] = field(default_factory=list)

    async def say(self, text: str, user: str = "alice", channel: str = "general") -> Reply:
        where = Conversation("console", channel, "test")
        [reply] = await self.bot.handle(Command(where, Person(f"U-{user}", user), text))
        return reply

    def posts(self, channel: str = "general") -> list[Reply]:
        return [s.reply for s in self.outbox.sent if s.conversation.channel == channel]


async def make_world(
    library: Library, index: LookupIndex, store: Store, admins: frozenset[str] = frozenset()
) -> World:
    clock = Clock(START)
    store.clock = clock
    store.schedules.clock = clock
    outbox = MemoryOutbox()
    outboxes = {"console": outbox}
    ctx = Context(library, index, store, random.Random(3), clock, admins=admins, outboxes=outboxes)
    return World(Bot(ctx), clock, outbox, Scheduler(ctx))


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> AsyncIterator[World]:
    yield await make_world(library, index, store)


# Commands


async def test_setting_a_schedule_says_when_it_will_post(world: World) -> None:
    reply = await world.say("schedule weekly monday 09:00")
    text = text_of(reply)
    assert reply.visibility is Visibility.CHANNEL
    assert "Mondays at 09:00 (Europe/London)" in text
    assert "Monday 23 November 2026, 09:00" in text  # later today


async def test_show_gives_the_next_run_and_the_prompt_it_will_post(world: World) -> None:
    await world.say("schedule weekly tue 17:30 Europe/London wellbeing")
    shown = text_of(await world.say("schedule"))
    assert "Tuesdays at 17:30 (Europe/London) · topics: wellbeing" in shown
    assert "Tuesday 24 November 2026, 17:30" in shown and "The next prompt will be" in shown
    world.clock.now = dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.UTC)
    await world.scheduler.tick()
    [posted] = world.posts()
    assert text_of(posted).split("\n")[1] in shown  # the preview was the prompt posted


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("schedule weekly funday 09:00", "“funday” is not a day of the week"),
        ("schedule weekly monday 25:00", "“25:00” is not a time"),
        ("schedule weekly monday 09:00 Mars/Olympus", "“Mars/Olympus” is not a timezone"),
        ("schedule weekly monday 09:00 astrology", "There is no topic “astrology”"),
        ("schedule weekly monday", "schedule weekly <day> <HH:MM>"),
    ],
)
async def test_bad_input_names_the_problem_and_saves_nothing(
    world: World, line: str, problem: str
) -> None:
    reply = await world.say(line)
    assert problem in text_of(reply) and "for example" in text_of(reply)
    assert await world.bot.ctx.store.schedules.all() == []


async def test_pause_resume_skip_stop_and_holidays(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    assert "paused" in text_of(await world.say("schedule pause"))
    assert "Paused" in text_of(await world.say("schedule show"))
    assert "back on" in text_of(await world.say("schedule resume"))
    skipped = text_of(await world.say("schedule skip"))
    assert "Monday 23 November 2026, 09:00 GMT, will be skipped" in skipped
    assert "Monday 30 November 2026, 09:00" in text_of(await world.say("schedule"))
    on = text_of(await world.say("schedule holidays on scotland"))
    assert "Scotland" in on
    assert "not “wales-only”" in text_of(await world.say("schedule holidays on wales-only"))
    assert "bank holidays too" in text_of(await world.say("schedule holidays off"))
    assert "deleted" in text_of(await world.say("schedule stop"))
    assert "no weekly prompt" in text_of(await world.say("schedule"))


async def test_only_admins_change_a_schedule_when_admins_are_set(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:U-alice"}))
    refused = await world.say("schedule weekly monday 09:00", user="bob")
    assert "Only the people listed as Rounds admins" in text_of(refused)
    assert await store.schedules.all() == []
    await world.say("schedule weekly monday 09:00", user="alice")
    assert "Mondays" in text_of(await world.say("schedule", user="bob"))  # anyone may look


# Delivery


async def test_a_due_slot_posts_once(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    await world.scheduler.tick()
    assert world.posts() == []  # not yet
    world.clock.advance(hours=1, minutes=1)
    first = await world.scheduler.tick()
    again = await world.scheduler.tick()
    [post] = world.posts()
    assert post.kind == "prompt" and post.marker in first.posted and again.posted == []
    [row] = await world.bot.ctx.store.schedules.ledger(1)
    assert row.state == "delivered" and row.message_id


async def test_a_slot_missed_beyond_the_grace_window_is_recorded_not_posted(
    world: World,
) -> None:
    await world.say("schedule weekly monday 09:00")
    world.clock.advance(hours=8)  # down from 08:00 to 16:00: 7 hours late
    report = await world.scheduler.tick()
    assert world.posts() == [] and len(report.skipped) == 1
    [row] = await world.bot.ctx.store.schedules.ledger(1)
    assert row.state == "skipped-missed"


async def test_a_late_slot_within_grace_is_posted(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    world.clock.advance(hours=6)  # 14:00, five hours late
    await world.scheduler.tick()
    assert len(world.posts()) == 1


async def test_a_bank_holiday_is_skipped_and_the_next_week_posts(world: World) -> None:
    world.clock.now = dt.datetime(2026, 12, 21, 8, 0, tzinfo=dt.UTC)
    await world.say("schedule weekly monday 09:00")
    await world.say("schedule holidays on england-and-wales")
    world.clock.now = dt.datetime(2026, 12, 21, 9, 5, tzinfo=dt.UTC)
    await world.scheduler.tick()
    world.clock.now = dt.datetime(2026, 12, 28, 9, 5, tzinfo=dt.UTC)  # Boxing Day, observed
    await world.scheduler.tick()
    world.clock.now = dt.datetime(2027, 1, 4, 9, 5, tzinfo=dt.UTC)
    await world.scheduler.tick()
    ledger = await world.bot.ctx.store.schedules.ledger(1)
    states = [(row.slot.date().isoformat(), row.state) for row in ledger]
    assert states == [
        ("2026-12-21", "delivered"),
        ("2026-12-28", "skipped-holiday"),
        ("2027-01-04", "delivered"),
    ]
    assert all("holiday" not in text_of(p).lower() for p in world.posts())


async def test_prompts_do_not_repeat_until_the_topic_is_used_up(world: World) -> None:
    await world.say("schedule weekly monday 09:00 wellbeing")
    pool = {p.id for p in world.bot.ctx.library.prompts_for_topic("wellbeing")}
    world.clock.advance(hours=1, minutes=1)
    for _week in range(len(pool)):
        await world.scheduler.tick()
        world.clock.advance(weeks=1)
    posted = [p.subject for p in world.posts()]
    assert len(posted) == len(pool) and set(posted) == pool


async def test_a_channel_that_fails_for_good_is_recorded_and_others_still_post(
    world: World,
) -> None:
    class Picky(MemoryOutbox):
        async def post(self, conversation: Conversation, reply: Reply) -> str:
            if conversation.channel == "archived":
                raise DeliveryError("console: is_archived", permanent=True)
            return await super().post(conversation, reply)

    world.scheduler.ctx.outboxes = {"console": (picky := Picky())}
    await world.say("schedule weekly monday 09:00", channel="archived")
    await world.say("schedule weekly monday 09:00", channel="general")
    world.clock.advance(hours=2)
    report = await world.scheduler.tick()
    assert len(report.failed) == 1 and len(report.posted) == 1
    assert [s.conversation.channel for s in picky.sent] == ["general"]
    assert await world.scheduler.tick() == type(report)()  # nothing retried or reposted


async def test_a_temporary_failure_is_retried_after_the_lease(world: World) -> None:
    failures = [1]

    class Flaky(MemoryOutbox):
        async def post(self, conversation: Conversation, reply: Reply) -> str:
            if failures[0]:
                failures[0] -= 1
                raise DeliveryError("console: timeout")
            return await super().post(conversation, reply)

    world.scheduler.ctx.outboxes = {"console": (flaky := Flaky())}
    await world.say("schedule weekly monday 09:00")
    world.clock.advance(hours=1, minutes=1)
    assert len((await world.scheduler.tick()).retrying) == 1
    assert (await world.scheduler.tick()).posted == []  # the claim's lease still holds
    world.clock.advance(minutes=6)
    assert len((await world.scheduler.tick()).posted) == 1
    assert len(flaky.sent) == 1


async def test_two_replicas_post_each_slot_once(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    stores = [await Store.open(url) for _ in range(2)]
    worlds = [await make_world(library, index, s) for s in stores]
    for n in range(20):
        await worlds[0].say("schedule weekly monday 09:00", channel=f"c{n}")
    for w in worlds:
        w.clock.advance(hours=1, minutes=1)
    await asyncio.gather(*(w.scheduler.tick() for w in worlds))
    posts = [s.conversation.channel for w in worlds for s in w.outbox.sent]
    assert sorted(posts) == sorted(f"c{n}" for n in range(20))
    for s in stores:
        await s.close()


async def test_the_console_prints_scheduled_prompts_in_the_channel(world: World) -> None:
    out = io.StringIO()
    world.scheduler.ctx.outboxes = {"console": ConsoleOutbox(out)}
    await world.say("schedule weekly monday 09:00")
    world.clock.advance(hours=1, minutes=1)
    await world.scheduler.tick()
    printed = out.getvalue()
    assert printed.startswith("[posted in #general]") and "Discussion prompt" in printed
    assert "Reply in the thread" in printed


async def test_the_timer_keeps_one_cron_job_per_schedule_in_its_timezone(world: World) -> None:
    timer = Timer(world.scheduler)
    await world.say("schedule weekly tuesday 17:30 America/New_York", channel="a")
    await world.say("schedule weekly monday 09:00", channel="b")
    await timer.sync(await world.bot.ctx.store.schedules.all())
    jobs = {job.id: job for job in timer.aps.get_jobs()}
    assert set(jobs) == {"schedule-1", "schedule-2"}
    trigger = jobs["schedule-1"].trigger
    assert str(trigger.timezone) == "America/New_York"
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("1", "17", "30")
    await world.say("schedule weekly friday 12:00", channel="a")
    await world.say("schedule stop", channel="b")
    await timer.sync(await world.bot.ctx.store.schedules.all())
    jobs = {job.id: job for job in timer.aps.get_jobs()}
    assert set(jobs) == {"schedule-1"}
    assert {f.name: str(f) for f in jobs["schedule-1"].trigger.fields}["day_of_week"] == "4"


async def test_an_unexpected_error_in_one_channel_does_not_stop_the_others(world: World) -> None:
    class Broken(MemoryOutbox):
        async def post(self, conversation: Conversation, reply: Reply) -> str:
            if conversation.channel == "broken":
                raise RuntimeError("a bug, not a delivery error")
            return await super().post(conversation, reply)

    world.scheduler.ctx.outboxes = {"console": (broken := Broken())}
    await world.say("schedule weekly monday 09:00", channel="broken")
    await world.say("schedule weekly monday 09:00", channel="general")
    world.clock.advance(hours=1, minutes=1)
    report = await world.scheduler.tick()
    assert len(report.retrying) == 1 and len(report.posted) == 1
    assert [s.conversation.channel for s in broken.sent] == ["general"]


async def test_a_prompt_added_to_the_library_joins_the_rotation(
    library: Library, index: LookupIndex, store: Store
) -> None:
    smaller = dataclasses.replace(library, prompts=dict(library.prompts))
    newcomer = smaller.prompts.pop("p-wellbeing-5")
    world = await make_world(smaller, index, store)
    await world.say("schedule weekly monday 09:00 wellbeing")
    world.clock.advance(hours=1, minutes=1)
    for _week in range(4):  # the four wellbeing prompts the channel starts with
        await world.scheduler.tick()
        world.clock.advance(weeks=1)
    smaller.prompts[newcomer.id] = newcomer  # an organisation adds a prompt
    await world.scheduler.tick()
    posted = [p.subject for p in world.posts()]
    assert len(set(posted[:4])) == 4 and newcomer.id not in posted[:4]
    assert posted[4] == newcomer.id  # the new one comes before any repeat


# Issue 19: what channel owners meet every day


async def test_skips_add_up_and_the_scheduler_honours_every_one(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    first = text_of(await world.say("schedule skip"))
    second = text_of(await world.say("schedule skip"))
    assert "Monday 23 November 2026, 09:00 GMT, will be skipped" in first
    assert "Monday 30 November 2026, 09:00 GMT, will be skipped" in second
    assert "Skipped: Monday 23 November 2026, 09:00 GMT; Monday 30 November 2026" in second
    dated = [await world.say(f"schedule skip {typed}") for typed in ("2026-12-14", "21 Dec")]
    assert [r.visibility for r in dated] == [Visibility.CHANNEL] * 2
    assert "Monday 21 December 2026, 09:00 GMT will be skipped" in text_of(dated[1])
    again = await world.say("schedule skip 14/12")  # UK order: 14 December
    assert "already skipped" in text_of(again) and again.visibility is Visibility.PRIVATE
    shown = text_of(await world.say("schedule show"))
    assert "Next: Monday 7 December 2026, 09:00" in shown
    for day in ("23 November", "30 November", "14 December", "21 December"):
        assert f"Monday {day} 2026, 09:00" in shown
    world.clock.advance(hours=1, minutes=5)  # each Monday at 09:05, for six weeks
    for _week in range(6):
        await world.scheduler.tick()
        world.clock.advance(weeks=1)
    ledger = await world.bot.ctx.store.schedules.ledger(1)
    assert [(row.slot.day, row.state) for row in ledger] == [
        (23, "skipped-requested"),
        (30, "skipped-requested"),
        (7, "delivered"),
        (14, "skipped-requested"),
        (21, "skipped-requested"),
        (28, "delivered"),
    ]


async def test_unskip_posts_a_skipped_date_after_all_and_says_which(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    await world.say("schedule skip 30/11")
    await world.say("schedule skip 7 dec")
    unskipped = await world.say("schedule unskip")  # the next skipped one
    assert "Monday 30 November 2026, 09:00 GMT will be posted after all" in text_of(unskipped)
    assert unskipped.visibility is Visibility.CHANNEL
    later = text_of(await world.say("schedule unskip 2026-12-07"))
    assert "Monday 7 December 2026, 09:00 GMT will be posted after all" in later
    assert "No weekly prompt is being skipped" in text_of(await world.say("schedule unskip"))
    assert "Skipped" not in text_of(await world.say("schedule show"))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("schedule skip 15 Dec", "Tuesday 15 December 2026 is not a prompt day"),
        ("schedule skip 16/11/2026", "already past"),  # a Monday last week
        ("schedule skip someday", "“someday” is not a date"),
        ("schedule unskip 14/12", "was not being skipped"),
    ],
)
async def test_a_skip_that_cannot_be_is_explained_and_changes_nothing(
    world: World, line: str, problem: str
) -> None:
    await world.say("schedule weekly monday 09:00")
    reply = await world.say(line)
    assert problem in text_of(reply) and reply.visibility is Visibility.PRIVATE
    [found] = await world.bot.ctx.store.schedules.all()
    assert found.skips == ()


async def test_a_bare_holidays_shows_the_setting_and_changes_nothing(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    assert "posted on bank holidays too" in text_of(await world.say("schedule holidays"))
    await world.say("schedule holidays on scotland")
    shown = await world.say("schedule holidays")
    assert "Bank holidays in Scotland are skipped" in text_of(shown)
    assert shown.visibility is Visibility.PRIVATE
    [found] = await world.bot.ctx.store.schedules.all()
    assert found.holidays == "scotland"


@pytest.mark.parametrize(
    ("line", "problem", "absent"),
    [
        ("schedule holidays on wales", "not “wales”", "schedule weekly <day>"),
        ("schedule holidays maybe", "`schedule holidays off`", "schedule weekly <day>"),
        ("schedule weekly", "needs a day and a time", ""),
    ],
)
async def test_each_mistake_gets_one_clear_answer(
    world: World, line: str, problem: str, absent: str
) -> None:
    await world.say("schedule weekly monday 09:00", channel="other")
    await world.say("schedule weekly monday 09:00")
    text = text_of(await world.say(line))
    assert problem in text
    assert text.count("schedule weekly <day>") == (0 if absent else 1)


@pytest.mark.parametrize("zone", ["GMT", "BST", "UK", "uk time", "gmt"])
async def test_uk_time_by_any_usual_name_is_europe_london_and_says_so(
    world: World, zone: str
) -> None:
    reply = await world.say(f"schedule weekly mon 09:00 {zone} wellbeing")
    text = text_of(reply)
    assert "Mondays at 09:00 (Europe/London) · topics: wellbeing" in text
    assert f"“{zone}” is taken as UK time, Europe/London" in text


@pytest.mark.parametrize(
    ("zone", "iana"),
    [("EST", "America/New_York"), ("CET", "Europe/Paris"), ("pst", "America/Los_Angeles")],
)
async def test_other_abbreviations_name_the_iana_form_and_save_nothing(
    world: World, zone: str, iana: str
) -> None:
    text = text_of(await world.say(f"schedule weekly mon 09:00 {zone}"))
    assert f"“{zone}” is an abbreviation" in text and f"like {iana}" in text
    assert "There is no topic" not in text
    assert await world.bot.ctx.store.schedules.all() == []


async def test_a_new_schedule_says_what_it_replaced(world: World) -> None:
    first = text_of(await world.say("schedule weekly monday 09:00"))
    assert "replaces" not in first
    second = text_of(await world.say("schedule weekly tue 17:30 wellbeing"))
    assert "Tuesdays at 17:30 (Europe/London) · topics: wellbeing" in second
    assert "It replaces the previous weekly prompt: Mondays at 09:00 (Europe/London)" in second


async def test_repeating_pause_or_resume_answers_privately(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    paused = await world.say("schedule pause")
    assert paused.visibility is Visibility.CHANNEL
    again = await world.say("schedule pause")
    assert "already paused" in text_of(again) and again.visibility is Visibility.PRIVATE
    resumed = await world.say("schedule resume")
    assert resumed.visibility is Visibility.CHANNEL
    running = await world.say("schedule resume")
    assert "already running" in text_of(running) and running.visibility is Visibility.PRIVATE
    assert "Next: Monday 23 November 2026, 09:00" in text_of(running)
