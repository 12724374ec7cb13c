"""Rounds served over real HTTP with Slack faked by a real local server: the pieces the Slack
tests and the benchmark share."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from adapters.slack.check import problems
from adapters.slack.render import SlackMessage
from bot.content.model import Library
from bot.lookup import LookupIndex
from rounds.assembly import assemble
from rounds.server import Options, Server, serving
from rounds.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import FORM, SIGNING_SECRET, signed

FAST_RETRIES = FixedValueRetryIntervalCalculator(0.01)


def slack_settings(fake: FakeSlack, db: Path, **extra: Any) -> Settings:
    settings = Settings(
        database_url=f"sqlite:///{db}",
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=fake.app_token,
        slack_api_url=fake.api_url,
    )
    return replace(settings, **extra)


def slack_env(fake: FakeSlack, db: Path) -> dict[str, str]:
    """The environment `rounds serve` answers `fake` with, over HTTP, its database SQLite
    at `db`."""
    return {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": f"sqlite:///{db}",
    }


@asynccontextmanager
async def served(
    library: Library, index: LookupIndex, settings: Settings, options: Options
) -> AsyncIterator[tuple[Server, aiohttp.ClientSession]]:
    """Rounds assembled and served as `rounds serve` does it (on the library the tests
    share), and an HTTP client."""
    parts = replace(serving(settings, options), library=library, index=index)
    # no fairness limits: tests send more at once than a person would (test_fairness.py)
    app = await assemble(settings, replace(parts, rng=random.Random(11), fair=False))
    server = Server(app, options)
    try:
        await server.start()
        async with aiohttp.ClientSession() as http:
            yield server, http
    finally:
        await server.stop()
        await app.close()


@dataclass
class Rounds:
    """A running Rounds server and an HTTP client that talks to it as Slack would."""

    server: Server
    http: aiohttp.ClientSession
    fake: FakeSlack

    @property
    def events_url(self) -> str:
        return f"{self.server.url}/slack/events"

    async def post(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        """POST a signed request (`headers` on top); the answer, read."""
        all_headers = {**signed(body, content_type), **(headers or {})}
        async with self.http.post(self.events_url, data=body, headers=all_headers) as response:
            await response.read()
            return response

    async def send(self, body: bytes, content_type: str = FORM, **headers: str) -> dict[str, Any]:
        """POST a signed request; the JSON answer (or {} for an empty 200)."""
        response = await self.post(body, content_type, headers)
        text = await response.text()
        assert response.status == 200, text
        return json.loads(text) if text else {}


@asynccontextmanager
async def running(
    library: Library,
    index: LookupIndex,
    settings: Settings,
    fake: FakeSlack,
    **options: Any,
) -> AsyncIterator[Rounds]:
    chosen = Options(**{"host": "127.0.0.1", "port": 0, "retry_interval": FAST_RETRIES, **options})
    async with served(library, index, settings, chosen) as (server, http):
        fake.calls.clear()  # the start's own check of the token (auth.test): not the test's
        yield Rounds(server, http, fake)


def words(message: dict[str, Any]) -> str:
    """Everything a person would read in a Slack message: fallback text and blocks."""
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + str(message.get("text", ""))


def valid(message: dict[str, Any]) -> None:
    """The message keeps every Block Kit limit."""
    rendered = SlackMessage(text=message["text"], blocks=message["blocks"])
    assert problems(rendered) == [], problems(rendered)


def _elements(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The elements of a type in a message's actions blocks."""
    actions = (b for b in message.get("blocks", []) if b.get("type") == "actions")
    return [e for b in actions for e in b.get("elements", []) if e.get("type") == kind]


def buttons(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Button label → (action_id, value) in a Block Kit message."""
    return {
        e["text"]["text"]: (e["action_id"], e.get("value", ""))
        for e in _elements(message, "button")
    }


def options(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Overflow menu option label → (the menu's action_id, the option's value)."""
    return {
        option["text"]["text"]: (menu["action_id"], option["value"])
        for menu in _elements(message, "overflow")
        for option in menu["options"]
    }


def choices(message: dict[str, Any]) -> set[str]:
    """Everything a reader can press: buttons and overflow options, by label."""
    return set(buttons(message)) | set(options(message))


def stale(seconds: int = 360) -> int:
    return int(time.time()) - seconds
