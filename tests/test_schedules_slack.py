"""Issue 19's schedule fixes over HTTP: signed Slack slash commands into a running Rounds,
answered in the command's own response (public in the channel, or ephemeral)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages as m
from bot.content.model import Library
from bot.lookup import LookupIndex
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import TEAM_ID, block_actions_payload, interactive, slash_command
from tests.slack_harness import Rounds, buttons, running, slack_settings, words
from tests.test_slack_reflect import settle


async def command(slack: Rounds, line: str) -> dict[str, Any]:
    return await slack.send(slash_command(line, slack.fake.response_url()))


async def test_uk_time_a_replaced_rule_and_repeated_pause_over_slack(slack: Rounds) -> None:
    first = await command(slack, "schedule weekly mon 09:00 GMT")
    assert first["response_type"] == "in_channel"
    assert "Mondays at 09:00 (Europe/London)" in words(first)
    assert "taken as UK time, Europe/London" in words(first)
    second = await command(slack, "schedule weekly thu 12:00 BST")
    assert "It replaces the previous weekly prompt: Mondays at 09:00" in words(second)
    foreign = await command(slack, "schedule weekly thu 12:00 EST")
    assert foreign["response_type"] == "ephemeral" and "America/New_York" in words(foreign)
    assert (await command(slack, "schedule pause"))["response_type"] == "in_channel"
    again = await command(slack, "schedule pause")
    assert again["response_type"] == "ephemeral" and "already paused" in words(again)


async def test_skips_add_up_over_slack(slack: Rounds) -> None:
    await command(slack, "schedule weekly thu 12:00")
    one = await command(slack, "schedule skip")
    two = await command(slack, "schedule skip")
    assert one["response_type"] == two["response_type"] == "in_channel"
    assert "Skipped:" in words(two)  # both, listed
    shown = words(await command(slack, "schedule show"))
    assert shown.count("Thursday") >= 3  # two skipped, and the next post after them
    [found] = await slack.server.bot.ctx.store.schedules.all()
    assert len(found.skips) == 2
    holidays = await command(slack, "schedule holidays")
    assert holidays["response_type"] == "ephemeral"
    assert "posted on bank holidays too" in words(holidays)


ADMINS = frozenset({f"slack:{TEAM_ID}:U0ALICE"})


@pytest.fixture
async def admin_slack(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Rounds]:
    """Rounds served over HTTP to the fake Slack, with U0ALICE its one admin."""
    settings = slack_settings(fake, tmp_path / "a.db", admins=ADMINS)
    async with running(library, index, settings, fake) as slack:
        yield slack


async def said(slack: Rounds, line: str, user: str) -> dict[str, Any]:
    """`line` typed by `user` (a Slack user id) as a slash command."""
    body = slash_command(line, slack.fake.response_url(), user=user, user_name=user.lower())
    return await slack.send(body)


async def test_only_admins_skip_unskip_or_change_holidays_over_slack(admin_slack: Rounds) -> None:
    """The new subcommands are changes like any other: with admins set, someone else's
    `skip`, `unskip` and `holidays off` are refused and change nothing; a bare `holidays`
    only shows, so anyone may ask."""
    slack = admin_slack
    await said(slack, "schedule weekly thu 12:00", "U0ALICE")
    await said(slack, "schedule skip", "U0ALICE")
    [before] = await slack.server.bot.ctx.store.schedules.all()
    for line in ("schedule skip", "schedule unskip", "schedule holidays off"):
        refused = await said(slack, line, "U0BOB")
        assert "Only the people listed as Rounds admins" in words(refused), line
    [after] = await slack.server.bot.ctx.store.schedules.all()
    assert after == before
    assert "bank holidays" in words(await said(slack, "schedule holidays", "U0BOB"))


async def test_the_schedule_cards_buttons_over_slack(admin_slack: Rounds) -> None:
    """`schedule` shows an admin Pause and Skip next, privately; pressed, they pause and
    skip as typed. Someone else sees no buttons, and a Pause forged by them, or naming
    another workspace's schedule, changes nothing."""
    slack, fake = admin_slack, admin_slack.fake

    async def press(action_id: str, value: str, user: str) -> None:
        payload = block_actions_payload(action_id, value, fake.response_url(), user=user)
        assert await slack.send(interactive(payload)) == {}
        await settle(slack)

    await said(slack, "schedule weekly thu 12:00", "U0ALICE")
    assert buttons(await said(slack, "schedule", "U0BOB")) == {}
    card = await said(slack, "schedule", "U0ALICE")
    assert card["response_type"] == "ephemeral"
    assert set(buttons(card)) == {m.BUTTON_PAUSE, m.BUTTON_SKIP_NEXT}
    pause_id, key = buttons(card)[m.BUTTON_PAUSE]
    await press(pause_id, key, "U0BOB")  # forged by someone who may not
    [found] = await slack.server.bot.ctx.store.schedules.all()
    assert not found.paused
    refused = fake.calls_to("response_url")[-1].params
    assert "Only the people listed as Rounds admins" in words(refused)
    await press(pause_id, key.replace(TEAM_ID, "T0OTHER"), "U0ALICE")  # another's schedule
    assert "no longer exists" in words(fake.calls_to("response_url")[-1].params)
    skip_id, key = buttons(card)[m.BUTTON_SKIP_NEXT]
    await press(skip_id, key, "U0ALICE")
    await press(pause_id, key, "U0ALICE")
    [found] = await slack.server.bot.ctx.store.schedules.all()
    assert found.paused and len(found.skips) == 1
    assert set(buttons(await said(slack, "schedule", "U0ALICE"))) == {m.BUTTON_RESUME}
