"""Reflection threads in Microsoft Teams, over real HTTP: activities shaped like Teams sends
them into `/api/messages`, botbuilder's real connector client talking to a fake Bot Connector,
the database read back through the store."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import inspect

from adapters.teams.cards import INPUT
from adapters.teams.check import problems
from adapters.teams.fit import MAX_ACTIVITY_BYTES, markdown_pages, size
from adapters.teams.translate import dialog_event, to_event
from bot import actions
from bot import messages as m
from bot.events import Action, Conversation, Person
from bot.outbox import DeliveryError, File
from bot.replies import Heading, Reply
from bot.store import Store
from bot.store.reflections import CLOSED, OPEN, Contribution, Reflection
from tests.fakes.connector import Sent
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    TENANT_ID,
    USER_ID,
    aad_object_id,
    card_submit,
    channel_message,
    message_deleted,
    personal_conversation_id,
    task_fetch,
    task_submit,
)
from tests.teams_harness import Teams, card_elements, card_text, element_text
from tests.test_teams import message_id, submit_of, words

CHANNEL = Conversation("teams", CHANNEL_ID, TENANT_ID)
ANON, ANON_NAME = "29:quinn", "Quinn Private"  # who contributes anonymously
BOB, BOB_NAME = "29:bob", "Bob Other"  # neither facilitator nor admin
NHS_NUMBER = "943 476 5919"  # a valid check digit
NOT_NHS_NUMBER = "943 476 5918"  # the same digits with a failing check digit
POSTS = ("send_to_conversation", "reply_to_activity", "create_conversation", "update_activity")


def cards(sent: Sent) -> list[dict[str, Any]]:
    """The cards of a message, or of the first message of a new thread."""
    activity = sent.activity.get("activity", sent.activity)
    return [a["content"] for a in activity.get("attachments", [])]


def store_of(teams: Teams) -> Store:
    return teams.server.bot.ctx.store


async def deliver(teams: Teams, activity: dict[str, Any]) -> list[Sent]:
    """Post an activity; the turn is over when Teams gets its answer. What the bot sent."""
    before = len(teams.fake.sent)
    response = await teams.post(activity)
    assert response.status in (200, 201), response.status
    return teams.fake.sent[before:]


def in_thread(sent: list[Sent], root: str) -> list[Sent]:
    thread = f"{CHANNEL_ID};messageid={root}"
    return [s for s in sent if s.conversation_id == thread and s.method in POSTS]


def chats(sent: list[Sent]) -> list[Sent]:
    """The messages sent into any 1:1 chat."""
    messages = ("send_to_conversation", "reply_to_activity")
    return [s for s in sent if s.conversation_id.startswith("a:") and s.method in messages]


def submit(value: str, text: str, action: str = actions.ANONYMOUS_SUBMIT) -> dict[str, Any]:
    """What Teams sends back for the form: the button's data with the text box's input."""
    return {"rounds": action, "value": value, INPUT: text}


async def start(teams: Teams) -> tuple[Reflection, Sent]:
    """`@Rounds reflect start manager-medic`; the reflection and its opening post."""
    sent = await deliver(teams, channel_message("reflect start manager-medic", teams.fake.url))
    created = [s for s in sent if s.method == "create_conversation"]
    [opening] = [s for s in created if s.conversation_id == CHANNEL_ID]
    [found] = await store_of(teams).reflections.in_channel(CHANNEL.key)
    return found, opening


async def contributions(teams: Teams, reflection: Reflection) -> list[Contribution]:
    return await store_of(teams).reflections.contributions(reflection.id)


def anonymous_button(opening: Sent) -> dict[str, Any]:
    """The card's *Contribute anonymously*: an Action.Submit that opens a dialog."""
    [card] = cards(opening)
    found = [a for a in card["actions"] if a["data"].get("msteams") == {"type": "task/fetch"}]
    assert len(found) == 1 and found[0]["type"] == "Action.Submit"
    return dict(found[0])


@dataclass
class Dialog:
    """A dialog's answer (the invoke's HTTP response) and what the bot sent meanwhile."""

    status: int
    body: dict[str, Any]
    sent: list[Sent]

    @property
    def form(self) -> dict[str, Any]:
        """The card of a `continue` answer: the form shown in the dialog."""
        assert self.body["task"]["type"] == "continue", self.body
        card: dict[str, Any] = self.body["task"]["value"]["card"]["content"]
        return card

    @property
    def message(self) -> str:
        """The text of a `message` answer: shown in place of the dialog."""
        assert self.body["task"]["type"] == "message", self.body
        return str(self.body["task"]["value"])


async def ask(teams: Teams, activity: dict[str, Any]) -> Dialog:
    """Post a `task/fetch` or `task/submit` invoke: the answer Teams gets, and what was sent."""
    before = len(teams.fake.sent)
    async with teams.http.post(teams.url, json=activity) as response:
        body = await response.json()
        status = response.status
    return Dialog(status, body, teams.fake.sent[before:])


async def opened(teams: Teams, reflection: Reflection, opening: Sent) -> Dialog:
    """*Contribute anonymously* pressed on the opening card, by Quinn."""
    data = anonymous_button(opening)["data"]
    fetch = task_fetch(data, teams.fake.url, str(reflection.thread), ANON, ANON_NAME)
    return await ask(teams, fetch)


async def sent_in(teams: Teams, reflection: Reflection, form: dict[str, Any], text: str) -> Dialog:
    """The dialog's form sent by Quinn with `text` typed in its box."""
    [send] = form["actions"]
    data = {**send["data"], INPUT: text}
    return await ask(teams, task_submit(data, teams.fake.url, str(reflection.thread), ANON))


def box_of(form: dict[str, Any]) -> dict[str, Any]:
    [box] = [e for e in form["body"] if e["type"] == "Input.Text"]
    return dict(box)


def errors_of(form: dict[str, Any]) -> list[str]:
    """The reasons shown in words (in colour too) above the text box."""
    return [
        str(element_text(e))
        for e in form["body"]
        if e["type"] == "RichTextBlock" and all(r.get("color") == "Attention" for r in e["inlines"])
    ]


def others_chats(teams: Teams) -> dict[str, str]:
    """The 1:1 chats opened with anyone but the facilitator (who has the thread's controls
    in theirs)."""
    return {chat: user for chat, user in teams.fake.chats.items() if user != USER_ID}


async def database_text(store: Store) -> str:
    """Every value in every column of every table, as text."""
    values: list[str] = []
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            rows = (await conn.exec_driver_sql(f'SELECT * FROM "{table}"')).all()
            values += [repr(value) for row in rows for value in row]
    assert len(tables) >= 5 and values
    return "\n".join(values)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    lines = [f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    return "\n".join(lines) + caplog.text


def identity_in(text: str) -> list[str]:
    """Any trace of the anonymous sender: Teams id, Entra object id, name, 1:1 chat."""
    traces = (ANON, aad_object_id(ANON), ANON_NAME, "quinn", personal_conversation_id(ANON))
    return [trace for trace in traces if trace.lower() in text.lower()]


# Opening


async def test_reflect_start_opens_a_new_thread_whose_anonymous_button_opens_a_dialog(
    teams: Teams,
) -> None:
    reflection, opening = await start(teams)
    assert opening.conversation_id == CHANNEL_ID  # a new post: a new thread in the channel
    assert reflection.thread == opening.response["activityId"]
    assert "Reflection: Manager–medic collaboration" in words(opening)
    [card] = cards(opening)
    assert problems(card) == []
    button = anonymous_button(opening)
    assert button["data"] == {
        "msteams": {"type": "task/fetch"},
        "rounds": actions.REFLECT_ANONYMOUS,
        "value": str(reflection.id),
    }
    assert card["actions"] == [button]  # no inline form, and no facilitator's control
    assert opening.activity["activity"]["summary"]  # the plain-text fallback
    questions = [e for e in card_elements(card) if e.get("size") == "Medium"]
    assert questions and all(run["weight"] == "Bolder" for run in questions)  # to act on
    assert m.REFLECT_HOW in card_text(card).splitlines()


# Contributions


async def test_replies_in_the_thread_without_a_mention_are_contributions(teams: Teams) -> None:
    reflection, _ = await start(teams)
    root = str(reflection.thread)
    reply = channel_message(
        "We met before the ward round.", teams.fake.url, mention=False, reply_to_id=root
    )
    assert await deliver(teams, reply) == []  # nothing is said when all is well
    mention = channel_message("the juniors felt unheard", teams.fake.url, reply_to_id=root)
    assert await deliver(teams, mention) == []
    found = await contributions(teams, reflection)
    assert [c.text for c in found] == ["We met before the ward round.", "the juniors felt unheard"]
    assert {c.author for c in found} == {f"teams:{TENANT_ID}:{aad_object_id(USER_ID)}"}
    elsewhere = channel_message(
        "an unrelated thread", teams.fake.url, mention=False, reply_to_id="1700000000999"
    )
    root_post = channel_message("a new post, not for Rounds", teams.fake.url, mention=False)
    assert await deliver(teams, elsewhere) == [] and await deliver(teams, root_post) == []
    assert len(await contributions(teams, reflection)) == 2


async def test_a_reply_deleted_in_teams_is_deleted_from_the_store(teams: Teams) -> None:
    reflection, _ = await start(teams)
    root = str(reflection.thread)
    kept = channel_message("Kept.", teams.fake.url, mention=False, reply_to_id=root)
    gone = channel_message("Regretted.", teams.fake.url, mention=False, reply_to_id=root)
    await deliver(teams, kept)
    await deliver(teams, gone)
    assert await deliver(teams, message_deleted(gone["id"], root, teams.fake.url)) == []
    assert await deliver(teams, message_deleted(root, root, teams.fake.url)) == []  # the opening
    assert [c.text for c in await contributions(teams, reflection)] == ["Kept."]


async def test_a_named_reply_with_an_nhs_number_is_stored_without_it_and_warned_1_1(
    teams: Teams,
) -> None:
    reflection, _ = await start(teams)
    text = f"The patient {NHS_NUMBER} waited too long"
    reply = channel_message(text, teams.fake.url, BOB, BOB_NAME, False, str(reflection.thread))
    sent = await deliver(teams, reply)
    assert in_thread(sent, str(reflection.thread)) == []  # nothing public
    [warning] = chats(sent)
    assert warning.conversation_id == personal_conversation_id(BOB)
    assert "NHS number" in words(warning)
    [stored] = await contributions(teams, reflection)
    assert NHS_NUMBER not in stored.text and "waited too long" in stored.text


# Anonymous contributions, in a dialog


async def test_contribute_anonymously_opens_the_form_in_a_dialog_and_sends_nothing(
    teams: Teams,
) -> None:
    reflection, opening = await start(teams)
    answer = await opened(teams, reflection, opening)
    assert answer.status == 200 and answer.sent == []  # the form is the invoke's answer
    info = answer.body["task"]["value"]
    assert info["title"] == m.ANONYMOUS_FORM_TITLE and info["height"] and info["width"]
    assert info["card"]["contentType"] == "application/vnd.microsoft.card.adaptive"
    form = answer.form
    assert problems(form) == []
    box = box_of(form)
    assert box["isMultiline"] and box["maxLength"] > 0 and "value" not in box
    assert errors_of(form) == []
    [send] = form["actions"]
    assert send["data"] == {"rounds": actions.ANONYMOUS_SUBMIT, "value": str(reflection.id)}
    assert others_chats(teams) == {} and await contributions(teams, reflection) == []


async def test_an_anonymous_contribution_is_posted_and_stored_with_no_trace_of_who(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reflection, opening = await start(teams)
    root, text = str(reflection.thread), "I was afraid to say the rota was unsafe"
    form = (await opened(teams, reflection, opening)).form
    answer = await sent_in(teams, reflection, form, text)
    assert answer.message == m.ANONYMOUS_DONE.format(id=reflection.id)  # in the dialog only
    [posted] = in_thread(answer.sent, root)
    assert "Anonymous contribution" in words(posted) and text in words(posted)
    assert chats(answer.sent) == [] and others_chats(teams) == {}  # no 1:1 was opened
    assert not [s for s in answer.sent if s.method == "update_activity"]  # the card is untouched
    [stored] = await contributions(teams, reflection)
    assert (stored.text, stored.author, stored.author_name) == (text, None, None)
    assert identity_in(await database_text(store_of(teams))) == []
    assert identity_in(logged(caplog)) == []
    assert any(r.levelno == logging.DEBUG for r in caplog.records)  # the logs were seen


async def test_an_anonymous_nhs_number_is_refused_inside_the_dialog_and_nothing_is_kept(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reflection, opening = await start(teams)
    root, text = str(reflection.thread), f"Bed 4, {NHS_NUMBER}, was moved twice"
    form = (await opened(teams, reflection, opening)).form
    answer = await sent_in(teams, reflection, form, text)
    assert answer.sent == []  # nothing posted, nothing in any chat
    assert teams.fake.direct_to(ANON) == [] and others_chats(teams) == {}
    assert await contributions(teams, reflection) == []
    again = answer.form  # the form again, in the same dialog
    assert problems(again) == []
    assert box_of(again)["value"] == text
    [error] = errors_of(again)
    assert "NHS number" in error  # said in words, not only in colour
    [send] = again["actions"]
    assert send["data"] == {"rounds": actions.ANONYMOUS_SUBMIT, "value": str(reflection.id)}
    assert identity_in(await database_text(store_of(teams))) == []
    assert identity_in(logged(caplog)) == []

    fixed = await sent_in(teams, reflection, again, "Bed 4 was moved twice")
    [posted] = in_thread(fixed.sent, root)
    assert "Bed 4 was moved twice" in words(posted) and chats(fixed.sent) == []
    [stored] = await contributions(teams, reflection)
    assert stored.author is None and identity_in(await database_text(store_of(teams))) == []


async def test_a_closed_reflection_says_so_inside_the_dialog(teams: Teams) -> None:
    reflection, opening = await start(teams)
    form = (await opened(teams, reflection, opening)).form  # opened before the close
    store = store_of(teams).reflections
    assert await store.claim_close(reflection.id) is not None
    await store.finish_close(reflection.id)
    closed = m.REFLECT_CLOSED_ALREADY.format(id=reflection.id)
    answer = await sent_in(teams, reflection, form, "Too late, but true")
    assert answer.sent == [] and teams.fake.direct_to(ANON) == []
    assert errors_of(answer.form) == [closed]  # the reason, in the dialog
    assert box_of(answer.form)["value"] == "Too late, but true"  # the text, kept
    pressed = await opened(teams, reflection, opening)  # the button, pressed after the close
    assert pressed.message == closed and pressed.sent == []
    assert await contributions(teams, reflection) == []


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (ConnectionRefusedError("database down"), m.DATABASE_AWAY),
        (RuntimeError("a bug"), m.ERROR_TITLE),
    ],
)
async def test_an_outage_or_an_error_is_answered_inside_the_dialog(
    teams: Teams, monkeypatch: pytest.MonkeyPatch, fault: Exception, said: str
) -> None:
    reflection, opening = await start(teams)
    form = (await opened(teams, reflection, opening)).form

    async def failing(*args: Any) -> Any:
        raise fault

    monkeypatch.setattr(store_of(teams).reflections, "get", failing)
    answer = await sent_in(teams, reflection, form, "Kept while the database is away")
    assert answer.status == 200 and answer.sent == [] and others_chats(teams) == {}
    [error] = errors_of(answer.form)
    assert said in error and "try again" in error.lower()
    assert box_of(answer.form)["value"] == "Kept while the database is away"
    pressed = await opened(teams, reflection, opening)
    assert said in pressed.message and pressed.sent == []
    monkeypatch.undo()
    assert await contributions(teams, reflection) == []


async def test_a_turn_that_fails_in_the_adapter_still_answers_inside_the_dialog(
    teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    reflection, opening = await start(teams)
    form = (await opened(teams, reflection, opening)).form
    adapter = teams.server.teams
    assert adapter is not None

    async def broken(*args: Any) -> Any:
        raise RuntimeError("a bug in the adapter")

    monkeypatch.setitem(adapter.invokes, "task/submit", broken)
    answer = await sent_in(teams, reflection, form, "Kept through a bug")
    assert answer.status == 200 and answer.sent == [] and others_chats(teams) == {}
    [error] = errors_of(answer.form)
    assert m.ERROR_TITLE in error and box_of(answer.form)["value"] == "Kept through a bug"


async def test_a_failing_check_digit_is_not_taken_for_an_nhs_number(teams: Teams) -> None:
    reflection, opening = await start(teams)
    root, text = str(reflection.thread), f"Extension {NOT_NHS_NUMBER} never answers"
    form = (await opened(teams, reflection, opening)).form
    answer = await sent_in(teams, reflection, form, text)
    [posted] = in_thread(answer.sent, root)
    assert NOT_NHS_NUMBER in words(posted) and chats(answer.sent) == []
    [stored] = await contributions(teams, reflection)
    assert stored.text == text and stored.author is None


async def test_the_inline_form_of_an_older_card_posts_but_never_answers_in_a_chat(
    teams: Teams,
) -> None:
    """Cards posted before the dialog opened the form inside the card (Action.ShowCard),
    with a plain button as its fallback. What they send still posts clean words; any other
    answer (the form, a refusal) would have to go to a 1:1 chat, so it is not sent."""
    reflection, _opening = await start(teams)
    root, ident = str(reflection.thread), str(reflection.id)
    plain = {"rounds": actions.REFLECT_ANONYMOUS, "value": ident}
    for value in (plain, submit(ident, f"Bed 4, {NHS_NUMBER}"), submit(ident, "  ")):
        sent = await deliver(teams, card_submit(value, teams.fake.url, reply_to_id=root, user=BOB))
        assert sent == []
    assert others_chats(teams) == {} and await contributions(teams, reflection) == []
    clean = card_submit(submit(ident, "Still heard"), teams.fake.url, reply_to_id=root, user=BOB)
    [posted] = in_thread(await deliver(teams, clean), root)
    assert "Still heard" in words(posted) and others_chats(teams) == {}


# The facilitator's buttons and commands


@pytest.mark.parametrize("action", [actions.REFLECT_NEXT, actions.REFLECT_CLOSE])
async def test_only_the_facilitator_may_press_next_or_close(teams: Teams, action: str) -> None:
    reflection, _ = await start(teams)
    root = str(reflection.thread)
    data = {"rounds": action, "value": str(reflection.id)}
    sent = await deliver(
        teams, card_submit(data, teams.fake.url, reply_to_id=root, user=BOB, user_name=BOB_NAME)
    )
    assert in_thread(sent, root) == []  # the card is neither replaced nor answered in public
    [refusal] = chats(sent)
    assert refusal.conversation_id == personal_conversation_id(BOB)
    assert "Only this reflection's facilitator" in words(refusal)
    after = await store_of(teams).reflections.get(reflection.id)
    assert after is not None and (after.step, after.state) == (0, OPEN)


async def test_the_facilitator_asks_the_next_question_in_the_thread(teams: Teams) -> None:
    reflection, _ = await start(teams)
    root = str(reflection.thread)
    data = {"rounds": actions.REFLECT_NEXT, "value": str(reflection.id)}
    sent = await deliver(teams, card_submit(data, teams.fake.url, reply_to_id=root))
    [question] = in_thread(sent, root)
    assert "Q2 of 3" in words(question) and question.method != "update_activity"
    [done] = chats(sent)
    assert done.conversation_id == personal_conversation_id(USER_ID)
    assert "Posted Q2 of 3" in words(done)


async def test_reflect_close_posts_the_summary_and_sends_the_transcript_1_1(
    teams: Teams,
) -> None:
    reflection, _ = await start(teams)
    root = str(reflection.thread)
    said = channel_message("Handover was rushed", teams.fake.url, BOB, BOB_NAME, False, root)
    await deliver(teams, said)
    sent = await deliver(teams, channel_message("reflect close", teams.fake.url, reply_to_id=root))
    summary, _evaluation = in_thread(sent, root)  # the evaluation: tests/test_evaluation.py
    assert "Summary: Manager–medic collaboration" in words(summary)
    transcript = [s for s in chats(sent) if s.activity.get("textFormat") == "markdown"]
    assert transcript and all(
        s.conversation_id == personal_conversation_id(USER_ID) for s in chats(sent)
    )
    text = "\n".join(s.activity["text"] for s in transcript)
    assert f"# Reflection #{reflection.id}: Manager–medic collaboration" in text
    assert "Handover was rushed" in text and "Bob Other" in text
    assert any("is closed" in words(s) for s in chats(sent))  # the confirmation, 1:1 too
    after = await store_of(teams).reflections.get(reflection.id)
    assert after is not None and after.state == CLOSED
    late = channel_message("one more thought", teams.fake.url, BOB, BOB_NAME, False, root)
    [closed] = chats(await deliver(teams, late))
    assert closed.conversation_id == personal_conversation_id(BOB) and "closed" in words(closed)


def in_channel(sent: list[Sent]) -> list[Sent]:
    """Everything sent into the channel: new posts and replies in any of its threads."""
    return [s for s in sent if s.conversation_id.startswith(CHANNEL_ID) and s.method in POSTS]


async def test_the_facilitators_controls_come_1_1_and_work_from_there(teams: Teams) -> None:
    """The channel sees the opening with its one button for everyone; the facilitator gets
    Next question and Close and sum up in their 1:1 chat. Pressed there, the thread
    moves on and the answer comes back into that chat, with the controls again; nothing
    about them is posted in the channel, and no one else can use them."""
    sent = await deliver(teams, channel_message("reflect start manager-medic", teams.fake.url))
    [reflection] = await store_of(teams).reflections.in_channel(CHANNEL.key)
    root, chat = str(reflection.thread), personal_conversation_id(USER_ID)
    [opening] = in_channel(sent)
    assert [a["title"] for a in cards(opening)[0]["actions"]] == [m.BUTTON_ANONYMOUS]
    [controls] = chats(sent)
    assert controls.conversation_id == chat
    [card] = cards(controls)
    assert problems(card) == [] and [a["title"] for a in card["actions"]] == [
        m.BUTTON_NEXT,
        m.BUTTON_CLOSE,
    ]
    typed = [r["text"] for r in card_elements(card) if r.get("fontType") == "Monospace"]
    assert f"reflect next #{reflection.id}" in typed  # as typed in a 1:1 chat: no mention

    sent = await deliver(
        teams, card_submit(submit_of(card, m.BUTTON_NEXT), teams.fake.url, personal=True)
    )
    [question] = in_channel(sent)  # the next question, in the thread, and nothing else
    assert question.conversation_id == f"{CHANNEL_ID};messageid={root}"
    assert m.REFLECT_POSITION.format(number=2, total=3) in words(question)
    [again] = chats(sent)
    assert again.conversation_id == chat and problems(cards(again)[0]) == []
    assert [a["title"] for a in cards(again)[0]["actions"]] == [m.BUTTON_NEXT, m.BUTTON_CLOSE]
    after = await store_of(teams).reflections.get(reflection.id)
    assert after is not None and after.step == 1

    data = submit_of(cards(again)[0], m.BUTTON_CLOSE)
    for someone_else in (BOB,):  # the same press from anyone else's 1:1 chat does nothing
        press = card_submit(data, teams.fake.url, personal=True, user=someone_else)
        refused = await deliver(teams, press)
        assert in_channel(refused) == [] and [s.conversation_id for s in chats(refused)] == [
            personal_conversation_id(BOB)
        ]
    still = await store_of(teams).reflections.get(reflection.id)
    assert still is not None and still.state == OPEN

    reply_to = message_id(again)
    sent = await deliver(teams, card_submit(data, teams.fake.url, True, reply_to))
    summary, _evaluation = in_channel(sent)  # the evaluation: tests/test_evaluation.py
    assert summary.conversation_id == f"{CHANNEL_ID};messageid={root}"
    assert chats(sent) and all(s.conversation_id == chat for s in chats(sent))
    closed = await store_of(teams).reflections.get(reflection.id)
    assert closed is not None and closed.state == CLOSED


# The pieces underneath


def test_an_anonymous_submit_reaches_the_core_without_its_sender() -> None:
    activity = card_submit(
        submit("7", "typed"), "http://127.0.0.1:1/", user=ANON, user_name=ANON_NAME
    )
    event = to_event(Activity().deserialize(activity))
    assert isinstance(event, Action)
    assert (event.action, event.value, event.text) == (actions.ANONYMOUS_SUBMIT, "7", "typed")
    assert event.person == Person("")
    named = to_event(
        Activity().deserialize(
            card_submit(submit("7", "x", actions.REFLECT_NEXT), "http://127.0.0.1:1/", user=ANON)
        )
    )
    assert isinstance(named, Action) and named.person.id == aad_object_id(ANON)


def test_a_dialog_reaches_the_core_without_its_sender_and_only_as_the_anonymous_form() -> None:
    url = "http://127.0.0.1:1/"
    sent = task_submit(submit("7", "typed"), url, "1700000000001", ANON, ANON_NAME)
    event = dialog_event(Activity().deserialize(sent))
    assert isinstance(event, Action) and event.person == Person("")
    assert (event.action, event.value, event.text) == (actions.ANONYMOUS_SUBMIT, "7", "typed")
    assert event.conversation == Conversation("teams", CHANNEL_ID, TENANT_ID, "1700000000001")
    pressed = {"msteams": {"type": "task/fetch"}, "rounds": actions.REFLECT_ANONYMOUS, "value": "7"}
    fetched = dialog_event(Activity().deserialize(task_fetch(pressed, url, user=ANON)))
    assert isinstance(fetched, Action) and fetched.person == Person("")
    for wrong in (
        task_fetch(submit("7", "posted at once"), url),  # a fetch never posts
        task_submit(pressed, url),
        task_submit(submit("7", "x", actions.REFLECT_CLOSE), url),  # no other button
        task_submit({"nothing": "of ours"}, url),
        {**task_submit(submit("7", "x"), url), "name": "task/other"},
    ):
        assert dialog_event(Activity().deserialize(wrong)) is None


async def test_a_long_transcript_arrives_in_messages_teams_accepts(teams: Teams) -> None:
    await deliver(teams, channel_message("help", teams.fake.url))  # the channel becomes known
    assert teams.server.teams is not None
    lines = [f"- **Person {n}**: {'é' * 40} {n}" for n in range(250)]
    document = File("reflection-9-long.md", "# Reflection #9\n\n" + "\n".join(lines))
    letter = Reply("transcript", (Heading("Transcript of reflection #9"),), summary="T")
    await teams.server.teams.outbox.send_direct(
        CHANNEL, Person(aad_object_id(USER_ID)), letter, document
    )
    first, *pages = teams.fake.direct_to(USER_ID)
    assert "Transcript of reflection #9" in words(first)
    assert len(pages) > 1
    assert all(p.activity["textFormat"] == "markdown" for p in pages)
    assert all(size(p.activity) < MAX_ACTIVITY_BYTES for p in pages)
    text = "\n".join(p.activity["text"] for p in pages)
    assert text.startswith("`reflection-9-long.md`")
    assert text.splitlines()[2:] == document.text.splitlines()  # every line, whole, in order


async def test_someone_rounds_cannot_reach_is_a_permanent_delivery_error(teams: Teams) -> None:
    await deliver(teams, channel_message("help", teams.fake.url))
    assert teams.server.teams is not None
    note = Reply("x", (Heading("Hello"),), summary="Hello")
    stranger = Person("00000000-0000-0000-0000-0000000dead0")  # not in the team's roster
    with pytest.raises(DeliveryError) as raised:
        await teams.server.teams.outbox.send_direct(CHANNEL, stranger, note)
    assert raised.value.permanent and teams.fake.chats == {}


def test_markdown_is_split_between_lines_and_long_lines_at_spaces() -> None:
    text = "# Title\n\n" + "\n".join(["short line"] * 50) + "\n" + " ".join(["word"] * 400)
    pages = markdown_pages("doc.md", text, budget=600)
    assert pages[0].startswith("`doc.md`\n\n# Title")
    assert all(len(json.dumps(page)) - 2 <= 600 for page in pages)
    assert " ".join(" ".join(pages).split()) == " ".join(f"`doc.md` {text}".split())
    assert all(not page.startswith(" ") and "wor\n" not in page for page in pages)


async def test_an_opening_can_be_withdrawn_from_its_channel(teams: Teams) -> None:
    """What `start` does when the post went out but its id could not be stored."""
    reflection, _opening = await start(teams)
    outbox = teams.server.bot.ctx.outboxes["teams"]
    before = len(teams.fake.sent)
    await outbox.withdraw(CHANNEL, thread_of(reflection))
    [removed] = teams.fake.sent[before:]
    assert removed.method == "delete_activity" and removed.status == 200
    assert removed.reply_to == thread_of(reflection)
    assert removed.conversation_id == f"{CHANNEL_ID};messageid={thread_of(reflection)}"


def thread_of(reflection: Reflection) -> str:
    assert reflection.thread is not None
    return reflection.thread
