"""Shared fixtures: the bundled library, a store per test, and an in-memory test bot."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Action, Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.replies import Button, Form, Item, Note, Paragraph, QuoteBlock, Reply, rich_text
from bot.store import Store, async_url


@pytest.fixture(scope="session")
def library() -> Library:
    result = load_library([bundled_content_dir()])
    assert result.ok, result.problems
    return result.library


@pytest.fixture(scope="session")
def index(library: Library) -> LookupIndex:
    return LookupIndex.from_library(library)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(f"sqlite:///{tmp_path / 'rounds.db'}")
    yield opened
    await opened.close()


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


@pytest.fixture
async def testbot(library: Library, index: LookupIndex, store: Store) -> TestBot:
    ctx = Context(library=library, index=index, store=store, rng=random.Random(7))
    return TestBot(Bot(ctx))


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


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        store = await Store.open(f"sqlite:///{tmp_path / 'r.db'}")
        yield store
        await store.close()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need ROUNDS_TEST_DATABASE_URL (.ci/run sets it)")
    url, name = await fresh_postgres()
    store = await Store.open(url)
    yield store
    await store.close()
    await drop_postgres(name)
