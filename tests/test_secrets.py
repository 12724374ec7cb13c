"""Secrets never leak: `rounds serve` runs with recognisable fake secrets (canaries) for
every credential it takes (the database password too, on PostgreSQL), is driven through
its flows (commands that answer, fail and are refused; unsigned and wrongly signed
requests; Teams without a valid token; health and metrics), in text and JSON logging, and
no canary may appear in what it prints or logs, in any HTTP answer, in /metrics, or in
anything it sends to Slack (the bot token is sent only as the Authorization header, where
it belongs)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from tests.conftest import PG_URL, drop_postgres, fresh_postgres
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import app_mention, event_callback, sign, slash_command
from tests.fakes.teams_activities import channel_message
from tests.test_serve import FORM, serve

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


def env(fake: FakeSlack, database_url: str, log_format: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": database_url,
        "MicrosoftAppId": "00000000-0000-0000-0000-0000000c0ffe",
        "MicrosoftAppPassword": TEAMS_PASSWORD,
        "ROUNDS_LOG_FORMAT": log_format,
    }


async def exercise(http: aiohttp.ClientSession, url: str, fake: FakeSlack) -> list[str]:
    """Every kind of request; what each answered."""
    answers: list[str] = []

    async def post(body: bytes, content_type: str, headers: dict[str, str]) -> None:
        all_headers = {"Content-Type": content_type, **headers}
        async with http.post(f"{url}/slack/events", data=body, headers=all_headers) as answer:
            answers.append(f"{answer.status} {await answer.text()}")

    for text in ("help", "lookup triumvirate", "quote", "qoute", "schedule weekly someday"):
        body = slash_command(text, fake.response_url())
        await post(body, FORM, sign(body, SIGNING))
    body = slash_command("help", fake.response_url())
    await post(body, FORM, {})  # unsigned
    await post(body, FORM, sign(body, "not-the-secret"))  # wrongly signed
    await post(b"{broken", JSON, sign(b"{broken", SIGNING))
    mention = event_callback(app_mention("<@U0BOT> prompt"), event_id="EvCanary")
    await post(mention, JSON, sign(mention, SIGNING))
    await fake.wait_for("chat.postMessage", 1, timeout=10)
    teams = channel_message("help", "http://127.0.0.1:9")
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        async with http.post(f"{url}/api/messages", json=teams, headers=headers) as answer:
            answers.append(f"{answer.status} {await answer.text()}")
    for path in ("healthz", "readyz", "metrics"):
        async with http.get(f"{url}/{path}") as answer:
            answers.append(f"{answer.status} {await answer.text()}")
    return answers


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_secret_appears_in_output_logs_answers_metrics_or_posts(
    fake: FakeSlack, database: tuple[str, tuple[str, ...]], log_format: str
) -> None:
    url_of_database, in_url = database
    settings = env(fake, url_of_database, log_format)
    async with serve(settings) as (url, printed), aiohttp.ClientSession() as http:
        answers = await exercise(http, url, fake)
    everything = {
        "printed and logged": "\n".join(printed),
        "HTTP answers": "\n".join(answers),
        "sent to Slack": json.dumps([(c.method, c.params, c.path) for c in fake.calls]),
    }
    assert len(printed) > 5 and "Rounds stopped" in everything["printed and logged"]
    assert any(a.startswith("401") for a in answers)  # the refusals really happened
    assert any("rounds_commands_total" in a for a in answers)  # and /metrics was read
    for where, text in everything.items():
        for canary in (*CANARIES, *in_url):
            assert canary not in text, f"{canary[:12]}… appears in {where}"
    assert {c.token for c in fake.calls if c.method != "response_url"} <= {BOT_TOKEN, None}
