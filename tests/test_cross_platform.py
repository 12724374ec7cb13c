"""One Rounds serving Slack and Teams at once, over real HTTP: a person is (platform,
workspace, user id), so a Teams user whose id equals a Slack user's is someone else. Signed
Slack requests into `/slack/events` with the fake Slack, Teams activities into
`/api/messages` (emulator mode) with the fake Bot Connector, the store read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import actions
from bot import messages as m
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.store.reflections import OPEN, Reflection
from bot.store.schema import schedules
from tests.fakes.connector import FakeConnector, Sent
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import JSON, TEAM_ID, event_callback, message_event
from tests.fakes.teams_activities import card_submit, channel_message, personal_message
from tests.slack_harness import Rounds, running, slack_settings
from tests.slack_harness import words as slack_words
from tests.teams_harness import Teams
from tests.test_slack_reflect import GENERAL, command, settle, store
from tests.test_teams import words
from tests.test_teams_reflect import deliver

SLACK_USER = "U123"  # the Slack facilitator
KEY = f"slack:{TEAM_ID}:{SLACK_USER}"  # how the store names them


@pytest.fixture
async def both(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Rounds]:
    settings = slack_settings(fake, tmp_path / "both.db", teams_emulator=True)
    async with running(library, index, settings, fake, scheduler=False) as rounds:
        yield rounds


def teams_of(rounds: Rounds, connector: FakeConnector) -> Teams:
    return Teams(rounds.server, rounds.http, connector)


def as_teams_user(activity: dict[str, Any], user: str, tenant: str) -> dict[str, Any]:
    """The activity from a Teams user whose Entra object id is `user`, in a tenant whose id
    is `tenant` (here the Slack workspace's: the closest a Teams user can come)."""
    activity["from"]["aadObjectId"] = user
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"]["tenant"] = {"id": tenant}
    return activity


def refused(answer: list[Sent]) -> bool:
    """Teams was told no: the thread is not theirs to see, or not theirs to run."""
    said = " ".join(words(s) for s in answer)
    return "There is no reflection #" in said or "Only this reflection's facilitator" in said


async def slack_reflection(rounds: Rounds) -> Reflection:
    """U123 opens a reflection in Slack and replies in its thread."""
    await command(rounds, "reflect start manager-medic", user=SLACK_USER)
    [found] = await store(rounds).reflections.in_channel(GENERAL)
    assert found.thread is not None
    said = message_event("Mine, from Slack.", user=SLACK_USER, ts="1700000100.000001")
    said["thread_ts"] = found.thread
    assert await rounds.send(event_callback(said, "Ev-mine"), JSON) == {}
    await settle(rounds)
    return found


async def test_a_teams_user_with_the_slack_facilitators_id_can_do_nothing_to_the_thread(
    both: Rounds, connector: FakeConnector
) -> None:
    found = await slack_reflection(both)
    teams = teams_of(both, connector)
    ident = str(found.id)
    for action in (actions.REFLECT_CLOSE, actions.REFLECT_NEXT):
        pressed = card_submit({"rounds": action, "value": ident}, connector.url)
        answer = await deliver(teams, as_teams_user(pressed, SLACK_USER, TEAM_ID))
        assert refused(answer)
    for typed in (f"reflect close #{ident}", f"reflect next #{ident}", f"reflect export #{ident}"):
        message = channel_message(typed, connector.url)
        answer = await deliver(teams, as_teams_user(message, SLACK_USER, TEAM_ID))
        assert refused(answer)
    still = await store(both).reflections.get(found.id)
    assert still is not None and (still.state, still.step) == (OPEN, 0)
    assert still.facilitator == KEY
    assert len(both.fake.calls_to("chat.postMessage")) == 1  # the opening only: no summary
    assert (
        both.fake.calls_to("files.uploadV2") == []
        and both.fake.calls_to("conversations.open") == []
    )


async def test_forget_me_in_teams_leaves_the_slack_user_with_the_same_id_alone(
    both: Rounds, connector: FakeConnector
) -> None:
    found = await slack_reflection(both)
    await command(both, "schedule weekly monday 09:00", user=SLACK_USER)
    teams = teams_of(both, connector)
    forget = personal_message("forget-me", connector.url)
    answer = await deliver(teams, as_teams_user(forget, SLACK_USER, TEAM_ID))
    said = " ".join(words(s) for s in answer)  # only the Teams 1:1 chat it was typed in
    assert m.FORGET_REFERENCES.format(count=1) in said and "Your named" not in said
    [contribution] = await store(both).reflections.contributions(found.id)
    assert (contribution.author, contribution.text) == (KEY, "Mine, from Slack.")
    kept = await store(both).reflections.get(found.id)
    assert kept is not None and kept.facilitator == KEY
    assert await created_by(both) == KEY
    erased = await command(both, "forget-me confirm", user=SLACK_USER)  # in Slack: it is them
    assert "Your name as facilitator, on reflection threads: 1." in slack_words(erased)
    assert await store(both).reflections.contributions(found.id) == []
    assert await created_by(both) is None


async def created_by(rounds: Rounds) -> str | None:
    async with store(rounds).engine.connect() as conn:
        found: str | None = (await conn.execute(select(schedules.c.created_by))).scalar_one()
    return found
