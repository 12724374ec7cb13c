"""Outbound faults, over real HTTP: the Slack Web API and the Bot Connector answer 500, hang
past the client's timeout, or drop the connection mid-response, before or after the call
took effect. Rounds runs as `rounds serve` does (the real slack_sdk and botbuilder clients
talking to the local fakes, a 0.3-second timeout); the scheduler's pass is run directly,
on an injected clock.

Each fault is scripted for every try one post makes, so it outlasts the client's retries.
For every fault on both platforms: a scheduled prompt stays pending in the ledger and a
later pass delivers it; a reflection's next question or summary is posted by a later pass;
no stored contribution is removed; the process keeps answering; a scheduled Slack post is
never doubled (its slot id, in the message metadata, is looked for first, and when Slack
cannot be asked the slot waits); and the retries made are counted in
`rounds_outbound_retries_total`. What Rounds cannot know is counted, not hidden: a post that
went out while its answer was lost (drop-after) shows once more when it is not a scheduled
Slack post."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import REGISTRY

from adapters import observe
from adapters.pace import ChannelPace
from bot import messages as m
from bot.content.model import Library
from bot.events import Conversation
from bot.lookup import LookupIndex
from bot.store import Store
from bot.store.reflections import CLOSED, CLOSING, OPEN, Reflection
from bot.store.schedules import NewSchedule, Schedule
from bot.weekly import slot_id
from rounds.metrics import count_retry
from rounds.server import Options, Server
from rounds.settings import Settings
from scheduler.service import Report
from tests.fakes.clock import Clock
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    TEAM_ID,
    app_mention,
    event_callback,
    message_event,
    sign,
    slash_command,
)
from tests.fakes.teams_activities import CHANNEL_ID, TENANT_ID, channel_message
from tests.slack_harness import running, served, slack_settings

TIMEOUT = 0.3  # seconds: the outbound clients' timeout here; a hang outlasts it
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # a Monday, 08:00 in London
SLOT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # the schedule's first slot
LEASE_OUT = dt.timedelta(minutes=6)  # past the 5-minute lease of a claimed slot or close
FAULTS = ("500", "hang", "drop-after", "drop-before")
HELP = "conversations about NHS leadership"  # in the answer to `help`
SAID = "The night team were never asked about the rota"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
SLACK_CHANNEL = Conversation("slack", "C0GENERAL", TEAM_ID)
TEAMS_CHANNEL = Conversation("teams", CHANNEL_ID, TENANT_ID)


def retries(platform: str) -> float:
    """Outbound retries counted so far for a platform, all reasons together."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "rounds_outbound_retries"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("platform") == platform
    )


@dataclass
class Rig:
    """Rounds serving one platform, its fake, and the clock its scheduler and store read."""

    platform: str
    server: Server
    http: aiohttp.ClientSession
    clock: Clock
    slack: FakeSlack | None = None
    teams: FakeConnector | None = None
    events: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def store(self) -> Store:
        return self.server.bot.ctx.store

    @property
    def channel(self) -> Conversation:
        return SLACK_CHANNEL if self.slack is not None else TEAMS_CHANNEL

    # faults and what the fakes saw

    def fault(self, fault: str, method: str, times: int) -> None:
        if self.slack is not None:
            if fault == "500":
                self.slack.fail(method, 500, times)
            elif fault == "hang":
                self.slack.hang(method, times)
            else:
                self.slack.drop(method, times, performed=fault == "drop-after")
            return
        assert self.teams is not None
        if fault == "500":
            self.teams.fail(500, times, method=method)
        elif fault == "hang":
            self.teams.hang(times, method=method)
        else:
            self.teams.drop(times, method=method, performed=fault == "drop-after")

    def posted(self, containing: str) -> list[dict[str, Any]]:
        """Everything that reached the channel (or a thread in it) with these words: what
        the fake took, whether or not Rounds heard back."""
        if self.slack is not None:
            posts = ("chat.postMessage", "chat.postEphemeral", "response_url")
            found = [c.params for c in self.slack.calls if c.method in posts and c.performed]
        else:
            assert self.teams is not None
            found = [s.activity for s in self.teams.sent if s.performed and s.activity]
        return [p for p in found if containing in json.dumps(p, ensure_ascii=False)]

    # driving Rounds

    async def settle(self) -> None:
        """Wait for what the Slack adapter answers in the background."""
        adapter = self.server.slack
        while adapter is not None and adapter.tasks:
            await asyncio.wait(set(adapter.tasks))

    async def say(self, text: str) -> None:
        """A command to Rounds in the channel: a slash command in Slack (answered through
        `response_url`), a mention in Teams (answered in its thread)."""
        if self.slack is not None:
            body = slash_command(text, self.slack.response_url())
            await self._post("/slack/events", body, FORM)
        else:
            assert self.teams is not None
            await self._teams(channel_message(text, self.teams.url))
        await self.settle()

    async def reply(self, reflection: Reflection, text: str) -> None:
        """A reply in the reflection's thread."""
        assert reflection.thread is not None
        n = next(self.events)
        if self.slack is not None:
            event = message_event(text, ts=f"1700000100.{n:06d}", thread_ts=reflection.thread)
            await self._post("/slack/events", event_callback(event, f"EvReply{n}"), JSON)
        else:
            assert self.teams is not None
            url = self.teams.url
            await self._teams(
                channel_message(text, url, mention=False, reply_to_id=reflection.thread)
            )
        await self.settle()

    async def serves(self) -> None:
        """A following request is answered, through the same outbound client."""
        before = len(self.posted(HELP))
        if self.slack is not None:
            n = next(self.events)
            mention = event_callback(
                app_mention("<@U0BOT> help", ts=f"1700000200.{n:06d}"), f"EvHelp{n}"
            )
            await self._post("/slack/events", mention, JSON)
            await self.settle()
        else:
            await self.say("help")
        assert len(self.posted(HELP)) == before + 1

    async def tick(self) -> Report:
        assert self.server.timer is not None
        report = await self.server.timer.tick()
        assert report is not None
        return report

    async def _post(self, path: str, body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type, **sign(body)}
        async with self.http.post(f"{self.server.url}{path}", data=body, headers=headers) as answer:
            assert answer.status == 200, await answer.text()

    async def _teams(self, activity: dict[str, Any]) -> None:
        url = f"{self.server.url}/api/messages"
        async with self.http.post(url, json=activity) as answer:
            assert answer.status in (200, 201), answer.status


def set_clock(server: Server, clock: Clock) -> None:
    ctx = server.bot.ctx
    ctx.clock = clock
    ctx.store.clock = clock
    ctx.store.schedules.clock = clock
    ctx.store.reflections.clock = clock


@asynccontextmanager
async def slack_rig(library: Library, index: LookupIndex, db: Path) -> AsyncIterator[Rig]:
    fake = FakeSlack()
    await fake.start()
    settings = slack_settings(fake, db, outbound_timeout=dt.timedelta(seconds=TIMEOUT))
    options = {"scheduler": False, "ack_budget": 0.0}
    try:
        async with running(library, index, settings, fake, **options) as rounds:
            clock = Clock(START)
            set_clock(rounds.server, clock)
            assert rounds.server.slack is not None  # pacing is not what is tested here
            rounds.server.slack.outbox.pace = ChannelPace(rate=1000, burst=1000)
            yield Rig("slack", rounds.server, rounds.http, clock, slack=fake)
    finally:
        await fake.stop()


@asynccontextmanager
async def teams_rig(library: Library, index: LookupIndex, db: Path) -> AsyncIterator[Rig]:
    fake = FakeConnector()
    await fake.start()
    options = Options(host="127.0.0.1", port=0, scheduler=False)
    url = f"sqlite:///{db}"
    timeout = dt.timedelta(seconds=TIMEOUT)
    settings = Settings(database_url=url, teams_emulator=True, outbound_timeout=timeout)
    try:
        async with served(library, index, settings, options) as (server, http):
            clock = Clock(START)
            set_clock(server, clock)
            yield Rig("teams", server, http, clock, teams=fake)
    finally:
        await fake.stop()


@pytest.fixture(scope="module", autouse=True)
def counting() -> None:
    observe.subscribe(count_retry)  # as `rounds serve` does at start


@pytest.fixture(params=["slack", "teams"])
async def rig(
    request: pytest.FixtureRequest, library: Library, index: LookupIndex, tmp_path: Path
) -> AsyncIterator[Rig]:
    make = slack_rig if request.param == "slack" else teams_rig
    async with make(library, index, tmp_path / "r.db") as made:
        yield made


def attempts(rig: Rig, fault: str, slot: bool = False) -> int:
    """The calls one post makes before it gives up. slack_sdk tries a 5xx three times, and a
    dropped connection three times too, except for a scheduled post (it may have gone out:
    the ledger looks for it before posting again); a timeout is not tried again. Teams
    retries none of these (only 412, 429, 502 and 504, as Microsoft advises)."""
    if rig.platform == "teams" or fault == "hang":
        return 1
    return 1 if slot and fault != "500" else 3


async def scheduled(rig: Rig) -> tuple[Schedule, str]:
    """A weekly schedule for Monday 09:00 in the channel (Teams learns the channel from a
    message first), and the clock at 09:01: the slot is due. The schedule, and the slot's
    id."""
    if rig.teams is not None:
        await rig.serves()  # Rounds keeps the conversation reference of a channel it hears
    channel = rig.channel
    rule = NewSchedule(
        channel.key,
        rig.platform,
        channel.channel,
        channel.workspace,
        0,
        "09:00",
        "Europe/London",
        (),
    )
    schedule = await rig.store.schedules.save(rule)
    rig.clock.now = SLOT + dt.timedelta(minutes=1)
    return schedule, slot_id(str(schedule.id), SLOT)


def slot_posts(rig: Rig, ident: str) -> list[tuple[str, Any]]:
    """The posts of a slot that reached the channel, with the message id each was given."""
    if rig.slack is not None:
        return [
            (str(message["ts"]), message)
            for message in rig.slack.history.get(SLACK_CHANNEL.channel, [])
            if message.get("metadata", {}).get("event_payload", {}).get("slot") == ident
        ]
    assert rig.teams is not None
    posts = [s for s in rig.teams.sent_to("create_conversation") if s.performed]
    return [(str(s.response["activityId"]), s) for s in posts if s.conversation_id == CHANNEL_ID]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_scheduled_prompt_stays_pending_until_a_later_pass_delivers_it(
    rig: Rig, fault: str
) -> None:
    schedule, ident = await scheduled(rig)
    tries = attempts(rig, fault, slot=True)
    counted = retries(rig.platform)
    rig.fault(fault, "chat.postMessage" if rig.slack else "create_conversation", tries)

    first = await rig.tick()
    assert len(slot_posts(rig, ident)) == (1 if fault == "drop-after" else 0)  # never twice
    assert (first.posted, first.retrying) == ([], [ident])
    assert [d.state for d in await rig.store.schedules.ledger(schedule.id)] == ["claimed"]
    assert retries(rig.platform) - counted == tries - 1
    await rig.serves()
    assert (await rig.tick()).posted == []  # the claim holds until its lease runs out

    rig.clock.advance(LEASE_OUT)
    assert (await rig.tick()).posted == [ident]
    [delivery] = await rig.store.schedules.ledger(schedule.id)
    posts = slot_posts(rig, ident)
    # a post whose answer was lost is found by its slot id in Slack; the Bot Connector has
    # no way to look, so Teams posts it again
    doubled = fault == "drop-after" and rig.platform == "teams"
    assert len(posts) == (2 if doubled else 1)
    assert (delivery.state, delivery.message_id) == ("delivered", posts[-1][0])
    assert await rig.tick() == Report()


async def contributions(rig: Rig, reflection: Reflection) -> list[str]:
    return [c.text for c in await rig.store.reflections.contributions(reflection.id)]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("post", ["question", "summary"])
async def test_a_reflection_post_is_made_by_a_later_pass_and_no_contribution_is_lost(
    rig: Rig, post: str, fault: str
) -> None:
    question = post == "question"  # a timed model's next question, else the closing summary
    await rig.say("reflect start manager-medic" + (" tweet-chat" if question else ""))
    [reflection] = await rig.store.reflections.in_channel(rig.channel.key)
    await rig.reply(reflection, SAID)
    assert await contributions(rig, reflection) == [SAID]
    words = "Q2 (of 5)" if question else "Summary:"  # the tweet chat's second question
    rig.clock.advance(dt.timedelta(minutes=10) if question else dt.timedelta(days=3))
    tries = attempts(rig, fault)
    counted = retries(rig.platform)
    rig.fault(fault, "chat.postMessage" if rig.slack else "reply_to_activity", tries)

    first = await rig.tick()
    assert first.reflections == []
    now = await rig.store.reflections.get(reflection.id)
    assert now is not None and (now.state, now.step) == ((OPEN, 0) if question else (CLOSING, 0))
    assert await contributions(rig, reflection) == [SAID]
    lost = tries if fault == "drop-after" else 0  # posts that went out, unknown to Rounds
    assert len(rig.posted(words)) == lost
    assert retries(rig.platform) - counted == tries - 1
    await rig.serves()

    rig.clock.advance(LEASE_OUT)  # a question is due again at once, a close after its lease
    second = await rig.tick()
    assert second.reflections == [f"{'asked' if question else 'closed'}:{reflection.id}"]
    now = await rig.store.reflections.get(reflection.id)
    assert now is not None and (now.state, now.step) == ((OPEN, 1) if question else (CLOSED, 0))
    assert len(rig.posted(words)) == lost + 1
    assert await contributions(rig, reflection) == [SAID]


COMMAND = "schedule show"  # answered after a database read: in Slack through response_url


def last_answer(rig: Rig) -> str:
    """The words of the last answer Rounds gave."""
    if rig.slack is not None:
        return str(rig.slack.calls_to("response_url")[-1].params["text"])
    assert rig.teams is not None
    return str(rig.teams.sent_to("reply_to_activity")[-1].activity["summary"])


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_command_answer_meets_a_fault_and_rounds_keeps_answering(
    rig: Rig, fault: str
) -> None:
    await rig.say(COMMAND)
    answer = last_answer(rig)
    counted = retries(rig.platform)
    rig.fault(fault, "response_url" if rig.slack else "reply_to_activity", 1)
    started = asyncio.get_running_loop().time()
    await rig.say(COMMAND)
    assert asyncio.get_running_loop().time() - started < 10 * TIMEOUT  # a hang is cut short
    if rig.slack is not None:
        # 5xx and dropped connections are tried again (a drop after the answer went out
        # sends it twice, the second replacing the first); a timeout is not: the person
        # saw "working on it" and asks again
        delivered = {"500": 1, "drop-before": 1, "drop-after": 2, "hang": 0}[fault]
        assert retries("slack") - counted == (0 if fault == "hang" else 1)
        assert all(post["replace_original"] for post in rig.posted(answer))
    else:
        # not tried again (Teams advises retrying 412, 429, 502 and 504 only): the person
        # is told something went wrong instead
        delivered = 1 if fault == "drop-after" else 0
        assert retries("teams") == counted
        assert len(rig.posted(m.ERROR_TITLE)) == 1
    assert len(rig.posted(answer)) == 1 + delivered
    await rig.say(COMMAND)
    assert len(rig.posted(answer)) == 2 + delivered
    await rig.serves()


@pytest.mark.parametrize("rig", ["slack"], indirect=True)
@pytest.mark.parametrize("fault", FAULTS)
async def test_a_slot_that_may_have_gone_out_is_not_posted_blind_when_slack_cannot_be_asked(
    rig: Rig, fault: str
) -> None:
    schedule, ident = await scheduled(rig)
    rig.fault("drop-after", "chat.postMessage", 1)
    assert (await rig.tick()).retrying == [ident]
    rig.clock.advance(LEASE_OUT)
    rig.fault(fault, "conversations.history", attempts(rig, fault))
    assert (await rig.tick()).retrying == [ident]  # asked again later, not posted again
    assert len(slot_posts(rig, ident)) == 1
    rig.clock.advance(LEASE_OUT)
    assert (await rig.tick()).posted == [ident]
    [(ts, _)] = slot_posts(rig, ident)
    assert [(d.state, d.message_id) for d in await rig.store.schedules.ledger(schedule.id)] == [
        ("delivered", ts)
    ]
