"""Controls live with the people who may use them (issue 22): a reflection's Next question
and Close and sum up come to its facilitator alone, and work from there (a Teams 1:1
chat is another conversation); a schedule card's Pause, Resume and Skip next go to whoever
may change the schedule. Anyone else pressing a forged button is told nothing exists."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import actions
from bot.content.model import Library
from bot.events import Action, Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.replies import Heading, Question, Reply, Visibility
from bot.store import Store
from tests.conftest import text_of
from tests.test_reflect import CHANNEL, World, make_world, person
from tests.test_schedules import World as ScheduleWorld
from tests.test_schedules import make_world as schedule_world


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


PRIVATE_CHAT = Conversation("console", "dm-fran", "T1")  # the facilitator's 1:1 chat
OTHER_TENANT = Conversation("console", "dm-fran", "T2")


async def pressed(world: World, where: Conversation, action: str, value: str, user: str) -> Reply:
    [reply] = await world.bot.handle(Action(where, person(user), action, value))
    return reply


def labels(reply: Reply) -> list[str]:
    return [b.label for b in reply.buttons]


async def test_the_facilitator_runs_the_thread_from_their_private_message(world: World) -> None:
    started = await world.say("reflect start manager-medic gibbs")
    assert started.discreet and started.visibility is Visibility.PRIVATE
    assert labels(started) == ["Next question", "Close and sum up"]
    value = started.buttons[0].value
    moved = await pressed(world, PRIVATE_CHAT, actions.REFLECT_NEXT, value, "fran")
    assert "Posted Q2 of 6" in text_of(moved)
    assert moved.discreet and labels(moved) == ["Next question", "Close and sum up"]
    [question] = world.in_thread(await world.thread())
    assert question.visibility is Visibility.CHANNEL and labels(question) == [
        "Contribute anonymously"
    ]
    assert isinstance(question.blocks[0], Heading) and isinstance(question.blocks[1], Question)
    closed = await pressed(world, PRIVATE_CHAT, actions.REFLECT_CLOSE, value, "fran")
    assert "is closed" in text_of(closed)


async def test_at_the_last_question_only_close_is_offered(world: World) -> None:
    await world.say("reflect start manager-medic")  # three questions
    second = await world.say("reflect next")
    assert labels(second) == ["Next question", "Close and sum up"]
    last = await world.say("reflect next")  # Q3 of 3 posted: nothing left to ask
    assert "Posted Q3 of 3" in text_of(last) and labels(last) == ["Close and sum up"]
    done = await world.say("reflect next")
    assert "last question" in text_of(done) and labels(done) == ["Close and sum up"]


async def test_typed_with_its_number_the_facilitator_runs_it_from_their_private_chat(
    world: World,
) -> None:
    await world.say("reflect start manager-medic")
    found = await world.latest()
    moved = await world.say(f"reflect next #{found.id}", where=PRIVATE_CHAT)
    assert "Posted Q2 of 3" in text_of(moved)


async def test_someone_else_elsewhere_is_told_there_is_no_such_reflection(world: World) -> None:
    """A press or a command naming a thread from away from it: not for someone who may not
    run it, and never from another workspace or tenant, even by its facilitator."""
    await world.say("reflect start manager-medic")
    found = await world.latest()
    value = str(found.id)
    elsewhere = Conversation("console", "dm-sam", "T1")
    for where, user in ((elsewhere, "sam"), (OTHER_TENANT, "fran")):
        refused = await pressed(world, where, actions.REFLECT_CLOSE, value, user)
        assert f"There is no reflection #{found.id}" in text_of(refused)
        typed = await world.say(f"reflect close #{found.id}", user=user, where=where)
        assert f"There is no reflection #{found.id}" in text_of(typed)
    assert (await world.latest()).state == found.state  # nothing was closed
    assert (await world.latest()).step == 0


async def test_in_its_channel_someone_else_is_still_refused_by_name(world: World) -> None:
    await world.say("reflect start manager-medic")
    value = str((await world.latest()).id)
    refused = await pressed(world, CHANNEL, actions.REFLECT_NEXT, value, "sam")
    assert "Only this reflection's facilitator" in text_of(refused)


async def test_an_admin_may_run_it_from_their_own_private_chat(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:T1:U-ada"}))
    await world.say("reflect start manager-medic", user="fran")
    value = str((await world.latest()).id)
    own_chat = Conversation("console", "dm-ada", "T1")
    moved = await pressed(world, own_chat, actions.REFLECT_NEXT, value, "ada")
    assert "Posted Q2 of 3" in text_of(moved)


async def test_a_link_button_is_answered_with_nothing(world: World) -> None:
    said = await world.bot.handle(Action(CHANNEL, person("sam"), actions.OPEN_ARTICLE, ""))
    assert said == []


# the schedule card


@pytest.fixture
async def scheduled(
    library: Library, index: LookupIndex, store: Store
) -> tuple[ScheduleWorld, Reply]:
    """A weekly prompt for Mondays at 09:00 where no admins are set, and its card."""
    world = await schedule_world(library, index, store)
    await world.say("schedule weekly monday 09:00")
    return world, await world.say("schedule")


async def test_the_schedule_card_leads_with_the_next_post_and_offers_pause_and_skip(
    scheduled: tuple[ScheduleWorld, Reply],
) -> None:
    world, card = scheduled
    assert card.blocks[0] == Heading("Weekly prompt")
    assert card.blocks[1] == Question("Next: Monday 23 November 2026, 09:00 GMT")
    assert labels(card) == ["Pause", "Skip next"] and not card.discreet  # anyone may
    where = Conversation("console", "general", "test")
    skip = card.buttons[1]
    [skipped] = await world.bot.handle(
        Action(where, Person("U-bob", "bob"), skip.action, skip.value)
    )
    assert "Monday 23 November 2026, 09:00 GMT, will be skipped" in text_of(skipped)
    pause = card.buttons[0]
    await world.bot.handle(Action(where, Person("U-bob", "bob"), pause.action, pause.value))
    again = await world.say("schedule")
    assert labels(again) == ["Resume"] and "Paused" in text_of(again)


async def test_where_admins_are_set_only_they_get_the_schedule_buttons(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await schedule_world(library, index, store, admins=frozenset({"console:U-alice"}))
    await world.say("schedule weekly monday 09:00")
    shown_to_bob = await world.say("schedule", user="bob")
    assert shown_to_bob.buttons == () and not shown_to_bob.discreet
    shown_to_alice = await world.say("schedule", user="alice")
    assert labels(shown_to_alice) == ["Pause", "Skip next"]
    assert shown_to_alice.discreet  # a Teams channel would show them to everyone
    pause = shown_to_alice.buttons[0]
    # alice presses it in her own 1:1 chat; bob forges it in the channel
    alice_dm = Conversation("console", "dm-alice", "test")
    [done] = await world.bot.handle(Action(alice_dm, Person("U-alice"), pause.action, pause.value))
    assert "paused" in text_of(done)
    channel = Conversation("console", "general", "test")
    resume = replace(pause, action=actions.SCHEDULE_RESUME)
    [refused] = await world.bot.handle(
        Action(channel, Person("U-bob"), resume.action, resume.value)
    )
    assert "Only the people listed as Rounds admins" in text_of(refused)
    assert "Paused" in text_of(await world.say("schedule", user="bob"))


async def test_a_schedule_button_from_another_workspace_finds_nothing(
    scheduled: tuple[ScheduleWorld, Reply],
) -> None:
    world, card = scheduled
    pause = card.buttons[0]
    elsewhere = Conversation("console", "general", "another")
    [refused] = await world.bot.handle(
        Action(elsewhere, Person("U-eve"), pause.action, pause.value)
    )
    assert "no longer exists" in text_of(refused)
    assert labels(await world.say("schedule")) == ["Pause", "Skip next"]  # still running


async def test_every_answer_has_a_heading(world: World) -> None:
    """A card a person takes in at a glance starts with what it is."""
    for line in ("reflect next", "lookup", "qoute", "reflect start nowhere", "schedule pause"):
        [reply] = await world.bot.handle(Command(CHANNEL, person("fran"), line))
        assert isinstance(reply.blocks[0], Heading), line
