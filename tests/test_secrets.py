"""Secrets never leak: `rounds serve` runs with recognisable fake secrets (canaries) for
every credential it takes (the database password too, on PostgreSQL), is driven through
its flows, and no canary may appear in what it prints or logs, in any HTTP answer, in
/metrics, or in anything it sends, except where the secret belongs.

- Slack over HTTP, in text logging at info and JSON logging at debug (`ROUNDS_LOG_LEVEL`,
  where the libraries log too): a weekly prompt due as the process starts, posted by the
  scheduler's first pass; commands that answer, fail and are refused; unsigned and
  wrongly signed requests; Teams without a valid token; health and metrics; a whole
  reflection thread (named replies, one with an NHS number, an anonymous contribution, the
  next question, closing with the transcript sent as a file, export, forget-me). The bot
  token goes only in the Authorization header of Web API calls.
- Slack over Socket Mode, at debug: the app-level token goes only to apps.connections.open.
- Teams with an app id and password, at debug: activities carry JWTs signed with a key
  published by a fake login.botframework.com; the bot gets its token for replies from a
  fake Entra ID (`tests/fakes/microsoft_login.py`). Tokens signed with another key (known
  or unknown key id), for another bot or another service URL get 401 and store nothing; the
  password goes only to the token endpoint, as the client secret, and the access token only
  in the Authorization header of calls to the Bot Connector: replies, a scheduled prompt,
  and a reflection thread (start, a reply, an anonymous contribution through its dialog,
  close with the transcript in a 1:1 chat).
- Teams with a wrong password: Entra refuses it (401 invalid_client); nothing can be sent,
  the process keeps answering, the password goes only to the token endpoint.
- PostgreSQL behind a TCP proxy that is cut and restored, its URL carrying the password:
  commands, a thread reply and scheduler passes while it is away and after it is back.
- `rounds db upgrade` (also with the database unreachable), `rounds console` and `rounds
  teams-package`: nothing printed, and nothing in the package but the app id."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import sys
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from botbuilder.schema import Activity

from adapters.teams.cards import INPUT
from adapters.teams.translate import reference_data
from bot import messages as m
from bot.events import Conversation
from bot.store import Store
from bot.store.schedules import Delivery, NewSchedule, Schedule, ScheduleStore
from tests.conftest import PG_URL, postgres_database
from tests.fakes.connector import FakeConnector, Sent
from tests.fakes.microsoft_login import HOSTS, TOKEN_PATH, FakeMicrosoftLogin, Seen, signing_key
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    FORM,
    JSON,
    TEAM_ID,
    app_mention,
    block_actions_payload,
    event_callback,
    event_envelope,
    interactive,
    message_event,
    post_signed,
    slash_command,
    slash_payload,
)
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    TENANT_ID,
    USER_ID,
    channel_message,
    personal_conversation_id,
    personal_message,
    task_fetch,
    task_submit,
)
from tests.slack_harness import buttons
from tests.test_replicas import through
from tests.test_serve import serve
from tests.test_slack_reflect import (
    HIDDEN_ID,
    HIDDEN_USERNAME,
    TYPED,
    VALID_NHS,
    everything_stored,
    submission,
)
from tests.test_teams import words
from tests.test_teams_reflect import (
    ANON,
    ANON_NAME,
    BOB,
    BOB_NAME,
    anonymous_button,
    chats,
    identity_in,
    in_thread,
)

BOT_TOKEN = "xoxb-CANARY-bot-0000-notreal"
APP_TOKEN = "xapp-CANARY-app-0000-notreal"
SIGNING = "CANARYsigning0000notreal"
TEAMS_PASSWORD = "CANARY~teams~password~notreal"
DB_PASSWORD = "CANARYdbpassword"
CANARIES = (BOT_TOKEN, APP_TOKEN, SIGNING, TEAMS_PASSWORD)
LONDON = ZoneInfo("Europe/London")
SCHEDULED = Conversation("slack", "C0SCHEDULE", TEAM_ID)  # a weekly prompt is due there


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[str, tuple[str, ...]]]:
    """A database URL and the canaries in it: PostgreSQL with a password when the tests
    have one (trust authentication ignores the password), otherwise SQLite (no password)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 's.db'}", ()
        return
    async with postgres_database() as url:
        parts = urlsplit(url)
        netloc = (
            f"{parts.username or 'postgres'}:{DB_PASSWORD}@{parts.hostname}:{parts.port or 5432}"
        )
        yield urlunsplit(parts._replace(netloc=netloc)), (DB_PASSWORD,)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN)
    await slack.start()
    yield slack
    await slack.stop()


def env(fake: FakeSlack, database_url: str, log_format: str, log_level: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": database_url,
        "MicrosoftAppId": "00000000-0000-0000-0000-0000000c0ffe",
        "MicrosoftAppPassword": TEAMS_PASSWORD,
        "ROUNDS_TEAMS_SERVICE_HOSTS": "127.0.0.1",  # the fake Bot Connector
        "ROUNDS_LOG_FORMAT": log_format,
        "ROUNDS_LOG_LEVEL": log_level,
    }


@dataclass
class Driver:
    """Signed requests into a running `rounds serve`; every answer is kept."""

    http: aiohttp.ClientSession
    url: str
    fake: FakeSlack
    answers: list[str] = field(default_factory=list)

    async def post(
        self, body: bytes, content_type: str = FORM, secret: str | None = SIGNING
    ) -> str:
        """POST to /slack/events, signed with `secret` (by default the signing secret)."""
        status, text = await post_signed(self.http, self.url, body, content_type, secret=secret)
        self.answers.append(f"{status} {text}")
        return text

    async def command(
        self, line: str, user: str = "U0ALICE", name: str = "alice", channel: str = "C0GENERAL"
    ) -> str:
        url = self.fake.response_url()
        return await self.post(slash_command(line, url, user, name, channel))

    async def event(self, event: dict[str, Any], event_id: str) -> None:
        await self.post(event_callback(event, event_id), JSON)
        assert self.answers[-1].startswith("200 "), self.answers[-1]

    async def calls(self, method: str, count: int) -> list[dict[str, Any]]:
        """Wait for `count` calls to `method`; the parameters of each."""
        return [c.params for c in await self.fake.wait_for(method, count, timeout=15)]


async def exercise(driver: Driver) -> None:
    """Commands that answer, fail and are refused; Teams without a valid token; a mention."""
    for text in ("help", "lookup triumvirate", "quote", "qoute", "schedule weekly someday"):
        await driver.command(text)
    body = slash_command("help", driver.fake.response_url())
    await driver.post(body, FORM, None)  # unsigned
    await driver.post(body, FORM, "not-the-secret")  # wrongly signed
    await driver.post(b"{broken", JSON)
    posts = len(driver.fake.calls_to("chat.postMessage"))
    await driver.event(app_mention("<@U0BOT> prompt"), "EvCanary")
    await driver.calls("chat.postMessage", posts + 1)
    teams = channel_message("help", "http://127.0.0.1:9")
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        async with driver.http.post(
            f"{driver.url}/api/messages", json=teams, headers=headers
        ) as answer:
            driver.answers.append(f"{answer.status} {await answer.text()}")


async def reflection(driver: Driver) -> None:
    """A reflection thread from start to forget-me, as Slack would drive it over HTTP."""
    posts = len(driver.fake.calls_to("chat.postMessage"))
    assert "is open and closes" in await driver.command("reflect start manager-medic")
    *_, opening = await driver.calls("chat.postMessage", posts + 1)
    assert m.BUTTON_ANONYMOUS in buttons(opening)
    thread = driver.fake.history["C0GENERAL"][-1]["ts"]
    said = ("Handover is where we lose each other", f"Bed 4 ({VALID_NHS}) waited six hours")
    for n, text in enumerate(said, 1):
        reply = message_event(text, user="U0BOB", ts=f"1700000100.{n:06d}", thread_ts=thread)
        await driver.event(reply, f"EvCanaryReply{n}")
    [warning] = await driver.calls("chat.postEphemeral", 1)  # the NHS number
    assert warning["user"] == "U0BOB"
    action_id, value = buttons(opening)[m.BUTTON_ANONYMOUS]
    pressed = block_actions_payload(
        action_id, value, driver.fake.response_url(), HIDDEN_ID, HIDDEN_USERNAME, ephemeral=False
    )
    await driver.post(interactive(pressed))
    [opened] = await driver.calls("views.open", 1)
    assert "update" in await driver.post(interactive(submission(opened["view"], TYPED)))
    await driver.calls("chat.postMessage", posts + 2)  # the anonymous contribution
    await driver.command("reflect next")
    await driver.calls("chat.postMessage", posts + 3)
    await driver.command("reflect close")
    await driver.calls("files.completeUploadExternal", 1)  # the transcript, in a DM
    await driver.command("reflect export")
    await driver.calls("files.completeUploadExternal", 2)
    assert m.FORGET_PREVIEW_TITLE in await driver.command("forget-me", "U0BOB", "bob")
    assert m.FORGET_TITLE in await driver.command("forget-me confirm", "U0BOB", "bob")


async def health(driver: Driver) -> None:
    for path in ("healthz", "readyz", "metrics"):
        async with driver.http.get(f"{driver.url}/{path}") as answer:
            driver.answers.append(f"{answer.status} {await answer.text()}")


async def due_at_start(
    url: str, conversation: Conversation, reference: dict[str, str] | None = None
) -> Schedule:
    """A weekly schedule set up yesterday whose slot was three minutes ago (as in
    tests/test_crash.py): the scheduler's first pass, as `rounds serve` starts, posts it.
    With `reference`, how to reach the conversation (Teams keeps one per channel)."""
    store = await Store.open(url)
    try:
        yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        slot = dt.datetime.now(LONDON) - dt.timedelta(minutes=3)
        rule = (slot.weekday(), f"{slot:%H:%M}", "Europe/London", ())
        c = conversation
        setup = ScheduleStore(store.engine, lambda: yesterday)
        schedule = await setup.save(NewSchedule(c.key, c.platform, c.channel, c.workspace, *rule))
        if reference is not None:
            await store.save_reference(c.key, c.platform, reference)
    finally:
        await store.close()
    return schedule


def sent_to_slack(fake: FakeSlack) -> str:
    """Everything Rounds sent to Slack but the tokens it authenticated with (checked apart)."""
    calls = [(c.method, c.params, c.path) for c in fake.calls]
    files = [(u.filename, u.title, u.initial_comment, u.content) for u in fake.uploads.values()]
    return json.dumps(calls) + repr(files)


def assert_no_canary(everything: dict[str, str], canaries: tuple[str, ...]) -> None:
    for where, text in everything.items():
        for canary in canaries:
            assert canary not in text, f"{canary[:12]}… appears in {where}"


@pytest.mark.parametrize(("log_format", "log_level"), [("text", "info"), ("json", "debug")])
async def test_no_secret_appears_in_output_logs_answers_metrics_or_posts(
    fake: FakeSlack, database: tuple[str, tuple[str, ...]], log_format: str, log_level: str
) -> None:
    url_of_database, in_url = database
    await due_at_start(url_of_database, SCHEDULED)
    settings = env(fake, url_of_database, log_format, log_level)
    async with serve(settings) as (url, printed), aiohttp.ClientSession() as http:
        driver = Driver(http, url, fake)
        [scheduled] = await driver.calls("chat.postMessage", 1)  # posted as the process starts
        await exercise(driver)
        await reflection(driver)
        await health(driver)
    logged = "\n".join(printed)
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(driver.answers),
        "sent to Slack": sent_to_slack(fake),
    }
    assert len(printed) > 5 and "Rounds stopped" in logged
    assert any(a.startswith("401") for a in driver.answers)  # the refusals really happened
    assert any("rounds_commands_total" in a for a in driver.answers)  # and /metrics was read
    assert len(fake.shared_files()) == 2 and TYPED in sent_to_slack(fake)  # the flow ran
    assert scheduled["channel"] == SCHEDULED.channel and "Discussion prompt" in str(scheduled)
    assert [m["ts"] for m in fake.history[SCHEDULED.channel]]  # really posted
    if log_level == "debug":
        assert '"level": "debug"' in logged  # the libraries' debug lines were swept too
    assert_no_canary(everything, (*CANARIES, *in_url))
    assert {c.token for c in fake.calls if c.method != "response_url"} <= {BOT_TOKEN, None}
    # Not a credential, but kept as well as one: the anonymous contributor, even at debug.
    assert HIDDEN_ID not in logged and HIDDEN_USERNAME not in logged


async def test_over_socket_mode_the_app_token_goes_only_to_apps_connections_open(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = env(fake, f"sqlite:///{tmp_path / 's.db'}", "text", "debug")
    acks: list[dict[str, Any]] = []
    async with (
        serve(settings, "--slack-socket-mode") as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        await fake.wait_for_socket(timeout=15)
        sent = await fake.socket_send("slash_commands", slash_payload("help", ""))
        acks.append(await fake.socket_ack(sent, timeout=10))
        mention = event_envelope(app_mention("<@U0BOT> prompt"), "EvCanarySocket")
        acks.append(await fake.socket_ack(await fake.socket_send("events_api", mention)))
        await fake.wait_for("chat.postMessage", 1, timeout=10)
        driver = Driver(http, url, fake)
        await health(driver)
    logged = "\n".join(printed)
    assert " DEBUG " in logged and "Rounds stopped" in logged
    assert "Rounds" in json.dumps(acks[0])  # help answered through the socket
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(driver.answers),
        "acks over the socket": json.dumps(acks),
        "sent to Slack": sent_to_slack(fake),
    }
    assert_no_canary(everything, CANARIES)
    opened = fake.calls_to("apps.connections.open")
    assert opened and {c.token for c in opened} == {APP_TOKEN}
    others = [c for c in fake.calls if c.method not in ("apps.connections.open", "response_url")]
    assert others and {c.token for c in others} <= {BOT_TOKEN, None}


# -- Teams with an app id: a signed token in, a token fetched for the replies --------------

TEAMS_APP_ID = "00000000-0000-0000-0000-0000000c0ffe"
ACCESS_TOKEN = "eyCANARY.access-token.0000-notreal"  # what the fake Entra ID issues
MALLORY = "29:mallory"  # sends activities with tokens Rounds must refuse


@pytest.fixture
async def login(tmp_path: Path) -> AsyncIterator[FakeMicrosoftLogin]:
    fake = FakeMicrosoftLogin(tmp_path, TEAMS_APP_ID, TEAMS_PASSWORD, ACCESS_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


def teams_settings(
    login: FakeMicrosoftLogin, database: str, password: str = TEAMS_PASSWORD
) -> dict[str, str]:
    """Teams only, with an app id and `password`, at debug, Microsoft's login faked."""
    return {
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "",
        "MicrosoftAppId": TEAMS_APP_ID,
        "MicrosoftAppPassword": password,
        "ROUNDS_TEAMS_SERVICE_HOSTS": "127.0.0.1",  # the fake Bot Connector
        "ROUNDS_DATABASE_URL": database,
        "ROUNDS_LOG_LEVEL": "debug",
        **login.env(),
    }


@dataclass
class Teams:
    """Activities into a running `rounds serve`, each with a JWT the channel would send (or
    another token); every answer is kept."""

    http: aiohttp.ClientSession
    url: str
    login: FakeMicrosoftLogin
    connector: FakeConnector
    answers: list[str] = field(default_factory=list)

    async def post(self, activity: dict[str, Any], token: str | None = None) -> int:
        bearer = token or self.login.activity_token(self.connector.url)
        headers = {"Authorization": f"Bearer {bearer}"}
        async with self.http.post(
            f"{self.url}/api/messages", json=activity, headers=headers
        ) as answer:
            self.answers.append(f"{answer.status} {await answer.text()}")
            return answer.status

    async def say(self, activity: dict[str, Any]) -> list[Sent]:
        """A signed activity; the turn is over when it is answered. What the bot sent."""
        before = len(self.connector.sent)
        status = await self.post(activity)
        assert status < 300, self.answers[-1]
        return self.connector.sent[before:]

    async def health(self) -> None:
        for path in ("healthz", "readyz", "metrics"):
            async with self.http.get(f"{self.url}/{path}") as answer:
                self.answers.append(f"{answer.status} {await answer.text()}")


def sent_to_connector(connector: FakeConnector) -> str:
    """Everything sent to the Bot Connector but the Authorization headers (checked apart)."""
    return json.dumps([(s.method, s.path, s.activity, s.response) for s in connector.sent])


def password_only_in_token_requests(login: FakeMicrosoftLogin, password: str) -> list[Seen]:
    """The token requests, each with `password` as its client secret, and `password` in no
    other request and no tunnel."""
    asked = login.requests_to(TOKEN_PATH)
    assert asked and all(a.form["client_secret"] == password for a in asked)
    assert all(a.form["client_id"] == TEAMS_APP_ID for a in asked)
    elsewhere = [s for s in login.seen if s not in asked]
    assert elsewhere and password not in repr(elsewhere)
    assert password not in repr(login.tunnels)
    # Nothing reached the real services: every tunnel was to the fakes.
    assert set(login.tunnels) <= {f"CONNECT {host}:443" for host in HOSTS}, login.tunnels
    return asked


async def test_teams_with_an_app_id_checks_tokens_and_its_password_goes_only_to_entra(
    login: FakeMicrosoftLogin, connector: FakeConnector, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 't.db'}"
    service = connector.url
    refused = {
        "signed with another key": login.activity_token(service, key=signing_key()),
        "another key, unknown id": login.activity_token(service, signing_key(), kid="other"),
        "for another bot": login.activity_token(service, audience=f"{TEAMS_APP_ID[:-4]}beef"),
        "for another service URL": login.activity_token("https://example.invalid/"),
    }
    async with (
        serve(teams_settings(login, database)) as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        teams = Teams(http, url, login, connector)
        for why, token in refused.items():
            status = await teams.post(personal_message("help", service, MALLORY, "Mallory"), token)
            assert status == 401, why
        for line in ("help", "quote"):
            assert len(await teams.say(channel_message(line, service))) == 1
        await teams.health()
    logged = "\n".join(printed)
    assert " DEBUG " in logged and "Rounds stopped" in logged and "Traceback" not in logged
    # The keys that checked the tokens came from the fake.
    assert login.requests_to("/v1/.well-known/keys")
    # The password went once, as the client secret of the token request, and nowhere else.
    [asked] = password_only_in_token_requests(login, TEAMS_PASSWORD)
    assert asked.status == 200
    # The access token went only in the Authorization header of the replies.
    replies = connector.sent
    assert len(replies) == 2 and {r.method for r in replies} == {"reply_to_activity"}
    assert {r.authorization for r in replies} == {f"Bearer {ACCESS_TOKEN}"}
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(teams.answers),
        "sent to the Bot Connector": sent_to_connector(connector),
    }
    assert_no_canary(everything, (*CANARIES, ACCESS_TOKEN))
    # The refused activities stored nothing.
    store = await Store.open(database)
    try:
        stored = await everything_stored(store)
    finally:
        await store.close()
    assert CHANNEL_ID in stored and "mallory" not in stored.lower()


TEAMS_CHANNEL = Conversation("teams", CHANNEL_ID, TENANT_ID)
SAID_IN_TEAMS = "Handover was rushed"
TYPED_IN_TEAMS = "I was afraid to say the rota was unsafe"


def channel_reference(service: str) -> dict[str, str]:
    """What Rounds keeps of a channel it has heard from, to post there later."""
    return reference_data(Activity().deserialize(channel_message("help", service)))


async def test_teams_with_an_app_id_posts_a_scheduled_prompt_and_runs_a_reflection(
    login: FakeMicrosoftLogin, connector: FakeConnector, tmp_path: Path
) -> None:
    """A weekly prompt due as the process starts, then a reflection thread: start, a reply in
    the reply chain, an anonymous contribution through its dialog (task/fetch, task/submit),
    close with the transcript sent in a 1:1 chat. Every call to the Bot Connector carries the
    fetched token; the password goes only to the token endpoint; no canary anywhere else."""
    database = f"sqlite:///{tmp_path / 't.db'}"
    service = connector.url
    await due_at_start(database, TEAMS_CHANNEL, channel_reference(service))
    async with (
        serve(teams_settings(login, database)) as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        teams = Teams(http, url, login, connector)
        [prompt] = await connector.wait_for(1, "create_conversation", timeout=15)
        assert prompt.conversation_id == CHANNEL_ID and "Discussion prompt" in words(prompt)
        sent = await teams.say(channel_message("reflect start manager-medic", service))
        [opening] = [
            s for s in sent if s.method == "create_conversation" and s.conversation_id == CHANNEL_ID
        ]
        root = opening.response["activityId"]
        said = channel_message(SAID_IN_TEAMS, service, BOB, BOB_NAME, False, root)
        assert await teams.say(said) == []  # stored, nothing said
        pressed = anonymous_button(opening)["data"]
        assert await teams.say(task_fetch(pressed, service, root, ANON, ANON_NAME)) == []
        form = json.loads(teams.answers[-1].split(" ", 1)[1])["task"]["value"]["card"]["content"]
        [send] = form["actions"]
        typed = {**send["data"], INPUT: TYPED_IN_TEAMS}
        [posted] = in_thread(await teams.say(task_submit(typed, service, root, ANON)), root)
        assert TYPED_IN_TEAMS in words(posted)
        sent = await teams.say(channel_message("reflect close", service, reply_to_id=root))
        summary, _evaluation = in_thread(sent, root)  # the evaluation: tests/test_evaluation.py
        assert "Summary: Manager–medic collaboration" in words(summary)
        transcript = [s for s in chats(sent) if s.activity.get("textFormat") == "markdown"]
        assert {s.conversation_id for s in chats(sent)} == {personal_conversation_id(USER_ID)}
        assert SAID_IN_TEAMS in "".join(s.activity["text"] for s in transcript)
        await teams.health()
    logged = "\n".join(printed)
    assert " DEBUG " in logged and "Rounds stopped" in logged and "Traceback" not in logged
    # A token for the proactive posts, another for the turns (botbuilder keeps them apart).
    asked = password_only_in_token_requests(login, TEAMS_PASSWORD)
    assert {a.status for a in asked} == {200}
    methods = {s.method for s in connector.sent}
    assert {"create_conversation", "reply_to_activity", "get_conversation_member"} <= methods
    assert {s.authorization for s in connector.sent} == {f"Bearer {ACCESS_TOKEN}"}
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(teams.answers),
        "sent to the Bot Connector": sent_to_connector(connector),
    }
    assert_no_canary(everything, (*CANARIES, ACCESS_TOKEN))
    assert identity_in(logged) == []  # the anonymous contributor, even at debug


WRONG_PASSWORD = "CANARY~wrong~password~notreal"


async def claimed(database: str, schedule: Schedule) -> list[Delivery]:
    """The schedule's ledger, once its slot has been claimed by a scheduler pass."""
    store = await Store.open(database)
    try:
        async with asyncio.timeout(15):
            while True:
                if ledger := await store.schedules.ledger(schedule.id):
                    return ledger
                await asyncio.sleep(0.05)
    finally:
        await store.close()


async def test_a_wrong_teams_password_is_refused_by_entra_and_sent_nowhere_else(
    login: FakeMicrosoftLogin, connector: FakeConnector, tmp_path: Path
) -> None:
    """Entra refuses the password (401 invalid_client, AADSTS7000215): no reply and no
    scheduled prompt can be sent, the process keeps answering, and the password appears only
    in the token requests, never in output, logs, answers or the delivery ledger."""
    database = f"sqlite:///{tmp_path / 't.db'}"
    service = connector.url
    schedule = await due_at_start(database, TEAMS_CHANNEL, channel_reference(service))
    async with (
        serve(teams_settings(login, database, WRONG_PASSWORD)) as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        teams = Teams(http, url, login, connector)
        for line in ("help", "quote"):
            await teams.post(channel_message(line, service))
        await teams.health()
        assert teams.answers[-3].startswith("200 ")  # /healthz: still running
        await claimed(database, schedule)  # the pass under way ends before the process does
    logged = "\n".join(printed)
    assert "Rounds stopped" in logged and "exit 0" in logged
    asked = password_only_in_token_requests(login, WRONG_PASSWORD)
    assert {a.status for a in asked} == {401}
    assert connector.sent == []  # without a token nothing was sent
    ledger = repr(await claimed(database, schedule))
    assert "state='claimed'" in ledger  # pending: a later pass tries again
    assert "teams turn failed" in logged and "will be retried" in logged
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(teams.answers),
        "the delivery ledger": ledger,
    }
    assert_no_canary(everything, (*CANARIES, WRONG_PASSWORD, ACCESS_TOKEN))


# -- the database going away, with a password in its URL -----------------------------------


async def outage_flows(driver: Driver, thread: str, when: str, n: int) -> None:
    """A schedule, a reflection started in another channel, a reply in an open thread."""
    await driver.command("schedule weekly monday 09:00", channel=OTHER)
    await driver.command("reflect start manager-medic", channel=OTHER)
    reply = message_event(
        f"{when}: handover again", user="U0BOB", ts=f"1700000200.{n:06d}", thread_ts=thread
    )
    await driver.post(event_callback(reply, f"EvCanary{when}"), JSON)


async def answered(driver: Driver, path: str, status: int) -> None:
    """Wait until GET `path` answers `status` (the answers are kept)."""
    async with asyncio.timeout(10):
        while True:
            async with driver.http.get(f"{driver.url}/{path}") as answer:
                driver.answers.append(f"{answer.status} {await answer.text()}")
                if answer.status == status:
                    return
            await asyncio.sleep(0.1)


OTHER = "C0OTHER"  # a channel the commands during the outage are sent from


async def test_the_database_going_away_with_a_password_in_its_url_leaks_nothing(
    fake: FakeSlack, database: tuple[str, tuple[str, ...]]
) -> None:
    """PostgreSQL behind a TCP proxy that is cut and restored, its URL carrying a password:
    commands, a thread reply and the scheduler's passes while it is away and after it is
    back. Driver and database errors (which can quote the DSN) print no canary."""
    url_of_database, in_url = database
    if not in_url:
        pytest.skip("needs PostgreSQL (ROUNDS_TEST_DATABASE_URL): only it has a password")
    target = urlsplit(url_of_database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    settings = {
        **env(fake, through(url_of_database, proxy.port), "json", "debug"),
        "ROUNDS_SCHEDULER_PASS_SECONDS": "1",  # passes fail while the database is away
    }
    try:
        async with serve(settings) as (url, printed), aiohttp.ClientSession() as http:
            driver = Driver(http, url, fake)
            assert "is open and closes" in await driver.command("reflect start manager-medic")
            await driver.calls("chat.postMessage", 1)
            thread = fake.history["C0GENERAL"][-1]["ts"]
            await proxy.stop()  # the database goes away; open connections are cut
            await answered(driver, "readyz", 503)
            await outage_flows(driver, thread, "Away", 1)
            await asyncio.sleep(1.5)  # a scheduler pass or two fails
            await answered(driver, "healthz", 200)
            await proxy.start()  # back, on the same port
            await answered(driver, "readyz", 200)
            await outage_flows(driver, thread, "Back", 2)
            await answered(driver, "metrics", 200)
    finally:
        await proxy.stop()
    logged = "\n".join(printed)
    assert "Rounds stopped" in logged and "exit 0" in logged
    assert "database unreachable" in logged and "(the database is away)" in logged
    store = await Store.open(url_of_database)
    try:
        stored = await everything_stored(store)
        schedule = await store.schedules.get(f"slack:{TEAM_ID}:{OTHER}")
    finally:
        await store.close()
    assert schedule is not None  # once it was back, the commands worked
    assert "Back: handover again" in stored
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(driver.answers),
        "sent to Slack": sent_to_slack(fake),
        "stored": stored,
    }
    assert_no_canary(everything, (*CANARIES, *in_url))


# -- the other commands -------------------------------------------------------------------


async def rounds(settings: dict[str, str], *arguments: str, given: str = "") -> str:
    """Run `rounds <arguments>` with `settings`; its exit status and everything it printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rounds.cli",
        *arguments,
        env={**os.environ, **settings},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(given.encode()), timeout=60)
    return f"exit {proc.returncode}\n{out.decode()}\n{err.decode()}"


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONSOLE = [
    "help",
    "lookup triumvirate",
    "qoute",
    "schedule weekly monday 09:00",
    "reflect start manager-medic",
    "> We met before the ward round.",
    "reflect close",
]


async def test_console_db_upgrade_and_teams_package_print_no_secret(
    fake: FakeSlack, database: tuple[str, tuple[str, ...]], tmp_path: Path
) -> None:
    """`rounds db upgrade` (and with the database unreachable, a password in its URL),
    `rounds console` through a reflection, and `rounds teams-package`, with every canary set
    and JSON logging at debug: no canary in what they print; the package holds the app id
    in its manifest and no secret."""
    settings = env(fake, database[0], "json", "debug")
    away = urlunsplit(
        ("postgresql", f"postgres:{DB_PASSWORD}@127.0.0.1:{closed_port()}", "/rounds", "", "")
    )
    package = tmp_path / "rounds-teams.zip"
    printed = {
        "db upgrade": await rounds(settings, "db", "upgrade"),
        "console": await rounds(settings, "console", given="\n".join(CONSOLE) + "\n"),
        "teams-package": await rounds(
            settings,
            "teams-package",
            "--out",
            str(package),
            "--host",
            "rounds.example.test",
            "--developer-name",
            "Example NHS Trust",
        ),
        "db upgrade, database away": await rounds(
            {**settings, "ROUNDS_DATABASE_URL": away}, "db", "upgrade"
        ),
    }
    assert printed["db upgrade"].startswith("exit 0\ndatabase is up to date")
    console = printed["console"]
    assert console.startswith("exit 0") and "Summary: Manager–medic collaboration" in console
    assert "We met before the ward round." in console.split("reflection-1-manager-medic.md")[1]
    assert printed["teams-package"].startswith("exit 0\nwrote ")
    away_said = printed["db upgrade, database away"]
    assert away_said.startswith("exit 1") and "cannot be reached" in away_said
    assert "Traceback" not in away_said  # one line for the operator
    with zipfile.ZipFile(package) as archive:
        inside = {name: archive.read(name) for name in archive.namelist()}
    assert TEAMS_APP_ID in inside["manifest.json"].decode()
    everything = {
        **{f"what `rounds {what}` printed": text for what, text in printed.items()},
        **{f"{name} in the package": repr(data) for name, data in inside.items()},
    }
    for name, data in inside.items():  # in any encoding a zip member might use
        everything[f"{name} in the package, decoded"] = data.decode("latin-1")
    assert_no_canary(everything, (*CANARIES, DB_PASSWORD))
