"""Shared fixtures: the bundled library, a store per test, and an in-memory test bot."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Action, Command, Conversation, Person
from bot.lookup import LookupIndex
from bot.replies import Button, Item, Note, Paragraph, QuoteBlock, Reply, rich_text
from bot.store import Store


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
