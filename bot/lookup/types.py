"""The lookup's values: an indexed passage, one hit, and a page of results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.replies import Span


@dataclass(frozen=True)
class Document:
    """One indexed passage: a paragraph of an article, with what filters need."""

    id: int  # unique, stable
    article_id: str
    ordinal: int  # paragraph number within the article, from 0
    title: str
    authors: tuple[str, ...]  # the article's byline
    people: tuple[str, ...]  # authors plus named speakers, for author: filters
    topics: tuple[str, ...]
    date: dt.date | None
    text: str


@dataclass(frozen=True)
class LookupHit:
    document: Document
    score: float  # higher is better (the negated bm25 rank); 0.0 for filter-only lists
    snippet: tuple[Span, ...]


@dataclass(frozen=True)
class LookupResult:
    query: str  # as typed
    searched_for: str  # the query after correction, for "showing results for …"
    corrections: tuple[tuple[str, str], ...]  # (typed, used) pairs
    author: str | None  # resolved filter values, if any
    topic: str | None
    total: int
    offset: int
    hits: tuple[LookupHit, ...]
    broadened: bool  # True when the AND query found nothing and OR was used
    problem: str | None  # why nothing could be searched, for a helpful reply
    # related words (synonyms, a topic's other names) whose passages are shown after those
    # with the words themselves, for "showing results for … and related words …"
    related: tuple[str, ...] = ()
    topic_typed: str | None = None  # the `topic:` as typed, when the topic was guessed from it

    @property
    def widened(self) -> bool:
        return bool(self.related)

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)
