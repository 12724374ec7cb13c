"""Reflection threads in Slack, over real HTTP: signed requests into `/slack/events`, the
real slack_sdk client talking to the fake Slack on an ephemeral port, the store read back."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import inspect, text

from adapters.slack import text as slack_text
from adapters.slack.adapter import FORMS
from adapters.slack.outbox import SlackOutbox
from adapters.slack.render import FORM_BLOCK, FORM_INPUT, form_view
from adapters.slack.translate import form_event
from bot import messages as m
from bot.content.model import Library
from bot.events import Conversation, Person
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError, File
from bot.replies import Form, Paragraph, Reply
from bot.store import Store
from bot.store.reflections import CLOSED, OPEN, Contribution, Reflection
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    BOT_ID,
    BOT_USER_ID,
    JSON,
    TEAM_ID,
    app_mention,
    block_actions_payload,
    event_callback,
    interactive,
    message_deleted_event,
    message_event,
    slash_command,
    slash_payload,
    view_submission_payload,
)
from tests.slack_harness import FAST_RETRIES, Rounds, buttons, running, slack_settings, valid, words

GENERAL = f"slack:{TEAM_ID}:C0GENERAL"
VALID_NHS = "943 476 5919"  # a valid check digit
INVALID_NHS = "943 476 5918"  # the same with a wrong check digit: not an NHS number

# Who sends the anonymous contribution: none of this may be kept or logged anywhere.
HIDDEN_ID, HIDDEN_USERNAME, HIDDEN_NAME = "U0HIDDEN", "hidden.person", "Hidden Person"
TYPED = "I worry that we judge the rota before we ask the night team"


# Driving Slack


def store(rounds: Rounds) -> Store:
    return rounds.server.bot.ctx.store


async def settle(rounds: Rounds) -> None:
    """Wait until the adapter has finished everything it started in the background."""
    adapter = rounds.server.slack
    assert adapter is not None
    while adapter.tasks:
        await asyncio.wait(set(adapter.tasks))


async def command(rounds: Rounds, line: str, user: str = "U0ALICE") -> dict[str, Any]:
    name = "alice" if user == "U0ALICE" else user.lower()
    body = slash_command(line, rounds.fake.response_url(), user=user, user_name=name)
    answer = await rounds.send(body)
    await settle(rounds)
    return answer


async def start(rounds: Rounds) -> tuple[Reflection, dict[str, Any]]:
    """Alice opens a reflection; the stored thread and the opening post's parameters."""
    reflection, opening, _controls = await facilitate(rounds)
    return reflection, opening


async def facilitate(rounds: Rounds) -> tuple[Reflection, dict[str, Any], dict[str, Any]]:
    """Alice opens a reflection: the stored thread, the opening post's parameters and her
    answer, which holds the controls."""
    answer = await command(rounds, "reflect start manager-medic")
    [reflection] = await store(rounds).reflections.in_channel(GENERAL)
    assert m.REFLECT_CONTROLS_TITLE.format(id=reflection.id) in words(answer), words(answer)
    [opening] = rounds.fake.calls_to("chat.postMessage")
    return reflection, opening.params, answer


def thread_of(reflection: Reflection) -> str:
    assert reflection.thread is not None
    return reflection.thread


async def event(rounds: Rounds, body: dict[str, Any], event_id: str, **headers: str) -> None:
    assert await rounds.send(event_callback(body, event_id), JSON, **headers) == {}
    await settle(rounds)


async def reply(
    rounds: Rounds, reflection: Reflection, said: str, n: int, user: str = "U0ALICE"
) -> None:
    ts = f"1700000100.{n:06d}"
    body = message_event(said, user=user, ts=ts, thread_ts=thread_of(reflection))
    await event(rounds, body, f"EvReply{n}")


async def contributions(rounds: Rounds, reflection: Reflection) -> list[Contribution]:
    return await store(rounds).reflections.contributions(reflection.id)


async def press(
    rounds: Rounds, post: dict[str, Any], label: str, user: str = "U0ALICE", name: str = "alice"
) -> dict[str, Any]:
    """Press a button on a public post (the opening); returns the payload Slack sent."""
    action_id, value = buttons(post)[label]
    url = rounds.fake.response_url()
    payload = block_actions_payload(
        action_id, value, url, user=user, user_name=name, ephemeral=False
    )
    assert await rounds.send(interactive(payload)) == {}
    await settle(rounds)
    return payload


async def press_private(
    rounds: Rounds, message: dict[str, Any], label: str, user: str = "U0ALICE"
) -> dict[str, Any]:
    """Press a button on a message only its reader sees (the facilitator's controls)."""
    action_id, value = buttons(message)[label]
    url = rounds.fake.response_url()
    payload = block_actions_payload(action_id, value, url, user=user, user_name=user.lower())
    assert await rounds.send(interactive(payload)) == {}
    await settle(rounds)
    return payload


def answers_at(rounds: Rounds, payload: dict[str, Any]) -> list[dict[str, Any]]:
    url = str(payload["response_url"])
    return [c.params for c in rounds.fake.calls_to("response_url") if url.endswith(c.path)]


def submission(view: dict[str, Any], typed: str) -> dict[str, Any]:
    """What Slack sends when the hidden person submits the modal Rounds opened."""
    values = {FORM_BLOCK: {FORM_INPUT: {"type": "plain_text_input", "value": typed}}}
    payload = view_submission_payload(
        view["callback_id"], view["private_metadata"], values, user=HIDDEN_ID
    )
    payload["user"].update(username=HIDDEN_USERNAME, name=HIDDEN_NAME)
    payload["view"]["title"] = view["title"]
    return payload


async def open_form(rounds: Rounds, opening: dict[str, Any]) -> dict[str, Any]:
    """The hidden person presses Contribute anonymously; the modal Rounds opened."""
    await press(rounds, opening, m.BUTTON_ANONYMOUS, HIDDEN_ID, HIDDEN_USERNAME)
    [opened] = rounds.fake.calls_to("views.open")
    view = opened.params["view"]
    assert isinstance(view, dict)
    return view


async def submit(rounds: Rounds, view: dict[str, Any], typed: str) -> dict[str, Any]:
    answer = await rounds.send(interactive(submission(view, typed)))
    await settle(rounds)
    return answer


async def everything_stored(store: Store) -> str:
    """Every value of every row of every table, as text."""
    async with store.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        rows = [
            row for name in names for row in await conn.execute(text(f'SELECT * FROM "{name}"'))
        ]
    assert rows, "the scan found nothing at all"
    return "\n".join(repr(tuple(row)) for row in rows)


def valid_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()  # raises on anything Slack would refuse


# Opening a thread


async def test_reflect_start_posts_the_opening_in_the_channel_and_stores_its_thread(
    rounds: Rounds,
) -> None:
    reflection, opening, controls = await facilitate(rounds)
    assert opening["channel"] == "C0GENERAL" and "thread_ts" not in opening
    assert "Manager–medic" in words(opening) and "(Q1 of 3)" in words(opening)
    assert set(buttons(opening)) == {m.BUTTON_ANONYMOUS}  # the facilitator's are private
    assert {value for _id, value in buttons(opening).values()} == {str(reflection.id)}
    valid(opening)
    assert controls["response_type"] == "ephemeral"
    assert set(buttons(controls)) == {m.BUTTON_NEXT, m.BUTTON_CLOSE}
    assert f"`/rounds reflect next #{reflection.id}`" in words(controls)
    valid(controls)
    assert rounds.fake.calls_to("chat.postEphemeral") == []  # the command's own answer
    assert reflection.thread == rounds.fake.history["C0GENERAL"][-1]["ts"]
    assert reflection.facilitator == f"slack:{TEAM_ID}:U0ALICE" and reflection.state == OPEN


# Replies in the thread


async def test_thread_replies_are_stored_as_contributions_once_each(rounds: Rounds) -> None:
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, "We never get to handover on time", 1)
    await reply(rounds, reflection, "The &lt;rota&gt; decides for us", 2, user="U0BOB")
    retried = message_event(
        "We never get to handover on time",
        ts="1700000100.000001",
        thread_ts=thread_of(reflection),
    )
    await event(rounds, retried, "EvReply1", **{"X-Slack-Retry-Num": "1"})
    found = await contributions(rounds, reflection)
    assert [(c.author, c.text) for c in found] == [
        (f"slack:{TEAM_ID}:U0ALICE", "We never get to handover on time"),
        (f"slack:{TEAM_ID}:U0BOB", "The <rota> decides for us"),
    ]
    assert rounds.fake.calls_to("chat.postEphemeral") == []  # all is well: nothing said


async def test_a_reply_deleted_in_slack_is_deleted_from_the_store(rounds: Rounds) -> None:
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, "Kept", 1)
    await reply(rounds, reflection, "Regretted", 2)
    deleted = message_deleted_event("1700000100.000002", thread_of(reflection))
    await event(rounds, deleted, "EvDeleted2")
    opening = message_deleted_event(thread_of(reflection), thread_of(reflection))
    await event(rounds, opening, "EvDeletedOpening")  # not a reply: nothing to do
    assert [c.text for c in await contributions(rounds, reflection)] == ["Kept"]


def _edited(thread: str) -> dict[str, Any]:
    body = message_event("edited", thread_ts=thread)
    return {**body, "subtype": "message_changed", "hidden": True}


def _parent(thread: str) -> dict[str, Any]:
    return message_event("the opening itself", ts=thread, thread_ts=thread)


NOT_CONTRIBUTIONS: dict[str, Callable[[str], dict[str, Any]]] = {
    "top-level": lambda thread: message_event("Morning all"),
    "own-bot": lambda thread: message_event("posted by Rounds", thread_ts=thread, bot_id=BOT_ID),
    "other-bot": lambda thread: message_event(
        "a bot", user="U0OTHERBOT", thread_ts=thread, bot_id="B0OTHER"
    ),
    "webhook": lambda thread: message_event("a hook", user=None, thread_ts=thread, bot_id="B0HOOK"),
    "edit": _edited,
    "parent": _parent,
    "bot-mention": lambda thread: message_event(f"<@{BOT_USER_ID}> good point", thread_ts=thread),
}


@pytest.mark.parametrize("kind", sorted(NOT_CONTRIBUTIONS))
async def test_other_messages_are_not_stored_and_touch_no_table(rounds: Rounds, kind: str) -> None:
    reflection, _ = await start(rounds)
    await event(rounds, NOT_CONTRIBUTIONS[kind](thread_of(reflection)), f"EvNot-{kind}")
    assert await contributions(rounds, reflection) == []
    assert await store(rounds).claim_event(f"EvNot-{kind}")  # never recorded: no database
    assert rounds.fake.calls_to("chat.postEphemeral") == []


async def test_a_reply_mentioning_rounds_is_stored_once(rounds: Rounds) -> None:
    """Slack sends such a reply twice, as `message` and as `app_mention`."""
    reflection, _ = await start(rounds)
    said, ts = f"<@{BOT_USER_ID}> we should ask the porters", "1700000100.000009"
    thread = thread_of(reflection)
    await event(rounds, message_event(said, ts=ts, thread_ts=thread), "EvBoth1")
    await event(rounds, app_mention(said, ts=ts, thread_ts=thread), "EvBoth2")
    [stored] = await contributions(rounds, reflection)
    assert stored.text == "we should ask the porters"
    assert stored.author == f"slack:{TEAM_ID}:U0ALICE"


async def test_a_reply_with_an_nhs_number_is_stored_without_it_and_its_author_warned(
    rounds: Rounds,
) -> None:
    reflection, _ = await start(rounds)
    said = f"Bed 4 ({VALID_NHS}) waited six hours"
    body = message_event(said, ts="1700000100.000001", thread_ts=thread_of(reflection))
    await event(rounds, body, "EvNhs")
    await event(rounds, body, "EvNhs", **{"X-Slack-Retry-Num": "1"})  # warned once, not twice
    [warning] = rounds.fake.calls_to("chat.postEphemeral")
    assert warning.params["user"] == "U0ALICE" and warning.params["channel"] == "C0GENERAL"
    assert warning.params["thread_ts"] == reflection.thread
    assert "an NHS number" in words(warning.params)
    [stored] = await contributions(rounds, reflection)
    assert stored.text == f"Bed 4 ({m.REDACTED}) waited six hours"


async def test_a_number_whose_check_digit_fails_is_not_an_nhs_number(rounds: Rounds) -> None:
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, f"Extension {INVALID_NHS} is the bleep desk", 1)
    [stored] = await contributions(rounds, reflection)
    assert INVALID_NHS in stored.text
    assert rounds.fake.calls_to("chat.postEphemeral") == []


async def test_a_reply_naming_a_patient_is_warned_and_the_summary_leaves_the_name_out(
    rounds: Rounds,
) -> None:
    reflection, _ = await start(rounds)
    named = "Patient John Smith waited all night on the discharge plan"
    await reply(rounds, reflection, named, 1, user="U0BOB")
    await reply(rounds, reflection, "mrs jones and the discharge plan again", 2, user="U0CARA")
    bob, cara = rounds.fake.calls_to("chat.postEphemeral")
    assert (bob.params["user"], cara.params["user"]) == ("U0BOB", "U0CARA")
    assert bob.params["thread_ts"] == reflection.thread
    assert "a person's name" in words(bob.params) and "a person's name" in words(cara.params)
    first, _second = await contributions(rounds, reflection)
    assert first.text == named  # kept in the stored copy
    await command(rounds, "reflect close")
    in_thread = rounds.fake.calls_to("chat.postMessage")
    summary, _evaluation = [c for c in in_thread if c.params.get("thread_ts") == reflection.thread]
    posted = words(summary.params)
    assert "Summary:" in posted and "discharge plan" in posted
    for name in ("john", "smith", "jones"):
        assert name not in posted.lower(), name


# Contributing anonymously


async def test_contribute_anonymously_opens_a_form_with_the_trigger(rounds: Rounds) -> None:
    reflection, opening = await start(rounds)
    pressed = await press(rounds, opening, m.BUTTON_ANONYMOUS, "U0BOB", "bob")
    [opened] = rounds.fake.calls_to("views.open")
    assert opened.params["trigger_id"] == pressed["trigger_id"]
    view = opened.params["view"]
    assert view["type"] == "modal" and view["callback_id"] == "reflect.anonymous.submit"
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"value": str(reflection.id), "channel": "C0GENERAL", "team": TEAM_ID}
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["block_id"] == FORM_BLOCK and field["element"]["action_id"] == FORM_INPUT
    assert field["element"]["multiline"] is True and "initial_value" not in field["element"]
    assert "Rounds stores no name" in json.dumps(view["blocks"], ensure_ascii=False)
    assert "U0BOB" not in json.dumps(view) and "bob" not in json.dumps(view)
    valid_view(view)
    assert answers_at(rounds, pressed) == []  # the public post is left alone


async def test_a_form_that_slack_will_not_open_is_explained(rounds: Rounds) -> None:
    _, opening = await start(rounds)
    rounds.fake.fail("views.open", 500, times=10)
    pressed = await press(rounds, opening, m.BUTTON_ANONYMOUS, "U0BOB", "bob")
    [answer] = answers_at(rounds, pressed)
    assert answer["text"] == slack_text.FORM_FAILED and answer["replace_original"] is False


async def test_an_anonymous_contribution_is_posted_and_leaves_no_trace_of_its_author(
    rounds: Rounds, caplog: pytest.LogCaptureFixture
) -> None:
    reflection, opening = await start(rounds)
    with caplog.at_level(logging.DEBUG):
        view = await open_form(rounds, opening)
        answer = await submit(rounds, view, TYPED)
    assert answer["response_action"] == "update"
    assert m.ANONYMOUS_DONE.format(id=reflection.id) in words(answer["view"])
    valid_view(answer["view"])
    _opening, posted = rounds.fake.calls_to("chat.postMessage")
    assert posted.params["thread_ts"] == reflection.thread
    assert m.ANONYMOUS_HEADING in words(posted.params) and TYPED in words(posted.params)
    [stored] = await contributions(rounds, reflection)
    assert (stored.author, stored.author_name, stored.text) == (None, None, TYPED)
    await no_trace(rounds, caplog)


async def no_trace(rounds: Rounds, caplog: pytest.LogCaptureFixture) -> None:
    stored = await everything_stored(store(rounds))
    assert TYPED in stored  # the scan reads the contributions
    sent_to_slack = [c for c in rounds.fake.calls if c.method != "response_url"]
    assert caplog.records, "nothing was logged at all"
    for secret in (HIDDEN_ID, HIDDEN_USERNAME, HIDDEN_NAME):
        assert secret not in stored
        assert secret not in caplog.text
        assert not [c.method for c in sent_to_slack if secret in json.dumps(c.params)]
    # What people write is not logged either, even at DEBUG (SQLite's driver would log
    # its SQL parameters; the store holds it back).
    written = [r.name for r in caplog.records if TYPED in r.getMessage()]
    assert written == [], written


async def test_over_socket_mode_an_anonymous_contribution_leaves_no_trace_in_the_logs(
    library: Library,
    index: LookupIndex,
    fake: FakeSlack,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Socket Mode logs every envelope at DEBUG through bolt's logger, unless it is held."""
    settings = slack_settings(fake, tmp_path / "r.db", slack_signing_secret=None)
    async with running(library, index, settings, fake, socket_mode=True) as rounds:
        await fake.wait_for_socket()
        sent = await fake.socket_send(
            "slash_commands", slash_payload("reflect start manager-medic", "")
        )
        assert "is open" in words((await fake.socket_ack(sent))["payload"])
        [opening] = (c.params for c in await fake.wait_for("chat.postMessage"))
        [reflection] = await store(rounds).reflections.in_channel(GENERAL)
        action_id, value = buttons(opening)[m.BUTTON_ANONYMOUS]
        pressed = block_actions_payload(
            action_id, value, fake.response_url(), HIDDEN_ID, HIDDEN_USERNAME, ephemeral=False
        )
        with caplog.at_level(logging.DEBUG):
            await fake.socket_ack(await fake.socket_send("interactive", pressed))
            [opened] = await fake.wait_for("views.open")
            sent = await fake.socket_send("interactive", submission(opened.params["view"], TYPED))
            answer = (await fake.socket_ack(sent))["payload"]
            await settle(rounds)
        assert answer["response_action"] == "update"
        [stored] = await contributions(rounds, reflection)
        assert stored.author is None and stored.text == TYPED
        await no_trace(rounds, caplog)


async def test_an_anonymous_contribution_with_an_nhs_number_keeps_the_form_open(
    rounds: Rounds,
) -> None:
    reflection, opening = await start(rounds)
    view = await open_form(rounds, opening)
    answer = await submit(rounds, view, f"The patient {VALID_NHS} was moved twice")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {FORM_BLOCK} and "NHS number" in answer["errors"][FORM_BLOCK]
    assert len(rounds.fake.calls_to("chat.postMessage")) == 1  # the opening only
    assert await contributions(rounds, reflection) == []


async def test_a_slow_submission_shows_progress_then_the_outcome(rounds: Rounds) -> None:
    reflection, opening = await start(rounds)
    view = await open_form(rounds, opening)
    assert rounds.server.slack is not None
    rounds.server.slack.ack_budget = 0.0  # Slack cannot wait for anything
    payload = submission(view, TYPED)
    answer = await rounds.send(interactive(payload))
    assert answer["response_action"] == "update"
    assert slack_text.FORM_WORKING in words(answer["view"])
    await settle(rounds)
    [updated] = rounds.fake.calls_to("views.update")
    assert updated.params["view_id"] == payload["view"]["id"]
    assert m.ANONYMOUS_DONE.format(id=reflection.id) in words(updated.params["view"])
    assert len(await contributions(rounds, reflection)) == 1


async def test_a_slow_submission_that_fails_gives_the_text_back(rounds: Rounds) -> None:
    reflection, opening = await start(rounds)
    view = await open_form(rounds, opening)
    assert rounds.server.slack is not None
    rounds.server.slack.ack_budget = 0.0
    rounds.fake.channel_error("C0GENERAL", "is_archived")
    await submit(rounds, view, TYPED)
    [updated] = rounds.fake.calls_to("views.update")
    shown = updated.params["view"]
    [field] = [b for b in shown["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == TYPED
    assert "could not be posted" in words(shown) and "is_archived" in words(shown)
    valid_view(shown)
    assert await contributions(rounds, reflection) == []


async def test_a_form_rounds_did_not_open_changes_nothing(rounds: Rounds) -> None:
    reflection, opening = await start(rounds)
    view = await open_form(rounds, opening)
    answer = await submit(rounds, {**view, "callback_id": "someone.elses.form"}, TYPED)
    assert answer == {}
    assert await contributions(rounds, reflection) == []


# The facilitator's buttons and commands


async def test_next_in_the_private_controls_posts_the_question_in_the_thread(
    rounds: Rounds,
) -> None:
    """The facilitator's controls stay theirs: pressing Next posts the question in the thread
    (the core's own post) and replaces the controls with the outcome and the controls again;
    nothing else is posted where others could see it."""
    reflection, _opening, controls = await facilitate(rounds)
    pressed = await press_private(rounds, controls, m.BUTTON_NEXT)
    _opening_post, question = rounds.fake.calls_to("chat.postMessage")
    assert question.params["thread_ts"] == reflection.thread
    assert "(Q2 of 3)" in words(question.params)
    assert set(buttons(question.params)) == {m.BUTTON_ANONYMOUS}
    [answer] = answers_at(rounds, pressed)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is True
    assert "Posted Q2 of 3" in words(answer)
    assert set(buttons(answer)) == {m.BUTTON_NEXT, m.BUTTON_CLOSE}
    valid(answer)
    assert rounds.fake.calls_to("chat.postEphemeral") == []
    pressed = await press_private(rounds, answer, m.BUTTON_NEXT)  # Q3 of 3: the last
    [last] = answers_at(rounds, pressed)
    assert set(buttons(last)) == {m.BUTTON_CLOSE} and last["replace_original"] is True
    assert len(rounds.fake.calls_to("chat.postMessage")) == 3


async def test_only_the_facilitator_may_close_and_others_are_told_politely(
    rounds: Rounds,
) -> None:
    """Bob never sees the controls; a press made up from them is still refused."""
    reflection, _opening, controls = await facilitate(rounds)
    pressed = await press_private(rounds, controls, m.BUTTON_CLOSE, "U0BOB")
    [answer] = answers_at(rounds, pressed)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == m.REFLECT_NOT_ALLOWED
    found = await store(rounds).reflections.get(reflection.id)
    assert found is not None and found.state == OPEN
    assert len(rounds.fake.calls_to("chat.postMessage")) == 1  # no summary
    assert rounds.fake.calls_to("conversations.open") == []


async def test_closing_posts_the_summary_and_sends_the_transcript_as_a_file_in_a_dm(
    rounds: Rounds,
) -> None:
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, "Handover is where we lose each other", 1, user="U0BOB")
    answer = await command(rounds, "reflect close")
    assert m.REFLECT_CLOSE_DONE.format(id=reflection.id) in words(answer)
    _opening, summary, evaluation, letter = rounds.fake.calls_to("chat.postMessage")
    assert evaluation.params["thread_ts"] == reflection.thread  # tests/test_evaluation.py
    assert summary.params["thread_ts"] == reflection.thread
    assert "Summary: Manager–medic" in words(summary.params)
    [opened] = rounds.fake.calls_to("conversations.open")
    assert opened.params["users"] == "U0ALICE"
    assert letter.params["channel"] == "D0U0ALICE"  # the file's own message, to delete later
    assert letter.params["text"].startswith(f"Transcript of reflection #{reflection.id}")
    [upload] = rounds.fake.shared_files()
    assert upload.channel == "D0U0ALICE" and upload.filename.endswith(".md")
    assert upload.content is not None
    assert "Handover is where we lose each other" in upload.content.decode()
    found = await store(rounds).reflections.get(reflection.id)
    assert found is not None and found.state == CLOSED
    await reply(rounds, reflection, "one more thought", 2, user="U0BOB")
    [closed] = rounds.fake.calls_to("chat.postEphemeral")
    assert closed.params["user"] == "U0BOB" and closed.params["thread_ts"] == reflection.thread
    assert "has closed" in words(closed.params)
    assert len(await contributions(rounds, reflection)) == 1


# Direct messages (the outbound port)


@pytest.fixture
async def outbox(fake: FakeSlack) -> AsyncIterator[SlackOutbox]:
    box = SlackOutbox(fake.bot_token, fake.api_url, FAST_RETRIES)
    yield box
    await box.close()


LETTER = Reply(kind="transcript", blocks=(Paragraph.of("Your transcript"),), summary="Yours")
WHERE = Conversation("slack", "C0GENERAL", TEAM_ID)


async def test_a_direct_message_without_a_file_is_posted_in_the_dm(
    fake: FakeSlack, outbox: SlackOutbox
) -> None:
    await outbox.send_direct(WHERE, Person("U0ALICE"), LETTER)
    [post] = fake.calls_to("chat.postMessage")
    assert post.params["channel"] == "D0U0ALICE" and "Your transcript" in words(post.params)
    assert fake.uploads == {}


@pytest.mark.parametrize("error", ["user_not_found", "cannot_dm_bot"])
async def test_a_person_who_cannot_be_messaged_is_a_permanent_error(
    fake: FakeSlack, outbox: SlackOutbox, error: str
) -> None:
    fake.user_error("U0GONE", error)
    with pytest.raises(DeliveryError) as raised:
        await outbox.send_direct(WHERE, Person("U0GONE"), LETTER, File("t.md", "# t"))
    assert raised.value.permanent and raised.value.reason == f"slack: {error}"
    assert fake.bot_token not in str(raised.value)
    assert fake.calls_to("files.getUploadURLExternal") == []


async def test_a_failed_upload_is_a_temporary_error(fake: FakeSlack, outbox: SlackOutbox) -> None:
    fake.fail("upload", 500, times=10)
    with pytest.raises(DeliveryError) as raised:
        await outbox.send_direct(WHERE, Person("U0ALICE"), LETTER, File("t.md", "# secret"))
    assert not raised.value.permanent and "secret" not in raised.value.reason
    assert fake.bot_token not in str(raised.value)
    assert fake.calls_to("files.completeUploadExternal") == []


# The form itself


def test_a_submitted_form_reaches_the_bot_without_its_sender() -> None:
    view = {"callback_id": "reflect.anonymous.submit", "private_metadata": "{}"}
    values = {FORM_BLOCK: {FORM_INPUT: {"type": "plain_text_input", "value": TYPED}}}
    metadata = json.dumps({"value": "3", "channel": "C0GENERAL", "team": TEAM_ID})
    payload = view_submission_payload(view["callback_id"], metadata, values, user=HIDDEN_ID)
    action = form_event(payload["view"], FORMS)
    assert action is not None and action.person == Person("")
    assert (action.action, action.value, action.text) == (view["callback_id"], "3", TYPED)
    assert action.conversation == Conversation("slack", "C0GENERAL", TEAM_ID)
    assert form_event({**payload["view"], "private_metadata": "not json"}, FORMS) is None


def test_the_form_keeps_slacks_limits_and_what_was_typed() -> None:
    data = {
        "submit": "reflect.anonymous.submit",
        "value": "7",
        "title": "A title far longer than Slack allows for a modal",
        "label": "Your contribution",
        "button": "Post anonymously",
        "initial": "x" * 5000,
        "error": "",
    }
    form = Reply(kind="form", blocks=(Paragraph.of("Intro"),), form=Form(**data))
    view = form_view(form, "C0GENERAL", TEAM_ID, "Cancel")
    valid_view(view)
    assert len(view["title"]["text"]) <= 24
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["element"]["initial_value"] == "x" * 3000
