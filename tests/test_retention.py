"""Retention and erasure cover everything Rounds delivered (issue 16): transcripts sent
privately are deleted from the platform with their thread, a close stuck in `closing` is
finished and purged, the daily job says what it removed, `forget-me` asks first and also
deletes the transcripts sent to the person and their Teams 1:1 chat's reference, and an
anonymous thread keeps no platform message id that would lead back to a reply's author.

Through the core with the in-memory outbox and an injected clock, then over real HTTP with
the fake Slack and the fake Bot Connector."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from adapters.console.outbox import ConsoleOutbox
from bot import actions
from bot import messages as m
from bot.content.model import Library
from bot.events import Action, Conversation, Deletion, Message, Person
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError, File
from bot.replies import Heading, Reply
from bot.store import Store
from bot.store.keeping import Purged
from bot.store.reflections import CLOSED, CLOSING
from bot.store.schema import contributions, conversation_refs, sent_transcripts
from scheduler import reflections as due
from tests.conftest import button, text_of
from tests.fakes.slack_requests import (
    TEAM_ID,
    block_actions_payload,
    interactive,
    message_deleted_event,
    message_event,
)
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    TENANT_ID,
    USER_ID,
    aad_object_id,
    channel_message,
    personal_conversation_id,
    personal_message,
)
from tests.slack_harness import Rounds, buttons, words
from tests.teams_harness import Teams
from tests.test_reflect import CHANNEL, World, make_world, person
from tests.test_slack_reflect import GENERAL, command, event, settle, store
from tests.test_teams_reflect import database_text


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


async def recorded(store: Store) -> list[tuple[str, str | None, str | None, str | None]]:
    t = sent_transcripts.c
    query = select(t.conversation, t.message_id, t.file_id, t.recipient).order_by(t.id)
    async with store.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]


async def closed_with_transcript(world: World, user: str = "fran") -> None:
    await world.say("reflect start manager-medic", user=user)
    await world.reply("Words to keep a while.", user="sam")
    await world.say("reflect close", user=user)


# transcripts


async def test_the_transcript_sent_at_close_is_recorded_and_deleted_at_retention(
    world: World,
) -> None:
    await closed_with_transcript(world)
    [sent] = world.direct()
    assert await recorded(world.store) == [
        ("direct:U-fran", sent.message_id, None, "console:T1:U-fran"),
        ("direct:U-fran", None, f"file-{sent.message_id}", "console:T1:U-fran"),
    ]
    world.clock.advance(days=29)
    assert await due.purge(world.bot.ctx) == Purged()  # not yet
    world.clock.advance(days=2)
    done = await due.purge(world.bot.ctx)
    assert done == Purged(threads=1, contributions=1, transcripts=2)
    assert world.outbox.withdrawn == [sent.message_id, f"file-{sent.message_id}"]
    assert await recorded(world.store) == []
    assert await world.store.reflections.in_channel(CHANNEL.key, open_only=False) == []


async def test_an_export_is_recorded_too_and_deleted_with_its_thread(world: World) -> None:
    await closed_with_transcript(world)
    await world.say("reflect export")
    assert len(world.direct()) == 2 and len(await recorded(world.store)) == 4
    world.clock.advance(days=31)
    assert (await due.purge(world.bot.ctx)).transcripts == 4


async def test_a_deletion_failing_for_now_is_tried_again_and_the_thread_waits_for_it(
    world: World,
) -> None:
    await closed_with_transcript(world)
    world.clock.advance(days=31)
    world.outbox.refusing = DeliveryError("timeout")
    done = await due.purge(world.bot.ctx)
    assert done == Purged(threads=0, contributions=1, transcripts_kept=2)
    assert len(await recorded(world.store)) == 2
    [kept] = await world.store.reflections.in_channel(CHANNEL.key, open_only=False)
    assert await world.store.reflections.contributions(kept.id) == []  # the words went
    world.outbox.refusing = None
    assert await due.purge(world.bot.ctx) == Purged(threads=1, transcripts=2)
    assert await recorded(world.store) == []


async def test_a_transcript_that_can_never_be_deleted_counts_as_done(world: World) -> None:
    await closed_with_transcript(world)
    world.clock.advance(days=31)
    world.outbox.refusing = DeliveryError("slack: cannot_dm_bot", permanent=True)
    assert await due.purge(world.bot.ctx) == Purged(threads=1, contributions=1, transcripts=2)


async def test_a_platform_not_connected_keeps_its_transcripts_for_a_later_run(
    world: World,
) -> None:
    await closed_with_transcript(world)
    world.clock.advance(days=31)
    world.bot.ctx.outboxes = {}
    assert (await due.purge(world.bot.ctx)).transcripts_kept == 2
    world.bot.ctx.outboxes = {"console": world.outbox}
    assert (await due.purge(world.bot.ctx)).transcripts == 2


async def test_the_console_records_nothing_it_printed(world: World) -> None:
    world.bot.ctx.outboxes = {"console": ConsoleOutbox(io.StringIO())}
    await closed_with_transcript(world)
    assert await recorded(world.store) == []


async def test_the_daily_job_logs_one_line_of_counts_and_nothing_personal(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await closed_with_transcript(world)
    world.clock.advance(days=31)
    with caplog.at_level(logging.INFO, logger="rounds.scheduler"):
        await due.purge(world.bot.ctx)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retention")]
    assert line.startswith(
        "retention: deleted 1 threads, 1 contributions, 0 unposted contributions, "
        "0 actions and updates; 2 transcript messages or files withdrawn, 0 kept to retry"
    )
    for personal in ("fran", "sam", "Words to keep", "direct:"):
        assert personal not in caplog.text


# a close stuck in `closing`


async def test_a_close_failing_for_a_day_is_finished_without_its_summary(world: World) -> None:
    await world.say("reflect start manager-medic closes 1h")
    await world.reply("Said before the trouble.")
    world.clock.advance(hours=1)
    world.outbox.failing = DeliveryError("slack: http 500")  # every post, every pass
    for _pass in range(4):
        assert (await world.scheduler().tick()).reflections == []
        assert (await world.latest()).state == CLOSING
        world.clock.advance(hours=6)
    world.clock.advance(minutes=1)  # a day and more since the close was first claimed
    assert (await world.scheduler().tick()).reflections == ["closed:1"]
    assert (await world.latest()).state == CLOSED
    [transcript] = world.direct()  # the facilitator still gets the words
    assert transcript.file is not None and "Said before the trouble." in transcript.file.text


async def test_a_thread_stuck_closing_is_purged_after_the_retention_period(world: World) -> None:
    """A close that never finishes (a crash each time, say) keeps nothing past retention."""
    await world.say("reflect start manager-medic")
    await world.reply("Stuck words.")
    found = await world.latest()
    assert await world.store.reflections.claim_close(found.id) is not None  # then it crashed
    world.clock.advance(days=30)
    assert await due.purge(world.bot.ctx) == Purged()
    world.clock.advance(days=1, minutes=1)
    assert await due.purge(world.bot.ctx) == Purged(threads=1, contributions=1)
    assert await world.store.reflections.get(found.id) is None


# forget-me


async def test_forget_me_says_what_would_go_and_erases_nothing_until_confirmed(
    world: World,
) -> None:
    await closed_with_transcript(world, user="sam")
    preview = await world.say("forget-me", user="sam")
    words_ = text_of(preview)
    assert m.FORGET_PREVIEW_TITLE in words_ and m.FORGET_CONFIRM_HOW in words_
    assert m.FORGET_CONTRIBUTIONS.format(count=1) in words_
    assert m.FORGET_FACILITATED.format(count=1) in words_
    assert m.FORGET_TRANSCRIPTS.format(count=2) in words_
    assert [b.label for b in preview.buttons] == [m.BUTTON_ERASE]
    assert len(await world.store.reflections.contributions(1)) == 1  # nothing erased yet
    assert world.outbox.withdrawn == []
    erased = text_of(await world.say("forget-me confirm", user="sam"))
    assert m.FORGET_TITLE in erased and m.FORGET_TRANSCRIPTS.format(count=2) in erased
    assert await world.store.reflections.contributions(1) == []
    assert len(world.outbox.withdrawn) == 2 and await recorded(world.store) == []
    assert "U-sam" not in str(await world.store.reflections.get(1))


async def test_the_erase_button_erases_whoever_pressed_it_and_only_if_it_was_theirs(
    world: World,
) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Sam's words.", user="sam")
    await world.reply("Kit's words.", user="kit")
    erase = button(await world.say("forget-me", user="sam"), m.BUTTON_ERASE)
    # Kit presses the button on Sam's list (a Teams channel shows it to all): Kit is shown
    # Kit's own list; nothing of anyone's goes.
    [shown] = await world.bot.handle(Action(CHANNEL, person("kit"), erase.action, erase.value))
    assert m.FORGET_PREVIEW_TITLE in text_of(shown)
    assert len(await world.store.reflections.contributions(1)) == 2
    # Sam presses it: Sam's go, whatever the button says
    [done] = await world.bot.handle(Action(CHANNEL, person("sam"), erase.action, erase.value))
    assert m.FORGET_TITLE in text_of(done)
    assert [c.text for c in await world.store.reflections.contributions(1)] == ["Kit's words."]
    # Kit presses Kit's own: Kit's go
    mine = button(await world.say("forget-me", user="kit"), m.BUTTON_ERASE)
    await world.bot.handle(Action(CHANNEL, person("kit"), actions.FORGET_CONFIRM, mine.value))
    assert await world.store.reflections.contributions(1) == []


async def test_forget_me_keeps_a_transcript_it_could_not_delete_without_its_name(
    world: World,
) -> None:
    await closed_with_transcript(world, user="sam")
    world.outbox.refusing = DeliveryError("timeout")
    erased = text_of(await world.say("forget-me confirm", user="sam"))
    assert m.FORGET_TRANSCRIPTS_LATER.format(count=2) in erased
    assert [row[3] for row in await recorded(world.store)] == [None, None]  # no one named
    world.outbox.refusing = None
    world.clock.advance(days=31)
    assert (await due.purge(world.bot.ctx)).transcripts == 2  # deleted with the thread


# anonymous threads


async def stored_message_ids(store: Store) -> list[str | None]:
    query = select(contributions.c.message_id).order_by(contributions.c.id)
    async with store.engine.connect() as conn:
        return list((await conn.execute(query)).scalars())


async def test_an_anonymous_thread_stores_no_platform_message_id(world: World) -> None:
    await world.say("reflect start manager-medic anonymous")
    thread = await world.thread()
    where = replace(CHANNEL, thread=thread)
    said = Message(where, person("sam"), "Named, in an anonymous thread.", "m-sam-1")
    await world.bot.handle(said)
    await world.bot.handle(said)  # the platform sends it again: stored once
    [stored] = await stored_message_ids(world.store)
    assert stored is not None and stored != "m-sam-1" and "m-sam-1" not in stored
    [kept] = await world.store.reflections.contributions((await world.latest()).id)
    assert kept.author is None
    await world.bot.handle(Deletion(where, "m-sam-1"))  # Sam deletes it on the platform
    assert await stored_message_ids(world.store) == []


# Slack, over HTTP


def past_retention(ctx: Any) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=ctx.retention_days + 1)
    ctx.clock = lambda: later


async def slack_closed(slack: Rounds) -> tuple[str, str]:
    """Alice runs a thread and closes it; the ts of the DM message and the file's id."""
    await command(slack, "reflect start manager-medic")
    [found] = await store(slack).reflections.in_channel(GENERAL)
    said = message_event("Handover words.", user="U0BOB", thread_ts=found.thread)
    await event(slack, said, "EvRetention1")
    await command(slack, "reflect close")
    letter = slack.fake.calls_to("chat.postMessage")[-1]
    assert letter.params["channel"] == "D0U0ALICE"
    [upload] = slack.fake.shared_files()
    [dm] = [ts for channel, ts in slack.fake.posted if channel == "D0U0ALICE"]
    return dm, upload.file_id


async def test_slack_transcripts_are_deleted_from_the_dm_at_retention(slack: Rounds) -> None:
    dm, file_id = await slack_closed(slack)
    ctx = slack.server.bot.ctx
    assert await due.purge(ctx) == Purged()  # not yet
    past_retention(ctx)
    done = await due.purge(ctx)
    assert done == Purged(threads=1, contributions=1, transcripts=2)
    assert slack.fake.deleted == [("D0U0ALICE", dm)]
    assert slack.fake.deleted_files == [file_id]
    [deleted] = slack.fake.calls_to("files.delete")
    assert deleted.params == {"file": file_id}
    assert await recorded(store(slack)) == []


async def test_slack_deletions_failing_for_now_wait_and_gone_ones_count_as_done(
    slack: Rounds,
) -> None:
    dm, file_id = await slack_closed(slack)
    ctx = slack.server.bot.ctx
    past_retention(ctx)
    slack.fake.fail("files.delete", 500, times=10)
    assert (await due.purge(ctx)).transcripts_kept == 1  # the DM message went; the file waits
    assert slack.fake.deleted == [("D0U0ALICE", dm)] and slack.fake.deleted_files == []
    slack.fake.deleted_files.append(file_id)  # someone deleted it in the meantime
    slack.fake._failures.clear()
    assert await due.purge(ctx) == Purged(threads=1, transcripts=1)  # file_not_found: done
    assert await recorded(store(slack)) == []


async def test_slack_anonymous_thread_keeps_a_digest_and_a_deletion_still_finds_it(
    slack: Rounds,
) -> None:
    await command(slack, "reflect start manager-medic anonymous")
    [found] = await store(slack).reflections.in_channel(GENERAL)
    ts = "1700000100.000042"
    said = message_event("A named reply.", user="U0BOB", ts=ts, thread_ts=found.thread)
    await event(slack, said, "EvAnon1")
    await event(slack, said, "EvAnon1-again")  # Slack sends it twice (message, mention)
    [stored] = await stored_message_ids(store(slack))
    assert stored is not None and ts not in stored
    assert found.thread is not None
    await event(slack, message_deleted_event(ts, found.thread, user="U0BOB"), "EvAnonDel")
    assert await store(slack).reflections.contributions(found.id) == []


async def test_slack_forget_me_asks_then_deletes_the_transcripts_sent_to_the_person(
    slack: Rounds,
) -> None:
    dm, file_id = await slack_closed(slack)
    asked = words(await command(slack, "forget-me"))
    assert m.FORGET_TRANSCRIPTS.format(count=2) in asked and m.BUTTON_ERASE in asked
    assert slack.fake.calls_to("files.delete") == []
    erased = words(await command(slack, "forget-me confirm"))
    assert m.FORGET_FACILITATED.format(count=1) in erased
    assert slack.fake.deleted == [("D0U0ALICE", dm)] and slack.fake.deleted_files == [file_id]
    await settle(slack)


async def test_slack_forget_me_leaves_no_row_holding_the_persons_id(slack: Rounds) -> None:
    """Alice set a schedule, ran a thread, replied in it and got its transcript; Bob replied.
    After `forget-me confirm` no value in any column of any table holds her id (her DM's id
    included); Bob's reply is still there."""
    await command(slack, "schedule weekly monday 09:00")
    await command(slack, "reflect start manager-medic")
    [found] = await store(slack).reflections.in_channel(GENERAL)
    for n, user in enumerate(("U0ALICE", "U0BOB")):
        said = message_event(f"Handover words {n}.", user=user, thread_ts=found.thread)
        await event(slack, {**said, "ts": f"1700000300.00000{n}"}, f"EvForget{n}")
    await command(slack, "reflect close")
    assert "U0ALICE" in await database_text(store(slack))
    await command(slack, "forget-me confirm")
    left = await database_text(store(slack))
    assert "U0ALICE" not in left and "alice" not in left.lower()
    assert "U0BOB" in left and "Handover words 1." in left


# Teams, over HTTP


async def teams_closed(teams: Teams) -> list[str]:
    """Alice runs a thread in the channel and closes it; the ids of what her 1:1 chat got."""
    url = teams.fake.url
    assert (await teams.post(channel_message("reflect start manager-medic", url))).status < 300
    ctx = teams.server.bot.ctx
    [found] = await ctx.store.reflections.in_channel(f"teams:{TENANT_ID}:{CHANNEL_ID}")
    root = str(found.thread)
    said = channel_message("Handover words.", url, "29:bob", "Bob Other", False, root)
    await teams.post(said)
    await teams.post(channel_message("reflect close", url, reply_to_id=root))
    chat = personal_conversation_id(USER_ID)
    transcript = [s for s in teams.fake.direct_to(USER_ID) if s.activity.get("textFormat")]
    assert transcript, "no transcript in the 1:1 chat"
    recorded_ids = [row[1] for row in await recorded(ctx.store)]
    assert {row[0] for row in await recorded(ctx.store)} == {chat}
    return [str(i) for i in recorded_ids]


async def test_teams_transcripts_are_deleted_from_the_1_1_chat_at_retention(teams: Teams) -> None:
    sent = await teams_closed(teams)
    given = {str(s.response["id"]) for s in teams.fake.direct_to(USER_ID)}
    assert set(sent) <= given and len(sent) >= 2  # the letter and the transcript's pages
    ctx = teams.server.bot.ctx
    past_retention(ctx)
    done = await due.purge(ctx)
    assert done.transcripts == len(sent) and done.threads == 1
    deleted = teams.fake.sent_to("delete_activity")
    assert [d.reply_to for d in deleted] == sent
    assert {d.conversation_id for d in deleted} == {personal_conversation_id(USER_ID)}
    assert all(d.status == 200 for d in deleted)
    assert await recorded(ctx.store) == []


async def test_teams_a_message_gone_already_counts_as_deleted(teams: Teams) -> None:
    sent = await teams_closed(teams)
    ctx = teams.server.bot.ctx
    past_retention(ctx)
    teams.fake.fail(404, times=len(sent), method="delete_activity")
    assert (await due.purge(ctx)).transcripts == len(sent)
    assert await recorded(ctx.store) == []


async def test_teams_forget_me_removes_the_persons_1_1_chat_reference(teams: Teams) -> None:
    url, chat = teams.fake.url, personal_conversation_id(USER_ID)
    ctx = teams.server.bot.ctx
    await teams.post(channel_message("help", url))  # the channel: a reference naming no one
    await teams.post(personal_message("forget-me", url))
    key = f"teams:{TENANT_ID}:{chat}"
    owner = f"teams:{TENANT_ID}:{aad_object_id(USER_ID)}"
    assert await people_of_references(ctx.store) == {
        f"teams:{TENANT_ID}:{CHANNEL_ID}": None,
        key: owner,
    }
    await teams.post(personal_message("forget-me confirm", url))
    answer = [s for s in teams.fake.sent if s.conversation_id == chat][-1]
    assert m.FORGET_REFERENCES.format(count=1) in str(answer.activity)
    assert await ctx.store.reference(key) is None
    assert await ctx.store.reference(f"teams:{TENANT_ID}:{CHANNEL_ID}") is not None


async def people_of_references(store: Store) -> dict[str, str | None]:
    query = select(conversation_refs.c.conversation, conversation_refs.c.person)
    async with store.engine.connect() as conn:
        return {row.conversation: row.person for row in await conn.execute(query)}


async def test_teams_a_transcript_cut_short_is_taken_back_whole(teams: Teams) -> None:
    """A connection lost after the first pages: those are deleted again, so nothing is left
    in the chat that retention would not know about (`reflect export` sends it again)."""
    await teams.post(channel_message("help", teams.fake.url))  # the channel becomes known
    assert teams.server.teams is not None
    outbox = teams.server.teams.outbox
    sending = outbox._in_conversation
    calls = 0

    async def cut_on_the_second(data: dict[str, str], thread: str | None, activity: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise aiohttp.ClientConnectionError("connection lost")
        return await sending(data, thread, activity)

    outbox._in_conversation = cut_on_the_second  # type: ignore[method-assign]
    letter = Reply("transcript", (Heading("Transcript of reflection #9"),), summary="T")
    where = Conversation("teams", CHANNEL_ID, TENANT_ID)
    with pytest.raises(DeliveryError):
        await outbox.send_direct(where, Person(aad_object_id(USER_ID)), letter, File("t.md", "x"))
    [first] = teams.fake.direct_to(USER_ID)
    [removed] = teams.fake.sent_to("delete_activity")
    assert removed.reply_to == first.response["id"]
    assert removed.conversation_id == personal_conversation_id(USER_ID)


async def test_teams_forget_me_in_a_channel_answers_in_the_1_1_chat_only(teams: Teams) -> None:
    """What Rounds holds about someone is not shown to the channel: Teams has no private
    replies there, so the list (and its Erase button) goes to their 1:1 chat."""
    url = teams.fake.url
    await teams_closed(teams)  # Alice facilitated a thread and got its transcript
    before = len(teams.fake.sent)
    asked = channel_message("forget-me", url)
    assert (await teams.post(asked)).status < 300
    sent = teams.fake.sent[before:]
    chat = personal_conversation_id(USER_ID)
    posts = ("send_to_conversation", "reply_to_activity", "create_conversation")
    answers = [s for s in sent if s.method in posts]
    assert answers and all(s.conversation_id == chat for s in answers)
    assert any("would erase" in str(s.activity) for s in answers)


async def test_slack_an_erase_button_pressed_by_someone_else_erases_nothing(
    slack: Rounds,
) -> None:
    """Over HTTP: the Erase button on Alice's list, pressed by Bob (a replayed payload, or
    a shared screen), shows Bob his own list and erases nothing; Alice's own press erases."""
    await slack_closed(slack)
    action_id, value = buttons(await command(slack, "forget-me"))[m.BUTTON_ERASE]
    pressed = block_actions_payload(action_id, value, slack.fake.response_url(), user="U0BOB")
    assert await slack.send(interactive(pressed)) == {}
    await settle(slack)
    [shown] = [c.params for c in slack.fake.calls_to("response_url")][-1:]
    said = words(shown)  # Bob's own list: his one reply, no thread facilitated
    assert m.FORGET_CONTRIBUTIONS.format(count=1) in said
    assert m.FORGET_FACILITATED.format(count=1) not in said
    [found] = await store(slack).reflections.in_channel(GENERAL, open_only=False)
    assert found.facilitator == f"slack:{TEAM_ID}:U0ALICE"
    assert [c.author for c in await store(slack).reflections.contributions(found.id)] == [
        f"slack:{TEAM_ID}:U0BOB"
    ]
    assert slack.fake.calls_to("files.delete") == []
    mine = block_actions_payload(action_id, value, slack.fake.response_url(), user="U0ALICE")
    assert await slack.send(interactive(mine)) == {}
    await settle(slack)
    erased = await store(slack).reflections.get(found.id)
    assert erased is not None and erased.facilitator is None
    assert len(slack.fake.calls_to("files.delete")) == 1
