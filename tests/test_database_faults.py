"""The database going away in the middle of a request, over real HTTP (Slack faked, the
real slack_sdk client): PostgreSQL is reached through a TCP proxy the test cuts, before a
request or between the steps of one. Nothing acknowledged is lost, nothing half-done is
left where people can see it, and what people are told is true."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot import messages as m
from bot.content.model import Library
from bot.handlers.prompts import ROTATION
from bot.lookup import LookupIndex
from bot.store import Store
from bot.store.reflections import CLOSED, Contribution, Reflection
from bot.store.schedules import NewSchedule, ScheduleStore
from rounds.server import Options
from rounds.settings import Settings
from scheduler.service import Scheduler
from tests.conftest import PG_URL, postgres_database
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import JSON, TEAM_ID, event_callback, interactive, message_event
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.teams_activities import channel_message
from tests.slack_harness import Rounds, running, served, slack_settings, words
from tests.teams_harness import Teams
from tests.test_replicas import through
from tests.test_slack_reflect import (
    GENERAL,
    command,
    open_form,
    settle,
    start,
    submission,
    thread_of,
)
from tests.test_teams_reflect import CHANNEL as TEAMS_CHANNEL

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL to run outage tests"
)


@dataclass
class Outage:
    rounds: Rounds
    proxy: TcpProxy
    direct: Store  # the same database, not through the proxy: what is really stored


@asynccontextmanager
async def proxied_postgres() -> AsyncIterator[tuple[str, TcpProxy]]:
    """A new PostgreSQL database and a proxy in front of it that a test can cut."""
    async with postgres_database() as url:
        target = urlsplit(url)
        proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
        await proxy.start()
        try:
            yield url, proxy
        finally:
            await proxy.stop()


@pytest.fixture
async def outage(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Any
) -> AsyncIterator[Outage]:
    async with proxied_postgres() as (url, proxy):
        settings = slack_settings(
            fake, tmp_path / "unused.db", database_url=through(url, proxy.port)
        )
        direct = await Store.open(url, upgrade=False)
        try:
            async with running(library, index, settings, fake, scheduler=False) as rounds:
                yield Outage(rounds, proxy, direct)
        finally:
            await direct.close()


async def stored(outage: Outage, reflection: Reflection) -> list[Contribution]:
    return await outage.direct.reflections.contributions(reflection.id)


async def send_reply(outage: Outage, body: dict[str, Any], **headers: str) -> int:
    rounds = outage.rounds
    signed = event_callback(body, "EvOutage1")
    response = await rounds.post(signed, JSON, headers)
    await settle(rounds)
    return response.status


async def test_a_reply_the_database_cannot_take_gets_500_and_is_kept_when_slack_resends(
    outage: Outage,
) -> None:
    reflection, _opening = await start(outage.rounds)
    said = "We never hear from the night team until something breaks."
    body = message_event(
        said, user="U0BOB", ts="1700000200.000001", thread_ts=thread_of(reflection)
    )
    posts_before = len(outage.rounds.fake.calls)

    await outage.proxy.stop()
    assert await send_reply(outage, body) == 500  # Slack will send it again
    assert len(outage.rounds.fake.calls) == posts_before  # nothing said in the thread
    await outage.proxy.start()
    assert await stored(outage, reflection) == []

    for retry in ("1", "2"):  # Slack's next try is stored; one more changes nothing
        status = await send_reply(outage, body, **{"X-Slack-Retry-Num": retry})
        assert status == 200
    [kept] = await stored(outage, reflection)
    assert (kept.text, kept.author) == (said, f"slack:{TEAM_ID}:U0BOB")


async def test_on_slacks_last_try_the_person_is_told_their_reply_was_not_kept(
    outage: Outage,
) -> None:
    reflection, _opening = await start(outage.rounds)
    body = message_event(
        "A reply.", user="U0BOB", ts="1700000200.000002", thread_ts=thread_of(reflection)
    )
    await outage.proxy.stop()
    assert await send_reply(outage, body, **{"X-Slack-Retry-Num": "3"}) == 200
    await outage.proxy.start()
    [told] = outage.rounds.fake.calls_to("chat.postEphemeral")
    assert told.params["user"] == "U0BOB" and m.DATABASE_AWAY in words(told.params)
    assert await stored(outage, reflection) == []


async def cut_when_posted(outage: Outage) -> None:
    """Cut the database once Slack has the post (the fake holds its answer back a moment)."""
    count = len(outage.rounds.fake.calls_to("chat.postMessage"))
    await outage.rounds.fake.wait_for("chat.postMessage", count + 1)
    await outage.proxy.stop()


async def blip(outage: Outage) -> None:
    """The database goes as Slack takes the post, and is back a second later."""
    await cut_when_posted(outage)
    await asyncio.sleep(1.0)
    await outage.proxy.start()


async def test_an_opening_whose_thread_cannot_be_recorded_is_taken_back(outage: Outage) -> None:
    fake = outage.rounds.fake
    fake.delay = 0.3
    cutting = asyncio.ensure_future(cut_when_posted(outage))
    answer = await command(outage.rounds, "reflect start manager-medic")
    await cutting
    assert m.DATABASE_AWAY in words(answer)  # "nothing was changed": true, see below
    [opening] = fake.history["C0GENERAL"]
    [removed] = fake.calls_to("chat.delete")
    assert (removed.params["channel"], removed.params["ts"]) == ("C0GENERAL", opening["ts"])

    await outage.proxy.start()
    assert await outage.direct.reflections.in_channel(GENERAL) == []  # nothing usable left
    fake.delay = 0
    answer = await command(outage.rounds, "reflect start manager-medic")
    assert "is open and closes" in words(answer)


async def test_an_anonymous_contribution_posted_as_the_database_goes_is_confirmed_once(
    outage: Outage,
) -> None:
    rounds = outage.rounds
    reflection, opening = await start(rounds)
    view = await open_form(rounds, opening)
    typed = "Handover is where our plans go to die."
    rounds.fake.delay = 0.3
    blipping = asyncio.ensure_future(blip(outage))
    answer = await rounds.send(interactive(submission(view, typed)))
    await blipping
    await settle(rounds)
    # stored (pending) before the post, posted once, recorded once the database was back
    updates = rounds.fake.calls_to("views.update")  # when the answer came after "posting"
    final = updates[-1].params["view"] if updates else answer["view"]
    assert m.ANONYMOUS_DONE.format(id=reflection.id) in words(final)
    [kept] = await stored(outage, reflection)  # counted: no longer pending
    assert (kept.text, kept.author) == (typed, None)
    posts = [c for c in rounds.fake.calls_to("chat.postMessage") if typed in words(c.params)]
    assert len(posts) == 1


async def test_a_scheduled_prompt_posted_as_the_database_goes_is_recorded_not_posted_again(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    rounds, direct = outage.rounds, outage.direct
    ctx = rounds.server.bot.ctx
    slot = dt.datetime.now(ZoneInfo("Europe/London")) - dt.timedelta(minutes=2)
    key = f"slack:{TEAM_ID}:C0WEEKLY"
    rule = (slot.weekday(), f"{slot:%H:%M}", "Europe/London", ())
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)  # set up before the slot
    setup = ScheduleStore(direct.engine, lambda: yesterday)
    await setup.save(NewSchedule(key, "slack", "C0WEEKLY", TEAM_ID, *rule))
    scheduler = Scheduler(ctx)

    rounds.fake.delay = 0.3
    cutting = asyncio.ensure_future(cut_when_posted(outage))
    first = await scheduler.tick()
    await cutting
    assert first.posted == [] and len(first.retrying) == 1  # posted; the ledger never heard
    said = [r for r in caplog.records if r.name == "rounds.scheduler"]
    assert any("database is away" in r.getMessage() for r in said)
    assert not [r for r in said if r.exc_info]  # an outage is one line, not a traceback
    await outage.proxy.start()

    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)  # the claim's lease ran out
    ctx.store.schedules.clock = lambda: later
    rounds.fake.delay = 0
    second = await scheduler.tick()
    assert second.posted == first.retrying  # found by its slot id, recorded
    [post] = rounds.fake.history["C0WEEKLY"]
    assert len(rounds.fake.calls_to("chat.postMessage")) == 1  # not posted again
    [saved] = await direct.schedules.all()
    assert await direct.seen(key, ROTATION) != set()  # the rotation heard of it too
    assert saved.conversation == key and post["ts"]
    third = await scheduler.tick()
    assert third.posted == third.retrying == []  # done for good


async def test_a_close_whose_summary_is_out_waits_for_the_database_and_summarises_once(
    outage: Outage,
) -> None:
    rounds = outage.rounds
    reflection, _opening = await start(rounds)
    await rounds.send(
        event_callback(
            message_event(
                "One reply.", user="U0BOB", ts="1700000300.000001", thread_ts=thread_of(reflection)
            ),
            "EvClose1",
        ),
        JSON,
    )

    rounds.fake.delay = 0.3
    blipping = asyncio.ensure_future(blip(outage))
    await command(rounds, "reflect close")
    await blipping
    summaries = [
        c
        for c in rounds.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == thread_of(reflection)
        and str(c.params.get("text", "")).startswith("Summary:")
    ]
    assert len(summaries) == 1  # (the evaluation follows it, once too)
    found = await outage.direct.reflections.get(reflection.id)
    assert found is not None and found.state == CLOSED  # recorded once the database was back
    assert [c.text for c in await stored(outage, reflection)] == ["One reply."]


async def test_in_teams_a_reply_the_database_cannot_take_is_answered_privately(
    library: Library, index: LookupIndex, connector: FakeConnector
) -> None:
    """Teams does not send an activity again, so the person is told at once, in a 1:1 chat
    (never in the thread), and nothing is stored."""
    async with proxied_postgres() as (url, proxy):
        settings = Settings(database_url=through(url, proxy.port), teams_emulator=True)
        options = Options(host="127.0.0.1", port=0)
        async with served(library, index, settings, options) as (server, http):
            teams, store = Teams(server, http, connector), server.bot.ctx.store
            await teams.post(channel_message("reflect start manager-medic", connector.url))
            [reflection] = await store.reflections.in_channel(TEAMS_CHANNEL.key)
            root = thread_of(reflection)
            await proxy.stop()
            before = len(connector.sent)
            said = channel_message(
                "Said in the outage.", connector.url, mention=False, reply_to_id=root
            )
            response = await teams.post(said)
            assert response.status in (200, 201)
            told = [s for s in connector.sent[before:] if s.conversation_id.startswith("a:")]
            assert told and m.DATABASE_AWAY in json.dumps(told[-1].activity)
            in_thread = [s for s in connector.sent[before:] if root in s.conversation_id]
            assert in_thread == []
            await proxy.start()
            assert await store.reflections.contributions(reflection.id) == []
