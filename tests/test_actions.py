"""Actions that come back (issue 18), through the core with the injected clock: the answers
to a thread's last question stored at close with their owners, `reflect actions`, `action
done` and its button, the one follow-up at 14 days (once across replicas and restarts),
replies to it kept as updates, the transcript, `forget-me` and retention."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot import actions
from bot.content.model import Library
from bot.events import Action, Conversation
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError
from bot.replies import Item, Reply
from bot.store import Store
from bot.store.actions import FAILED, POSTED, SKIPPED, NewAction
from bot.store.reflections import NewReflection
from scheduler import reflections as due
from tests import test_slack_reflect as slack
from tests.conftest import text_of
from tests.fakes.slack_requests import TEAM_ID
from tests.slack_harness import Rounds, buttons, valid, words
from tests.test_reflect import (
    CHANNEL,
    VALID_NHS,
    World,
    everything_stored,
    make_world,
    person,
    process,
    reach_last_question,
)

LEE, KIT = "console:T1:U-lee", "console:T1:U-kit"
FOLLOW_UP = dt.timedelta(days=14)


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


async def closed_with_actions(world: World, start: str = "reflect start manager-medic") -> int:
    """A thread whose last question got three answers: lee's (with an NHS number), kit's
    and an anonymous one; closed by its facilitator, fran."""
    await world.say(start)
    await world.reply("The bed meeting went badly.", user="sam")
    await reach_last_question(world)
    await world.reply(f"I will audit the discharge of {VALID_NHS} with the ward.", user="lee")
    await world.reply("I will ring the bed manager every Monday.", user="kit")
    found = await world.latest()
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="I will say no more often.")
    await world.say("reflect close")
    return found.id


async def followed_up(world: World, start: str = "reflect start manager-medic") -> int:
    """`closed_with_actions`, then 14 days on, its follow-up posted."""
    ident = await closed_with_actions(world, start)
    world.clock.advance(FOLLOW_UP)
    assert f"followed-up:{ident}" in await tick(world)
    return ident


async def tick(world: World) -> list[str]:
    return (await world.scheduler().tick()).reflections


def follow_ups(world: World, thread: str) -> list[Reply]:
    return [r for r in world.in_thread(thread) if r.kind == "follow-up"]


def items(reply: Reply) -> list[Item]:
    return [b for b in reply.blocks if isinstance(b, Item)]


# recorded at close


async def test_the_answers_to_the_last_question_are_stored_at_close_with_their_owners(
    world: World,
) -> None:
    ident = await closed_with_actions(world)
    stored = await world.store.actions.of_reflection(ident)
    assert [(a.number, a.owner, a.done, a.done_at) for a in stored] == [
        (1, LEE, False, None),
        (2, KIT, False, None),
        (3, None, False, None),  # anonymous: no owner, nothing that names its author
    ]
    assert VALID_NHS not in stored[0].text and "audit the discharge" in stored[0].text
    assert stored[1].text == "I will ring the bed manager every Monday."


async def test_a_name_in_an_action_is_cut_out_as_in_the_summary(world: World) -> None:
    await world.say("reflect start manager-medic")
    await reach_last_question(world)
    await world.reply("I will ring Mrs Jones about the discharge plan.", user="lee")
    await world.say("reflect close")
    [action] = await world.store.actions.of_reflection((await world.latest()).id)
    assert "Jones" not in action.text and "discharge plan" in action.text


async def test_an_anonymous_thread_owns_no_action(world: World) -> None:
    ident = await closed_with_actions(world, "reflect start manager-medic anonymous")
    stored = await world.store.actions.of_reflection(ident)
    assert len(stored) == 3 and all(a.owner is None for a in stored)
    assert "U-lee" not in await everything_stored(world.store)


async def test_a_thread_without_answers_to_its_last_question_has_no_actions(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Only the first question.", user="sam")
    await world.say("reflect close")
    found = await world.latest()
    assert await world.store.actions.of_reflection(found.id) == []
    assert await world.store.actions.follow_up_state(found.id) is None
    assert "has no actions" in text_of(await world.say("reflect actions"))


# reflect actions, action done


async def test_reflect_actions_lists_status_and_whose_without_naming_anyone(world: World) -> None:
    await closed_with_actions(world)
    mine = await world.say("reflect actions", user="lee")
    listed = items(mine)
    assert [i.meta for i in listed] == ["Open · yours", "Open · someone named", "Open · anonymous"]
    assert [i.button is not None for i in listed] == [True, False, False]  # only lee's own
    assert listed[0].button is not None and listed[0].button.value == "1:1"
    assert "U-kit" not in text_of(mine) and "U-lee" not in text_of(mine)
    run = items(await world.say("reflect actions #1", user="fran"))  # the facilitator
    assert [i.meta.split(" · ")[1] for i in run] == ["someone named"] * 2 + ["anonymous"]
    assert all(i.button is not None for i in run)


async def test_reflect_actions_on_an_open_thread_says_they_come_at_close(world: World) -> None:
    await world.say("reflect start manager-medic")
    assert "recorded when it closes" in text_of(await world.say("reflect actions"))


async def test_action_done_by_its_owner_and_by_the_facilitator(world: World) -> None:
    ident = await closed_with_actions(world)
    assert "Action 1 of reflection #1 is marked done" in text_of(
        await world.say("action done 1", user="lee")
    )
    assert "already" in text_of(await world.say("action done 1 #1", user="lee"))
    assert "marked done" in text_of(await world.say("action done 3", user="fran"))
    stored = await world.store.actions.of_reflection(ident)
    assert [a.done for a in stored] == [True, False, True]
    assert stored[0].done_at == world.clock.now
    listed = items(await world.say("reflect actions", user="lee"))
    assert listed[0].meta.startswith("Done Monday 23 November 2026") and listed[0].button is None


async def test_action_done_is_refused_to_anyone_else(world: World) -> None:
    ident = await closed_with_actions(world)
    for typed in ("action done 1", "action done 3", "action done 9", "action done 1 #7"):
        refused = await world.say(typed, user="kit")
        assert refused.kind == "error", typed
        assert "There is no action" in text_of(refused) or "no reflection #7" in text_of(refused)
    assert [a.done for a in await world.store.actions.of_reflection(ident)] == [False] * 3
    assert "Try `action done 2`" in text_of(await world.say("action done", user="lee"))


async def test_the_done_button_checks_who_pressed_it_and_where(world: World) -> None:
    ident = await closed_with_actions(world)
    forged = await world.press(actions.ACTION_DONE, f"{ident}:1", user="kit")
    assert "There is no action 1 in reflection #1" in text_of(forged)
    elsewhere = Conversation("console", "ops", "T2")  # another workspace: lee's id there too
    [other] = await world.bot.handle(Action(elsewhere, person("lee"), actions.ACTION_DONE, "1:1"))
    assert "There is no action" in text_of(other)
    [junk] = await world.bot.handle(Action(CHANNEL, person("lee"), actions.ACTION_DONE, "x:y"))
    assert "There is no action" in text_of(junk)
    assert not any(a.done for a in await world.store.actions.of_reflection(ident))
    pressed = await world.press(actions.ACTION_DONE, f"{ident}:1", user="lee")
    assert "is marked done" in text_of(pressed)
    assert "marked done" in text_of(await world.press(actions.ACTION_DONE, "1:2", user="fran"))


# the follow-up


async def test_the_follow_up_is_posted_once_at_14_days_across_two_schedulers(
    world: World,
) -> None:
    ident = await closed_with_actions(world)
    thread = await world.thread()
    await world.say("action done 2", user="kit")
    world.clock.advance(FOLLOW_UP - dt.timedelta(minutes=1))
    assert "followed-up:1" not in await tick(world)
    world.clock.advance(minutes=1)
    replicas = [world.scheduler(), world.scheduler()]
    done = [(await r.tick()).reflections for r in replicas]
    assert sum(d.count(f"followed-up:{ident}") for d in done) == 1
    [post] = follow_ups(world, thread)
    said = text_of(post)
    assert "Follow-up: Manager–medic collaboration" in said and "14 days ago" in said
    assert "1. I will audit the discharge" in said and "3. I will say no more often." in said
    assert "ring the bed manager" not in said  # done: not asked about
    assert "stores replies here as updates" in said
    world.clock.advance(days=1)
    await tick(world)
    assert len(follow_ups(world, thread)) == 1
    assert await world.store.actions.follow_up_state(ident) == POSTED


async def test_the_follow_up_survives_a_restart(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    async with process(library, index, tmp_path) as world:
        await closed_with_actions(world)

    async with process(library, index, tmp_path) as again:
        again.clock.now = world.clock.now + FOLLOW_UP
        assert "followed-up:1" in await tick(again)
        assert len(follow_ups(again, await again.thread())) == 1
        third = await make_world(library, index, again.store)  # another process, later
        third.clock.now = again.clock.now + dt.timedelta(hours=1)
        assert "followed-up:1" not in await tick(third)
        assert third.outbox.sent == []


async def test_no_follow_up_when_every_action_is_done(world: World) -> None:
    ident = await closed_with_actions(world)
    for number in (1, 2, 3):
        await world.say(f"action done {number}", user="fran")
    world.clock.advance(FOLLOW_UP)
    assert await tick(world) == []
    assert follow_ups(world, await world.thread()) == []
    assert await world.store.actions.follow_up_state(ident) == SKIPPED


async def test_no_follow_up_when_retention_ends_first(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store)
    world.bot.ctx.retention_days = 14
    ident = await closed_with_actions(world)
    assert await world.store.actions.follow_up_state(ident) is None
    world.clock.advance(FOLLOW_UP)
    await tick(world)
    assert follow_ups(world, await world.thread()) == []


async def test_a_follow_up_that_failed_for_now_is_tried_again_and_a_refused_one_given_up(
    world: World,
) -> None:
    ident = await closed_with_actions(world)
    thread = await world.thread()
    world.clock.advance(FOLLOW_UP)
    world.outbox.failing = DeliveryError("timeout")
    assert await tick(world) == []
    world.outbox.failing = None
    assert await tick(world) == []  # not yet: it waits a while
    world.clock.advance(minutes=11)
    assert f"followed-up:{ident}" in await tick(world)
    assert len(follow_ups(world, thread)) == 1

    await world.say("reflect start valuing-managers")
    await reach_last_question(world)
    await world.reply("I will shadow a manager for a day.", user="lee")
    await world.say("reflect close")
    second = (await world.latest()).id
    world.clock.advance(FOLLOW_UP)
    world.outbox.failing = DeliveryError("channel_not_found", permanent=True)
    await tick(world)
    world.outbox.failing = None
    world.clock.advance(days=1)
    assert await tick(world) == []
    assert await world.store.actions.follow_up_state(second) == FAILED


# updates


async def test_a_reply_after_the_follow_up_is_stored_as_an_update_without_identifiers(
    world: World,
) -> None:
    ident = await closed_with_actions(world)
    [closed] = await world.reply("Too late for the thread.", user="sam")
    assert "has closed, so your reply was not recorded" in text_of(closed)
    world.clock.advance(FOLLOW_UP)
    await tick(world)
    [stored] = await world.reply(f"Audit done; {VALID_NHS} was discharged on time.", user="lee")
    assert "Your update on the actions of reflection #1 is stored" in text_of(stored)
    assert "an NHS number" in text_of(stored)  # warned privately, as a named reply is
    [update] = await world.store.actions.updates(ident)
    assert update.author == LEE and VALID_NHS not in update.text and "[removed]" in update.text
    again = await world.reply(f"Audit done; {VALID_NHS} was discharged on time.", user="lee")
    assert len(await world.store.actions.updates(ident)) == 1  # a platform's retry: once
    assert "NHS number" not in text_of(again[0])

    await world.say("reflect export", user="fran")
    transcript = world.direct()[-1].file
    assert transcript is not None
    assert "## Actions" in transcript.text and "## Follow-up updates" in transcript.text
    assert "1. [open] I will audit the discharge" in transcript.text
    assert "**Lee**: Audit done; \\[removed\\] was discharged" in transcript.text
    assert VALID_NHS not in transcript.text


async def test_an_update_in_an_anonymous_thread_names_no_one(world: World) -> None:
    ident = await followed_up(world, "reflect start manager-medic anonymous")
    await world.reply("The bed manager calls are going well.", user="kit")
    [update] = await world.store.actions.updates(ident)
    assert update.author is None
    assert "U-kit" not in await everything_stored(world.store)


# forget-me and retention


async def test_forget_me_clears_ownership_and_updates(world: World) -> None:
    ident = await followed_up(world)
    await world.reply("The audit is under way.", user="lee")
    preview = await world.say("forget-me", user="lee")
    assert "owner of actions from reflection threads (kept unowned): 1" in text_of(preview)
    erased = await world.say("forget-me confirm", user="lee")
    assert "owner of actions" in text_of(erased)
    stored = await world.store.actions.of_reflection(ident)
    assert [a.owner for a in stored] == [None, KIT, None]
    assert await world.store.actions.updates(ident) == []
    assert "U-lee" not in await everything_stored(world.store)


async def test_retention_deletes_actions_and_updates_with_their_thread(world: World) -> None:
    ident = await followed_up(world)
    await world.reply("Half of it is done.", user="kit")
    world.clock.advance(days=17)  # 31 days after the close: retention is 30
    purged = await due.purge(world.bot.ctx)
    assert purged.actions == 4  # three actions and one update
    assert await world.store.actions.of_reflection(ident) == []
    assert await world.store.actions.updates(ident) == []
    assert await world.store.actions.follow_up_state(ident) is None
    left = await everything_stored(world.store)
    assert "bed manager" not in left and "Half of it" not in left


async def test_a_closed_thread_purged_before_its_follow_up_gets_none(world: World) -> None:
    await closed_with_actions(world)
    thread = await world.thread()
    await world.store.reflections.purge(world.clock.now + dt.timedelta(days=1))
    world.clock.advance(FOLLOW_UP)
    assert await tick(world) == []
    assert follow_ups(world, thread) == []


# Slack, over real HTTP


async def test_in_slack_the_follow_up_appears_in_the_thread_14_days_after_close(
    rounds: Rounds,
) -> None:
    reflection, _opening = await slack.start(rounds)
    await slack.command(rounds, "reflect next")
    await slack.command(rounds, "reflect next")
    await slack.reply(rounds, reflection, "I will invite the GM to our meeting", 1, user="U0BOB")
    await slack.command(rounds, "reflect close")
    [action] = await slack.store(rounds).actions.of_reflection(reflection.id)
    assert action.owner == f"slack:{TEAM_ID}:U0BOB"
    listed = await slack.command(rounds, f"reflect actions #{reflection.id}", user="U0CARA")
    assert "someone named" in words(listed) and "U0BOB" not in words(listed)
    assert "Done" not in buttons(listed)  # not cara's to mark
    listed = await slack.command(rounds, f"reflect actions #{reflection.id}", user="U0BOB")
    assert "yours" in words(listed) and buttons(listed)["Done"][1] == f"{reflection.id}:1"
    valid(listed)
    await slack.press_private(rounds, listed, "Done", user="U0CARA")  # forged: not hers
    assert not (await slack.store(rounds).actions.of_reflection(reflection.id))[0].done
    ctx, timer = rounds.server.bot.ctx, rounds.server.timer
    assert timer is not None
    later = ctx.clock() + FOLLOW_UP + dt.timedelta(minutes=1)
    ctx.clock = lambda: later
    rounds.fake.calls.clear()
    report = await timer.tick()
    assert report is not None and f"followed-up:{reflection.id}" in report.reflections
    [post] = rounds.fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["thread_ts"] == reflection.thread
    said = words(post.params)
    assert "Follow-up: Manager–medic collaboration" in said
    assert "I will invite the GM to our meeting" in said
    valid(post.params)
    again = await timer.tick()
    assert again is not None and rounds.fake.calls_to("chat.postMessage") == [post]
    await slack.reply(rounds, reflection, "Invited; she is coming in January", 2, user="U0BOB")
    [update] = await slack.store(rounds).actions.updates(reflection.id)
    assert update.author == f"slack:{TEAM_ID}:U0BOB" and "January" in update.text
    [confirmed] = rounds.fake.calls_to("chat.postEphemeral")
    assert "Your update on the actions" in words(confirmed.params)


# the store, on SQLite and PostgreSQL


async def test_the_store_claims_a_follow_up_once_and_purges_with_the_thread(
    any_store: Store,
) -> None:
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    opened = await any_store.reflections.open(
        NewReflection("c", "console", "ops", "T1", "t", "m", "f", False, now, None, None)
    )
    await any_store.reflections.set_thread(opened.id, "th")
    found = [NewAction("Ring the ward", LEE), NewAction("Say no", None)]
    assert await any_store.actions.record(opened.id, found, now + FOLLOW_UP, now)
    assert not await any_store.actions.record(opened.id, found, now + FOLLOW_UP, now)  # once
    assert [a.number for a in await any_store.actions.of_reflection(opened.id)] == [1, 2]
    assert await any_store.actions.due_follow_ups(now) == []
    due_at = now + FOLLOW_UP
    claims = await asyncio.gather(
        *(any_store.actions.claim_follow_up(opened.id, due_at) for _ in range(4))
    )
    assert claims.count(True) == 1
    assert await any_store.actions.due_follow_ups(due_at) == []
    assert await any_store.actions.due_follow_ups(due_at + dt.timedelta(minutes=6)) == [opened.id]
    assert await any_store.actions.add_update(opened.id, "Done it", LEE, "m1", due_at) is not None
    assert await any_store.actions.add_update(opened.id, "Done it", LEE, "m1", due_at) is None
    assert await any_store.actions.forget(LEE) == (1, 1)
    await any_store.reflections.finish_close(opened.id)
    purged = await any_store.reflections.purge(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert purged.threads == 1 and purged.actions == 2
    assert await any_store.actions.of_reflection(opened.id) == []
    assert await any_store.actions.follow_up_state(opened.id) is None


async def test_action_done_with_its_number_works_from_the_owners_own_chat(world: World) -> None:
    """`action done 2 #id` typed in kit's 1:1 chat with Rounds (another conversation, same
    workspace) marks kit's action; the same from someone else, or from another workspace,
    finds no such action."""
    ident = await closed_with_actions(world)
    kit_chat = Conversation("console", "dm-kit", "T1")
    for who, where in (("sam", Conversation("console", "dm-sam", "T1")), ("kit", OTHER_PLACE)):
        refused = await world.say(f"action done 2 #{ident}", user=who, where=where)
        assert "no action" in text_of(refused).lower(), text_of(refused)
    assert not (await world.store.actions.of_reflection(ident))[1].done
    done = await world.say(f"action done 2 #{ident}", user="kit", where=kit_chat)
    assert "marked done" in text_of(done)
    assert (await world.store.actions.of_reflection(ident))[1].done


OTHER_PLACE = Conversation("console", "dm-kit", "T2")
