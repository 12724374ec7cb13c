"""Reflective practice over time in Microsoft Teams, over real HTTP: activities shaped like
Teams sends them into `/api/messages`, botbuilder's real connector client talking to the fake
Bot Connector, one injected clock for the bot and its store, and the scheduler's passes run
by the test. The follow-up of a closed reflection's actions (tests/test_actions.py has Slack's)
and a series' opening at its slot (tests/test_series.py has Slack's) each go out once."""

from __future__ import annotations

import datetime as dt

from bot.store.reflections import CLOSED
from scheduler.service import Scheduler
from tests.fakes.clock import Clock
from tests.fakes.connector import Sent
from tests.fakes.teams_activities import CHANNEL_ID, TENANT_ID, aad_object_id, channel_message
from tests.teams_harness import Teams
from tests.test_series import FIRST, START
from tests.test_teams import words
from tests.test_teams_reflect import (
    BOB,
    BOB_NAME,
    CHANNEL,
    POSTS,
    deliver,
    in_channel,
    in_thread,
    start,
    store_of,
)

FOLLOW_UP = dt.timedelta(days=14)  # ROUNDS_FOLLOW_UP_DAYS, as Rounds is configured by default
ACTION = "I will invite the GM to our meeting"


def inject(teams: Teams, clock: Clock) -> None:
    """The bot and its store read `clock` from now on (the store's claims and times too)."""
    store = store_of(teams)
    teams.server.bot.ctx.clock = clock
    store.clock = store.schedules.clock = store.reflections.clock = store.series.clock = clock


async def passes(teams: Teams, count: int = 2) -> list[list[Sent]]:
    """`count` scheduler passes, each by a Scheduler of its own over the same store (as
    replicas run them); what each sent to the Bot Connector."""
    each = []
    for _ in range(count):
        before = len(teams.fake.sent)
        await Scheduler(teams.server.bot.ctx).tick()
        each.append(teams.fake.sent[before:])
    return each


async def test_in_teams_the_follow_up_appears_once_in_the_thread_14_days_after_close(
    teams: Teams,
) -> None:
    assert teams.server.bot.ctx.follow_up_days == FOLLOW_UP.days
    clock = Clock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    inject(teams, clock)
    reflection, _opening = await start(teams)
    root = str(reflection.thread)
    for _ in range(2):  # to the last question, in the thread
        await deliver(teams, channel_message("reflect next", teams.fake.url, reply_to_id=root))
    said = channel_message(ACTION, teams.fake.url, BOB, BOB_NAME, False, root)
    assert await deliver(teams, said) == []
    closing = await deliver(
        teams, channel_message("reflect close", teams.fake.url, reply_to_id=root)
    )
    assert "Summary: Manager–medic collaboration" in words(in_thread(closing, root)[0])
    closed = await store_of(teams).reflections.get(reflection.id)
    assert closed is not None and closed.state == CLOSED and closed.closed_at == clock.now
    [action] = await store_of(teams).actions.of_reflection(reflection.id)
    assert action.text == ACTION and not action.done
    assert action.owner == f"teams:{TENANT_ID}:{aad_object_id(BOB)}"

    clock.advance(FOLLOW_UP - dt.timedelta(minutes=1))  # not yet
    assert await passes(teams, 1) == [[]]

    clock.advance(minutes=1)  # 14 days to the minute after the close
    first, second = await passes(teams)
    [follow_up] = first
    assert follow_up.method in POSTS and follow_up.status == 200
    assert follow_up.conversation_id == f"{CHANNEL_ID};messageid={root}"  # its reply chain
    assert in_thread(first, root) == [follow_up]
    text = words(follow_up)
    assert "Follow-up: Manager–medic collaboration" in text and ACTION in text
    assert second == []  # the second pass posts nothing more
    clock.advance(days=1)
    assert await passes(teams, 1) == [[]]  # nor does a later one
    assert [s for s in teams.fake.sent if "Follow-up:" in words(s)] == [follow_up]


async def test_in_teams_a_series_opens_its_reflection_once_at_its_slot(teams: Teams) -> None:
    clock = Clock(START)  # a Monday; the series' first slot is that Thursday, 13:00
    inject(teams, clock)
    command = channel_message("reflect every 2w thu 13:00 manager-medic", teams.fake.url)
    answer = await deliver(teams, command)
    assert "Thursday 26 November 2026, 13:00 GMT" in "".join(words(s) for s in answer)
    [series] = await store_of(teams).series.running()

    clock.now = FIRST - dt.timedelta(minutes=1)
    assert await passes(teams, 1) == [[]]  # not before its slot

    clock.now = FIRST + dt.timedelta(minutes=2)
    first, second = await passes(teams)
    assert second == []  # the second replica's pass posts nothing
    [opening] = in_channel(first)  # one post in the channel, and nothing else there
    assert opening.method == "create_conversation" and opening.status == 200  # a new thread
    assert opening.conversation_id == CHANNEL_ID
    assert "Reflection: Manager–medic collaboration" in words(opening)
    [reflection] = await store_of(teams).reflections.in_channel(CHANNEL.key)
    assert reflection.thread == opening.response["activityId"]
    [row] = await store_of(teams).series.ledger(series.id)
    assert (row.slot, row.state, row.reflection) == (FIRST, "opened", reflection.id)
    openings = [s for s in teams.fake.sent if s.method == "create_conversation"]
    assert [s for s in openings if s.conversation_id == CHANNEL_ID] == [opening]
