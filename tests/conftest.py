"""Shared fixtures: the bundled library, a store per test, an in-memory test bot, and the
faked platforms with Rounds served over HTTP to them."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.commands import SPECS
from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Action, Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.replies import Button, Form, Item, Note, Paragraph, QuoteBlock, Reply, rich_text
from bot.store import Store, async_url
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import Rounds, running, slack_settings
from tests.teams_harness import Teams
from tests.teams_harness import running as teams_running


@pytest.fixture(scope="session")
def library() -> Library:
    result = load_library([bundled_content_dir()])
    assert result.ok, result.problems
    return result.library


@pytest.fixture(scope="session")
def index(library: Library) -> LookupIndex:
    return LookupIndex.from_library(library)


@asynccontextmanager
async def opened(database_url: str) -> AsyncIterator[Store]:
    """The store on the database at `database_url` (migrated), closed when the block ends."""
    store = await Store.open(database_url)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with opened(f"sqlite:///{tmp_path / 'rounds.db'}") as sqlite_store:
        yield sqlite_store


def form_of(reply: Reply) -> Form:
    """The form a reply carries (failing the test when it carries none)."""
    assert reply.form is not None, reply
    return reply.form


def text_of(reply: Reply) -> str:
    """All the words of a reply, in order, for "expect that reply" assertions."""
    parts: list[str] = []
    for block in reply.blocks:
        match block:
            case Paragraph(rich=rich):
                parts.append(rich_text(rich))
            case QuoteBlock(text=text, attribution=attribution):
                parts.append(f"“{text}” — {attribution}")
            case Item(title=title, meta=meta, body=body):
                parts.append(" ".join(p for p in (title, meta, rich_text(body)) if p))
            case Note(text=text):
                parts.append(text)
            case _:
                parts.append(getattr(block, "text", ""))
    return "\n".join(parts)


@dataclass
class TestBot:
    """Send this, expect that reply — the core driven directly, no platform."""

    bot: Bot
    channel: str = "general"
    user: str = "alice"
    last: list[Reply] = field(default_factory=list)

    __test__ = False  # not a test class

    def _where(self, user: str | None, channel: str | None) -> tuple[Conversation, Person]:
        conversation = Conversation("console", channel or self.channel, workspace="test")
        name = user or self.user
        return conversation, Person(id=f"U-{name}", name=name)

    async def send(self, text: str, user: str | None = None, channel: str | None = None) -> Reply:
        conversation, person = self._where(user, channel)
        self.last = await self.bot.handle(Command(conversation, person, text))
        return self.last[0]

    async def press(self, button: Button, user: str | None = None) -> Reply:
        conversation, person = self._where(user, None)
        event = Action(conversation, person, button.action, button.value)
        self.last = await self.bot.handle(event)
        return self.last[0]


def button(reply: Reply, label: str) -> Button:
    matches = [b for b in reply.buttons if b.label == label]
    assert matches, f"no {label!r} button in {[b.label for b in reply.buttons]}"
    return matches[0]


# Lines that drive every command through the real bot: each declared command bare, with its
# example and its help, then the mistakes and misses a renderer must show as well.
COMMAND_LINES = list(
    dict.fromkeys(
        [
            *(line for c in SPECS for line in (c.name, c.example, f"help {c.name}")),
            *("help search", "help qoute", "quote winter", "quote vyas", "quote zzqx wqpz"),
            *("lookup triumverate", "lookup nonsense", "lookup zzqx wqpz blorft"),
            'lookup "clinical leadership" author:vyas',
            *("articles no-such-topic", "read no-such-article", "prompt no-such-topic"),
            *("qoute winter", "xyzzy", ""),
        ]
    )
)


@pytest.fixture
async def testbot(library: Library, index: LookupIndex, store: Store) -> TestBot:
    ctx = Context(library=library, index=index, store=store, rng=random.Random(7))
    return TestBot(Bot(ctx))


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    """Slack's Web API, faked by a real local server for the test."""
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """Teams' Bot Connector, faked by a real local server for the test."""
    teams = FakeConnector()
    await teams.start()
    yield teams
    await teams.stop()


def serving_slack(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path, scheduler: bool
) -> AbstractAsyncContextManager[Rounds]:
    settings = slack_settings(fake, tmp_path / "r.db")
    return running(library, index, settings, fake, scheduler=scheduler)


@pytest.fixture
async def rounds(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Rounds]:
    """Rounds served over HTTP to the fake Slack, its scheduler running."""
    async with serving_slack(library, index, fake, tmp_path, scheduler=True) as r:
        yield r


@pytest.fixture
async def slack(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Rounds]:
    """Rounds served over HTTP to the fake Slack, without a scheduler."""
    async with serving_slack(library, index, fake, tmp_path, scheduler=False) as r:
        yield r


@pytest.fixture
async def teams(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> AsyncIterator[Teams]:
    """Rounds served over HTTP to the fake Bot Connector (Teams in emulator mode)."""
    async with teams_running(library, index, tmp_path / "t.db", connector) as t:
        yield t


PG_URL = os.environ.get("ROUNDS_TEST_DATABASE_URL")


async def fresh_postgres() -> tuple[str, str]:
    """A new empty database on the test server, so tests never share state."""
    assert PG_URL
    name = f"rounds_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(async_url(PG_URL), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    base, _sep, _db = PG_URL.rpartition("/")
    return f"{base}/{name}", name


async def drop_postgres(name: str) -> None:
    assert PG_URL
    admin = create_async_engine(async_url(PG_URL), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """The URL of a new empty database on the test server, dropped when the block ends."""
    url, name = await fresh_postgres()
    try:
        yield url
    finally:
        await drop_postgres(name)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database on each engine: SQLite, and PostgreSQL when the tests have one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rounds.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need ROUNDS_TEST_DATABASE_URL (.ci/run sets it)")
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def any_store(database_url: str) -> AsyncIterator[Store]:
    async with opened(database_url) as store:
        yield store
