"""Small pure formatting helpers shared by the handlers and the reflection threads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import actions, limits
from bot import messages as m
from bot.content.model import Article, Library, Quote, join_names
from bot.lookup import LookupHit
from bot.memo import ByteBudgetLRU
from bot.replies import Button, Item, QuoteBlock

UNDATED = "undated"


def _long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else UNDATED


_DATES: ByteBudgetLRU[dt.date | None, str] = ByteBudgetLRU("dates", limits.SMALL_CACHE_BYTES)


def long_date(day: dt.date | None) -> str:
    """`25 January 2023` (formatted once per date: every result and article names one)."""
    return _DATES.fetch(day, _long_date)


def when(moment: dt.datetime, timezone: str) -> str:
    """`Thursday 26 November 2026, 14:00 GMT`, in `timezone` (the organisation's, or a
    schedule's own), with the zone's abbreviation for that day (GMT or BST in Europe/London):
    every moment Rounds names to people."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local:%Z}"


def byline(authors: Sequence[str]) -> str:
    """`Emma Challans-Rasool and Charlotte Williams`, or `author not named`."""
    return join_names(list(authors)) or m.AUTHOR_NOT_NAMED


def publisher(article: Article) -> str:
    """Where the article was published, or `publisher not named`."""
    return article.source or m.PUBLISHER_NOT_NAMED


def article_meta(article: Article) -> str:
    """`Emma Challans-Rasool and Charlotte Williams · 25 January 2023`."""
    return f"{byline(article.authors)} · {long_date(article.date)}"


def capitalised(text: str) -> str:
    """The first letter upper case: for a described speaker that starts a line or follows
    `— ` (`a medically trained participant…` → `A medically trained participant…`)."""
    return text[:1].upper() + text[1:]


def speaker(quote: Quote) -> str:
    """Who says the words, with their role and whoever reports them:
    `Charlotte Williams (Chief Strategy and Improvement Officer, Mid and South Essex)`,
    `a medically trained participant in the tweet chat, reported by Emma Challans-Rasool`."""
    said = (
        m.SPEAKER_ROLE.format(name=quote.speaker, role=quote.role) if quote.role else quote.speaker
    )
    if quote.reported_by:
        said = m.REPORTED_BY.format(speaker=said, reporters=join_names(quote.reported_by))
    return said


def credit(quote: Quote) -> str:
    """The speaker as printed after `— `: capitalised."""
    return capitalised(speaker(quote))


def attribution(quote: Quote, article: Article) -> str:
    """`Rachna Vyas, in “Title”, Distilled Post, 13 November 2023`, capitalised (it is
    printed after `— `): the speaker, then the article's title, publisher and date, once per
    card. The authors are on the article itself (`read`, Open article); the publisher is
    left out when it is the speaker."""
    credits = [] if article.source == quote.speaker else [publisher(article)]
    credits.append(long_date(article.date))
    text = m.ATTRIBUTION.format(
        speaker=speaker(quote), title=quoted_title(article.title), credits=", ".join(credits)
    )
    return capitalised(text)


_DOUBLE_QUOTES = '“”"'
_INNER = str.maketrans({"“": "‘", "”": "’"})


def quote_block(library: Library, quote: Quote) -> QuoteBlock:
    """The quote's words and who said them, where."""
    return QuoteBlock(quote.text, attribution(quote, library.articles[quote.article]))


def passage_item(library: Library, hit: LookupHit, title: str) -> Item:
    """A passage found in an article: `title`, who wrote it and when, the passage with its
    matched words, and Open article when the article has an address."""
    doc = hit.document
    article = library.articles.get(doc.article_id)
    button = next(iter(open_article(article)), None) if article is not None else None
    meta = f"{byline(doc.authors)} · {long_date(doc.date)}"
    return Item(title=title, meta=meta, body=hit.snippet, key=doc.article_id, button=button)


def open_article(article: Article, secondary: bool = False) -> tuple[Button, ...]:
    """The button that opens the article on the web, when it has an address."""
    if not article.url:
        return ()
    label = m.BUTTON_OPEN_ARTICLE
    return (Button(label, actions.OPEN_ARTICLE, url=article.url, secondary=secondary),)


def quoted_title(title: str) -> str:
    """A title as it goes inside “…”: quotation marks around the whole of it dropped, and
    those inside it made single (`“Managers value you…?”` → `Managers value you…?`;
    `“The darkest hour…”: …` → `‘The darkest hour…’: …`), so that no “ sits inside “."""
    title = title.strip()
    inner = title[1:-1]
    whole = len(title) > 1 and title[0] in '“"' and title[-1] in '”"'
    if whole and not any(mark in inner for mark in _DOUBLE_QUOTES):
        title = inner.strip()
    title = re.sub(r'"([^"]*)"', "‘\\1’", title)
    return title.translate(_INNER)


def topic_list(library: Library) -> str:
    """`manager-medic`, `wellbeing`, … for hints."""
    return ", ".join(f"`{slug}`" for slug in library.topics)


# The punctuation that formats or links inside a line of Markdown (emphasis, code, links and
# images, autolinks and HTML, strikethrough): a backslash before each shows it as typed.
# Line-start markers (headings, lists, quotes) cannot occur: Rounds puts people's words
# after its own text on the line.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~])")


def markdown_literal(text: str) -> str:
    """People's text inside a Markdown document Rounds writes (a transcript), so that it
    reads as typed: no link, image, heading or emphasis of theirs is rendered."""
    return _MARKDOWN.sub(r"\\\1", text)
