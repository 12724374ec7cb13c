"""Secrets never leak: `rounds serve` runs with recognisable fake secrets (canaries) for
every credential it takes (the database password too, on PostgreSQL), is driven through
its flows, and no canary may appear in what it prints or logs, in any HTTP answer, in
/metrics, or in anything it sends, except where the secret belongs.

- Slack over HTTP, in text logging at info and JSON logging at debug (`ROUNDS_LOG_LEVEL`,
  where the libraries log too): commands that answer, fail and are refused; unsigned and
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
  in the Authorization header of the replies to the Bot Connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from bot import messages as m
from bot.store import Store
from tests.conftest import PG_URL, drop_postgres, fresh_postgres
from tests.fakes.connector import FakeConnector
from tests.fakes.microsoft_login import HOSTS, TOKEN_PATH, FakeMicrosoftLogin, signing_key
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    app_mention,
    block_actions_payload,
    event_callback,
    event_envelope,
    message_event,
    sign,
    slash_command,
    slash_payload,
)
from tests.fakes.teams_activities import CHANNEL_ID, channel_message, personal_message
from tests.slack_harness import buttons
from tests.test_serve import FORM, serve
from tests.test_slack_reflect import (
    HIDDEN_ID,
    HIDDEN_USERNAME,
    TYPED,
    VALID_NHS,
    everything_stored,
    interactive,
    submission,
)

BOT_TOKEN = "xoxb-CANARY-bot-0000-notreal"
APP_TOKEN = "xapp-CANARY-app-0000-notreal"
SIGNING = "CANARYsigning0000notreal"
TEAMS_PASSWORD = "CANARY~teams~password~notreal"
DB_PASSWORD = "CANARYdbpassword"
JSON = "application/json"
CANARIES = (BOT_TOKEN, APP_TOKEN, SIGNING, TEAMS_PASSWORD)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[str, tuple[str, ...]]]:
    """A database URL and the canaries in it: PostgreSQL with a password when the tests
    have one (trust authentication ignores the password), otherwise SQLite (no password)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 's.db'}", ()
        return
    url, name = await fresh_postgres()
    parts = urlsplit(url)
    netloc = f"{parts.username or 'postgres'}:{DB_PASSWORD}@{parts.hostname}:{parts.port or 5432}"
    try:
        yield urlunsplit(parts._replace(netloc=netloc)), (DB_PASSWORD,)
    finally:
        await drop_postgres(name)


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
        self, body: bytes, content_type: str = FORM, headers: dict[str, str] | None = None
    ) -> str:
        """POST to /slack/events, signed with the signing secret unless `headers` are given."""
        all_headers = {"Content-Type": content_type, **sign(body, SIGNING), **(headers or {})}
        if headers == {}:
            all_headers = {"Content-Type": content_type}
        async with self.http.post(
            f"{self.url}/slack/events", data=body, headers=all_headers
        ) as answer:
            text = await answer.text()
        self.answers.append(f"{answer.status} {text}")
        return text

    async def command(self, line: str, user: str = "U0ALICE", name: str = "alice") -> str:
        return await self.post(slash_command(line, self.fake.response_url(), user, name))

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
    await driver.post(body, FORM, {})  # unsigned
    await driver.post(body, FORM, sign(body, "not-the-secret"))  # wrongly signed
    await driver.post(b"{broken", JSON)
    await driver.event(app_mention("<@U0BOT> prompt"), "EvCanary")
    await driver.calls("chat.postMessage", 1)
    teams = channel_message("help", "http://127.0.0.1:9")
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        async with driver.http.post(
            f"{driver.url}/api/messages", json=teams, headers=headers
        ) as answer:
            driver.answers.append(f"{answer.status} {await answer.text()}")


async def reflection(driver: Driver) -> None:
    """A reflection thread from start to forget-me, as Slack would drive it over HTTP."""
    posts = len(driver.fake.calls_to("chat.postMessage"))
    assert "is open in this channel" in await driver.command("reflect start manager-medic")
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
    assert m.FORGET_TITLE in await driver.command("forget-me", "U0BOB", "bob")


async def health(driver: Driver) -> None:
    for path in ("healthz", "readyz", "metrics"):
        async with driver.http.get(f"{driver.url}/{path}") as answer:
            driver.answers.append(f"{answer.status} {await answer.text()}")


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
    settings = env(fake, url_of_database, log_format, log_level)
    async with serve(settings) as (url, printed), aiohttp.ClientSession() as http:
        driver = Driver(http, url, fake)
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


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


async def test_teams_with_an_app_id_checks_tokens_and_its_password_goes_only_to_entra(
    login: FakeMicrosoftLogin, connector: FakeConnector, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 't.db'}"
    settings = {
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "",
        "MicrosoftAppId": TEAMS_APP_ID,
        "MicrosoftAppPassword": TEAMS_PASSWORD,
        "ROUNDS_DATABASE_URL": database,
        "ROUNDS_LOG_LEVEL": "debug",
        **login.env(),
    }
    service = connector.url
    refused = {
        "signed with another key": login.activity_token(service, key=signing_key()),
        "another key, unknown id": login.activity_token(service, signing_key(), kid="other"),
        "for another bot": login.activity_token(service, audience=f"{TEAMS_APP_ID[:-4]}beef"),
        "for another service URL": login.activity_token("https://example.invalid/"),
    }
    answers: list[str] = []
    async with serve(settings) as (url, printed), aiohttp.ClientSession() as http:

        async def post(activity: dict[str, Any], token: str) -> int:
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(f"{url}/api/messages", json=activity, headers=headers) as answer:
                answers.append(f"{answer.status} {await answer.text()}")
                return answer.status

        for why, token in refused.items():
            status = await post(personal_message("help", service, MALLORY, "Mallory"), token)
            assert status == 401, why
        for n, words in enumerate(("help", "quote"), 1):
            assert await post(channel_message(words, service), login.activity_token(service)) < 300
            await connector.wait_for(n, timeout=15)
        for path in ("healthz", "readyz", "metrics"):
            async with http.get(f"{url}/{path}") as answer:
                answers.append(f"{answer.status} {await answer.text()}")
    logged = "\n".join(printed)
    assert " DEBUG " in logged and "Rounds stopped" in logged and "Traceback" not in logged
    # Nothing reached the real services: every tunnel was to the fakes, where the keys
    # that checked the tokens came from.
    assert set(login.tunnels) <= {f"CONNECT {host}:443" for host in HOSTS}, login.tunnels
    assert login.requests_to("/v1/.well-known/keys")
    # The password went once, as the client secret of the token request, and nowhere else.
    [asked] = login.requests_to(TOKEN_PATH)
    assert asked.form["client_secret"] == TEAMS_PASSWORD
    assert asked.form["client_id"] == TEAMS_APP_ID
    elsewhere = [s for s in login.seen if s is not asked]
    assert elsewhere and TEAMS_PASSWORD not in repr(elsewhere)
    # The access token went only in the Authorization header of the replies.
    replies = connector.sent
    assert len(replies) == 2 and {r.method for r in replies} == {"reply_to_activity"}
    assert {r.authorization for r in replies} == {f"Bearer {ACCESS_TOKEN}"}
    to_connector = json.dumps([(r.method, r.path, r.activity, r.response) for r in replies])
    everything = {
        "printed and logged": logged,
        "HTTP answers": "\n".join(answers),
        "sent to the Bot Connector": to_connector,
    }
    assert_no_canary(everything, (*CANARIES, ACCESS_TOKEN))
    assert TEAMS_PASSWORD not in repr(login.tunnels)
    # The refused activities stored nothing.
    store = await Store.open(database)
    try:
        stored = await everything_stored(store)
    finally:
        await store.close()
    assert CHANNEL_ID in stored and "mallory" not in stored.lower()
