"""Small pure formatting helpers shared by the handlers."""

from __future__ import annotations

import datetime as dt
import re

from bot import limits
from bot.content.model import Article, Library, Quote
from bot.memo import ByteBudgetLRU

UNDATED = "undated"


def _long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else UNDATED


_DATES: ByteBudgetLRU[dt.date | None, str] = ByteBudgetLRU("dates", limits.SMALL_CACHE_BYTES)


def long_date(day: dt.date | None) -> str:
    """`25 January 2023` (formatted once per date: every result and article names one)."""
    return _DATES.fetch(day, _long_date)


def article_meta(article: Article) -> str:
    """`Emma Challans-Rasool and Charlotte Williams · 25 January 2023`."""
    return f"{article.byline} · {long_date(article.date)}"


def attribution(quote: Quote, article: Article) -> str:
    """`Rachna Vyas, in "Title" (Distilled Post, 13 November 2023)`.

    The article's author is named in brackets when someone else is speaking, and the
    source when it differs from the author."""
    credits = [] if quote.speaker == article.byline else [article.byline]
    if article.source not in (article.byline, quote.speaker):
        credits.append(article.source)
    credits.append(long_date(article.date))
    return f"{quote.speaker}, in “{article.title}” ({', '.join(credits)})"


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
