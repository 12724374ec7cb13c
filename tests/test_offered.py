"""Promotional material and expired adverts stay searchable and readable, but are never
offered unasked: not a quote of the day, not a prompt's grounding (asked for or scheduled),
not a reflection's opener, not related reading."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.content.loader import load_library
from bot.content.model import Library, Prompt
from bot.context import Context
from bot.core import Bot
from bot.handlers.schedules import prompt_pool
from bot.lookup import LookupIndex
from bot.reflect.closing import passages
from bot.reflect.opening import _framing
from bot.store import Store
from tests.conftest import TestBot, button, text_of

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
NOT_OFFERED = {"q-course", "q-ad"}

ARTICLE = """+++
id = "{id}"
title = "{title}"
authors = ["Ann Writer"]
date = 2023-11-02
source = "Our trust intranet"
topics = ["teams"]
summary = "Our own summary."
{extra}
+++
{body}
"""

PLAIN = """Managers and medics plan the week together every Monday.

Good teams share the work of planning and the credit for it.

Ward teams that plan together handle winter better."""

ARTICLES = {
    "plain": ("Planning together", "", PLAIN),
    "course": (
        "Join our course",
        'kind = "promotional"',
        "Sign up today and unleash your inner change agent on the course.",
    ),
    "job-ad": (
        "Join the advisory group",
        'kind = "advert"\nexpires = 2024-01-31',
        "We are recruiting volunteers who plan and lead teams.",
    ),
}

QUOTES = [
    ("q-plan", "plain", "Managers and medics plan the week together every Monday."),
    ("q-share", "plain", "Good teams share the work of planning"),
    ("q-winter", "plain", "Ward teams that plan together handle winter better."),
    ("q-course", "course", "unleash your inner change agent"),
    ("q-ad", "job-ad", "We are recruiting volunteers who plan and lead teams."),
]


def write_library(folder: Path) -> Path:
    (folder / "articles").mkdir(parents=True)
    for id, (title, extra, body) in ARTICLES.items():
        text = ARTICLE.format(id=id, title=title, extra=extra, body=body)
        (folder / "articles" / f"{id}.md").write_text(text)
    (folder / "topics.toml").write_text(
        '[[topic]]\nslug = "teams"\ntitle = "Teams"\ndescription = "Working together."\n'
        'aliases = ["teamwork"]\n'
    )
    (folder / "quotes.toml").write_text(
        "".join(
            f'[[quote]]\nid = "{id}"\narticle = "{article}"\nspeaker = "Ann Writer"\n'
            f'text = "{text}"\ntopics = ["teams"]\n\n'
            for id, article, text in QUOTES
        )
    )
    (folder / "prompts.toml").write_text(
        "".join(
            f'[[prompt]]\nid = "p-{n}"\ntopic = "teams"\nquote = "{q}"\ntext = "Ask {n}?"\n\n'
            for n, q in (("1", "q-plan"), ("2", "q-share"), ("3", "q-winter"))
        )
    )
    return folder


@pytest.fixture
def small_library(tmp_path: Path) -> Library:
    result = load_library([write_library(tmp_path / "content")])
    assert result.ok and not result.warnings, result.problems
    library = result.library
    # as if an unchecked library got through: prompts and a framing quote on promotions
    for ident, quote in (("p-course", "q-course"), ("p-ad", "q-ad")):
        library.prompts[ident] = Prompt(ident, "teams", "Ask about it?", quote)
    library.topics["teams"] = replace(library.topics["teams"], framing_quote="q-course")
    return library


@pytest.fixture
async def small_store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(f"sqlite:///{tmp_path / 'rounds.db'}")
    yield opened
    await opened.close()


def context(library: Library, store: Store, seed: int) -> Context:
    index = LookupIndex.from_library(library)
    return Context(library, index, store, rng=random.Random(seed), clock=lambda: NOW)


def test_offered_means_an_articles_words_not_past_an_expires_day(small_library: Library) -> None:
    library = small_library
    today = NOW.date()
    assert [q for q in library.quotes if not library.offered(library.quotes[q], today)] == [
        "q-course",
        "q-ad",
    ]
    before = dt.date(2024, 1, 31)
    assert not library.offered(library.quotes["q-ad"], before)  # an advert: never
    plain = replace(library.articles["plain"], expires=before)
    library.articles["plain"] = plain
    assert library.offered(library.quotes["q-plan"], before)
    assert not library.offered(library.quotes["q-plan"], before + dt.timedelta(days=1))
    assert not library.article_offered("plain", today) and library.article_offered("plain")


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_quote_of_the_day_and_another_never_offer_promotions(
    small_library: Library, small_store: Store, seed: int
) -> None:
    testbot = TestBot(Bot(context(small_library, small_store, seed)))
    seen = set()
    for _ in range(8):
        reply = await testbot.send("quote")
        seen.add(reply.subject)
        reply = await testbot.press(button(reply, "Another"))
        seen.add(reply.subject)
    assert seen == {"q-plan", "q-share", "q-winter"}


async def test_asking_for_it_still_finds_promotions(
    small_library: Library, small_store: Store
) -> None:
    ctx = context(small_library, small_store, 1)
    testbot = TestBot(Bot(ctx))
    assert (await testbot.send("quote inner change agent")).subject == "q-course"
    assert (await testbot.send("quote recruiting volunteers")).subject == "q-ad"
    asked = [await testbot.send("quote Ann Writer", channel="people") for _ in range(5)]
    by_person = {reply.subject for reply in asked}  # all five, in rotation
    assert by_person >= NOT_OFFERED
    found = text_of(await testbot.send("lookup inner change agent"))
    assert "Join our course" in found
    found = text_of(await testbot.send("lookup recruiting volunteers"))
    assert "Join the advisory group" in found


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_prompts_asked_for_or_scheduled_never_rest_on_promotions(
    small_library: Library, small_store: Store, seed: int
) -> None:
    ctx = context(small_library, small_store, seed)
    testbot = TestBot(Bot(ctx))
    seen = {(await testbot.send("prompt")).subject for _ in range(9)}
    seen |= {(await testbot.send("prompt teams")).subject for _ in range(9)}
    assert seen == {"p-1", "p-2", "p-3"}
    assert prompt_pool(ctx, ()) == prompt_pool(ctx, ("teams",)) == ["p-1", "p-2", "p-3"]


async def test_a_reflection_opens_with_an_offered_quote(
    small_library: Library, small_store: Store
) -> None:
    ctx = context(small_library, small_store, 1)
    framing = _framing(ctx, small_library.topics["teams"])  # its framing quote is promotional
    assert framing is not None and framing.text == small_library.quotes["q-plan"].text


async def test_related_reading_never_offers_promotions(
    small_library: Library, small_store: Store
) -> None:
    ctx = context(small_library, small_store, 1)
    themes = ["inner change agent", "recruiting volunteers", "plan teams"]
    words = "inner change agent recruiting volunteers plan teams"
    searched = {hit.document.article_id for hit in ctx.index.search(words, 0, 10).hits}
    assert {"course", "job-ad"} <= searched  # found by a search
    chosen = passages(ctx, small_library.topics["teams"], themes)
    assert [item.key for item in chosen] == ["plain"]  # not offered as related reading
