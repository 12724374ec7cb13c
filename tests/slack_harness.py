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

from bot.content.model import Library
from bot.context import Context
from bot.core import DEFAULT_MIDDLEWARE, Bot
from bot.lookup import LookupIndex
from bot.store import Store
from rounds.metrics import measure
from rounds.server import Options, Server
from rounds.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, sign

FORM = "application/x-www-form-urlencoded"
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


async def make_bot(library: Library, index: LookupIndex, database_url: str) -> Bot:
    store = await Store.open(database_url)
    ctx = Context(library=library, index=index, store=store, rng=random.Random(11))
    return Bot(ctx, (measure, *DEFAULT_MIDDLEWARE))


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
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        async with self.http.post(self.events_url, data=body, headers=all_headers) as response:
            await response.read()
            return response

    async def send(self, body: bytes, content_type: str = FORM, **headers: str) -> dict[str, Any]:
        """POST a signed request; the JSON answer (or {} for an empty 200)."""
        all_headers = {"Content-Type": content_type, **sign(body), **headers}
        async with self.http.post(self.events_url, data=body, headers=all_headers) as response:
            assert response.status == 200, await response.text()
            text = await response.text()
        return json.loads(text) if text else {}


@asynccontextmanager
async def running(
    library: Library,
    index: LookupIndex,
    settings: Settings,
    fake: FakeSlack,
    **options: Any,
) -> AsyncIterator[Rounds]:
    bot = await make_bot(library, index, settings.database_url)
    options = {
        "host": "127.0.0.1",
        "port": 0,
        "retry_interval": FAST_RETRIES,
        "scheduler": True,
        **options,
    }
    try:
        server = Server(bot, settings, Options(**options))
    except Exception:
        await bot.ctx.store.close()
        raise
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Rounds(server, http, fake)
    finally:
        await server.stop()
        await bot.ctx.store.close()


def words(message: dict[str, Any]) -> str:
    """Everything a person would read in a Slack message: fallback text and blocks."""
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + str(message.get("text", ""))


def buttons(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Button label → (action_id, value) in a Block Kit message."""
    found: dict[str, tuple[str, str]] = {}
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found[element["text"]["text"]] = (element["action_id"], element.get("value", ""))
    return found


def stale(seconds: int = 360) -> int:
    return int(time.time()) - seconds
