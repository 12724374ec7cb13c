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
