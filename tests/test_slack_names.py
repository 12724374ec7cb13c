"""People's names in a reflection's transcript (`users.info`, through the outbound port's
`names`), and what a shared page of lookup results says was searched: over real HTTP into
`/slack/events`, the real slack_sdk client talking to the fake Slack, and through the core
with the in-memory outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import display_name
from bot import messages as m
from bot.content.model import Library
from bot.events import Message, Person
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox
from bot.reflect.summary import named_people
from bot.store import Store
from bot.store.reflections import Contribution
from tests.conftest import text_of
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import block_actions
from tests.slack_harness import Rounds, buttons, words
from tests.test_reflect import CHANNEL, World, make_world
from tests.test_slack import answers_at, command
from tests.test_slack_reflect import (
    HIDDEN_ID,
    HIDDEN_NAME,
    TYPED,
    open_form,
    reply,
    start,
    submit,
)
from tests.test_slack_reflect import command as reflect_command

# Slack transcripts: display names from users.info


def members(fake: FakeSlack) -> None:
    """Bob set a display name; Carol only her real name; Dave is unknown to users.info; the
    anonymous contributor has a name Slack would give, were Rounds ever to ask."""
    fake.add_user("U0BOB", "bob.b", real_name="Robert Brown", display_name="Bob B.")
    fake.add_user("U0CAROL", "carol.j", real_name="Carol Jones")
    fake.add_user(HIDDEN_ID, "hidden.person", real_name=HIDDEN_NAME, display_name=HIDDEN_NAME)


async def transcript_of(rounds: Rounds, count: int = 1) -> str:
    files = rounds.fake.shared_files()
    assert len(files) == count, files
    content = files[-1].content
    assert content is not None
    return content.decode()


async def test_a_slack_transcript_names_people_by_display_name_never_the_anonymous(
    rounds: Rounds,
) -> None:
    members(rounds.fake)
    reflection, opening = await start(rounds)
    await reply(rounds, reflection, "Handover is where we lose each other", 1, user="U0BOB")
    await reply(rounds, reflection, "Night shifts hear about changes last", 2, user="U0CAROL")
    await reply(rounds, reflection, "We could share the rota earlier", 3, user="U0DAVE")
    await submit(rounds, await open_form(rounds, opening), TYPED)
    await reflect_command(rounds, "reflect close")
    text = await transcript_of(rounds)
    assert "- **Bob B.**: Handover is where we lose each other" in text
    assert "- **Carol Jones**: Night shifts hear about changes last" in text
    assert "- **U0DAVE**: We could share the rota earlier" in text  # Slack could not say
    assert TYPED in text and HIDDEN_NAME not in text and HIDDEN_ID not in text
    asked = [c.params["user"] for c in rounds.fake.calls_to("users.info")]
    assert sorted(asked) == ["U0BOB", "U0CAROL", "U0DAVE"]  # each once; never the anonymous
    # the summary in the channel names no one
    summary = rounds.fake.calls_to("chat.postMessage")[-2]
    assert summary.params["thread_ts"] == reflection.thread
    assert "Bob B." not in words(summary.params) and "Carol" not in words(summary.params)


async def test_names_are_remembered_and_unknown_people_asked_again(rounds: Rounds) -> None:
    members(rounds.fake)
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, "Handover is where we lose each other", 1, user="U0BOB")
    await reply(rounds, reflection, "We could share the rota earlier", 2, user="U0DAVE")
    await reflect_command(rounds, "reflect close")
    await reflect_command(rounds, f"reflect export {reflection.id}")
    assert "**Bob B.**" in await transcript_of(rounds, 2)
    asked = [c.params["user"] for c in rounds.fake.calls_to("users.info")]
    assert sorted(asked) == ["U0BOB", "U0DAVE", "U0DAVE"]


async def test_without_the_users_read_scope_the_transcript_shows_ids(rounds: Rounds) -> None:
    members(rounds.fake)
    rounds.fake.user_error("U0BOB", "missing_scope")
    reflection, _ = await start(rounds)
    await reply(rounds, reflection, "Handover is where we lose each other", 1, user="U0BOB")
    await reply(rounds, reflection, "Night shifts hear about changes last", 2, user="U0CAROL")
    await reflect_command(rounds, "reflect close")
    text = await transcript_of(rounds)
    assert "- **U0BOB**: Handover" in text and "- **U0CAROL**: Night shifts" in text
    assert len(rounds.fake.calls_to("users.info")) == 1  # a missing scope ends the asking


# the core: the outbound port's names, in the in-memory outbox


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


def contribution(author: str | None, name: str | None = None) -> Contribution:
    return Contribution(
        id=1,
        reflection_id=1,
        step=0,
        author=author,
        author_name=name,
        text="words",
        created_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )


def test_only_named_authors_are_people_to_name() -> None:
    found = [
        contribution("slack:T1:U0BOB"),
        contribution(None),
        contribution("slack:T1:U0BOB"),
        contribution("slack:T1:U0CAROL", "carol"),
    ]
    assert named_people(found) == ["U0BOB", "U0CAROL"]


async def test_the_memory_outbox_names_whom_it_knows(world: World) -> None:
    outbox: MemoryOutbox = world.outbox
    outbox.people["U-nameless"] = "Nia Nameless"
    await world.say("reflect start manager-medic")
    where = replace(CHANNEL, thread=await world.thread())
    for user in ("U-nameless", "U-unknown"):
        event = Message(where, Person(user), f"a thought from {user}", f"m-{user}")
        await world.bot.handle(event)
    await world.reply("Sam's stored name stands", user="sam")
    await world.say("reflect close")
    [sent] = world.direct()
    assert sent.file is not None
    assert "- **Nia Nameless**: a thought from U-nameless" in sent.file.text
    assert "- **U-unknown**: a thought from U-unknown" in sent.file.text
    assert "- **Sam**: Sam's stored name stands" in sent.file.text


# a shared page of lookup results says what was searched


async def test_a_shared_page_of_results_names_the_search(rounds: Rounds) -> None:
    first = await command(rounds, "lookup winter pressures")
    action_id, value = buttons(first)[m.BUTTON_SHARE]
    url = rounds.fake.response_url()
    await rounds.send(block_actions(action_id, value, url))
    shared, _removed = await answers_at(rounds, url, 2)
    assert shared["response_type"] == "in_channel"
    said = words(shared)
    assert "Results for “winter pressures”" in said and "Shared by alice" in said
    assert said.index("Results for") < said.index(" of ")  # it heads the page


async def test_a_shared_page_through_the_core_names_the_search(world: World) -> None:
    answer = await world.say("lookup   triumvirate  ")
    shared = await world.press(answer.buttons[-1].action, answer.buttons[-1].value)
    assert text_of(shared).startswith("Results for “triumvirate”")
    assert "Shared by Fran" in text_of(shared)


def test_the_name_shown_is_the_display_name_then_the_real_name() -> None:
    bob = {"name": "bob.b", "real_name": "Robert Brown"}
    profile = {"display_name": "  Bob   B. ", "real_name": "Robert Brown"}
    assert display_name({**bob, "profile": profile}) == "Bob B."
    assert display_name({**bob, "profile": {**profile, "display_name": " "}}) == "Robert Brown"
    assert display_name({"name": "bob.b", "profile": {}}) == "bob.b"
    assert display_name({"profile": None}) is None and display_name(None) is None


async def test_the_fake_answers_users_info_and_refuses_a_token_as_slack_does(
    fake: FakeSlack,
) -> None:
    fake.add_user("U0BOB", "bob.b", real_name="Robert Brown", display_name="Bob B.")
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    user = (await client.users_info(user="U0BOB"))["user"]
    assert (user["id"], user["name"], user["real_name"]) == ("U0BOB", "bob.b", "Robert Brown")
    assert user["profile"]["display_name"] == "Bob B."
    with pytest.raises(SlackApiError) as unknown:
        await client.users_info(user="U0NOBODY")
    assert unknown.value.response["error"] == "user_not_found"
    fake.refuse(fake.bot_token, "account_inactive")
    with pytest.raises(SlackApiError) as refused:
        await client.auth_test()
    assert refused.value.response["error"] == "account_inactive"


async def test_a_shared_search_holding_an_identifier_does_not_repeat_it(rounds: Rounds) -> None:
    """The search's words go to the channel only when they carry no patient identifier: an
    NHS number (or a name, a date of birth, a postcode) typed into a lookup stays private."""
    first = await command(rounds, "lookup wintr 943 476 5919")  # corrected: a note says so
    action_id, value = buttons(first)[m.BUTTON_SHARE]
    url = rounds.fake.response_url()
    await rounds.send(block_actions(action_id, value, url))
    shared, _removed = await answers_at(rounds, url, 2)
    said = words(shared)
    assert shared["response_type"] == "in_channel" and "Results of a search" in said
    assert "943" not in said and "5919" not in said and "Shared by alice" in said
