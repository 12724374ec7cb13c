"""Rounds served over real HTTP with Teams' Bot Connector faked by a real local server: the
pieces the Teams tests share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp

from adapters.teams.fit import Json
from bot.content.model import Library
from bot.lookup import LookupIndex
from rounds.server import Options, Server
from rounds.settings import Settings
from tests.fakes.connector import FakeConnector, Sent
from tests.slack_harness import served


@dataclass
class Teams:
    server: Server
    http: aiohttp.ClientSession
    fake: FakeConnector

    @property
    def url(self) -> str:
        return f"{self.server.url}/api/messages"

    async def post(self, activity: dict[str, Any], **headers: str) -> aiohttp.ClientResponse:
        async with self.http.post(self.url, json=activity, headers=headers) as response:
            await response.read()
            return response

    async def send(self, activity: dict[str, Any]) -> list[Sent]:
        """Post an activity and wait for the replies it causes."""
        before = len(self.fake.sent)
        response = await self.post(activity)
        assert response.status in (200, 201), response.status
        await self.fake.wait_for(before + 1)
        await asyncio.sleep(0.05)
        return self.fake.sent[before:]


@asynccontextmanager
async def running(
    library: Library, index: LookupIndex, db: Path, fake: FakeConnector, **settings: Any
) -> AsyncIterator[Teams]:
    emulator = Settings(database_url=f"sqlite:///{db}", teams_emulator=True)
    config = replace(emulator, **settings)
    options = Options(host="127.0.0.1", port=0, scheduler=False)
    async with served(library, index, config, options) as (server, http):
        yield Teams(server, http, fake)


def card_elements(card: Json) -> list[Json]:
    """Every element of the card's body, depth first, in reading order (TextRuns and the
    actions of an ActionSet too)."""
    found: list[Json] = []

    def walk(items: list[Json]) -> None:
        for element in items:
            found.append(element)
            nested = ("items", "columns", "inlines", "actions")
            walk([child for key in nested for child in element.get(key, [])])

    walk(card["body"])
    return found


def element_text(element: Json) -> str | None:
    """What a reader sees of one element: a TextBlock's text, a RichTextBlock's runs
    joined; None for an element that shows no text of its own."""
    if element.get("type") == "TextBlock":
        return str(element["text"])
    if element.get("type") == "RichTextBlock":
        return "".join(run["text"] for run in element["inlines"])
    return None


def card_texts(card: Json) -> list[str]:
    """The texts of the card, one an element, wherever they are (containers, columns)."""
    return [t for t in map(element_text, card_elements(card)) if t is not None]


def card_text(card: Json) -> str:
    """Every text of the card in reading order, one line an element."""
    return "\n".join(card_texts(card))
