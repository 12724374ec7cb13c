"""Types of the content library: articles, their passages, topics, quotes, prompts, models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    authors: tuple[str, ...]
    date: dt.date | None  # None when the source gives no date
    source: str
    topics: tuple[str, ...]
    summary: str
    body: str
    url: str | None = None
    origin: str = ""  # the file it was loaded from, for messages

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return split_paragraphs(self.body)

    @property
    def byline(self) -> str:
        return join_names(self.authors)


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    description: str
    aliases: tuple[str, ...] = ()
    framing_quote: str | None = None  # quote id
    introduction: str = ""
    flagship: bool = False
    origin: str = ""


@dataclass(frozen=True)
class Quote:
    id: str
    article: str  # article id
    text: str
    speaker: str
    topics: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class Prompt:
    id: str
    topic: str
    text: str
    quote: str  # quote id that grounds the question
    origin: str = ""


@dataclass(frozen=True)
class ModelStep:
    label: str
    question: str


@dataclass(frozen=True)
class ReflectionModel:
    slug: str
    title: str
    description: str
    steps: tuple[ModelStep, ...]
    source: str = ""
    interval_minutes: int | None = None  # set for live, timed models such as a tweet chat
    origin: str = ""


@dataclass
class Library:
    articles: dict[str, Article] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)
    prompts: dict[str, Prompt] = field(default_factory=dict)
    models: dict[str, ReflectionModel] = field(default_factory=dict)

    def quotes_for_topic(self, slug: str) -> list[Quote]:
        return [q for q in self.quotes.values() if slug in q.topics]

    def prompts_for_topic(self, slug: str) -> list[Prompt]:
        return [p for p in self.prompts.values() if p.topic == slug]

    def articles_for_topic(self, slug: str) -> list[Article]:
        return [a for a in self.articles.values() if slug in a.topics]


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Paragraphs are separated by blank lines; whitespace inside one is collapsed."""
    parts = (normalise_space(p) for p in body.split("\n\n"))
    return tuple(p for p in parts if p)


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def join_names(names: tuple[str, ...] | list[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
