"""Types of the content library: articles, their passages, topics, quotes, prompts, models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# What a piece of writing is: only `article` (writing about leadership) is ever offered
# unasked (a quote of the day, a prompt's grounding, a reflection's opener, related
# reading); `promotional` (course or product copy) and `advert` (a recruitment or event
# notice) stay searchable and readable.
ARTICLE, PROMOTIONAL, ADVERT = "article", "promotional", "advert"
KINDS = (ARTICLE, PROMOTIONAL, ADVERT)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    authors: tuple[str, ...]  # empty when the source names no author
    date: dt.date | None  # None when the source gives no date
    source: str  # the publisher; "" when the source names none
    topics: tuple[str, ...]
    summary: str
    body: str
    url: str | None = None
    kind: str = ARTICLE
    expires: dt.date | None = None  # an advert's last day: after it, never offered unasked
    origin: str = ""  # the file it was loaded from, for messages

    def expired(self, today: dt.date | None) -> bool:
        return self.expires is not None and today is not None and today > self.expires

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
    # who says it: a name ("Rachna Vyas", "Dan Hughes and Paul St. Georges"), or with
    # `described`, a description of someone the article does not name ("a medically
    # trained participant in the tweet chat")
    speaker: str
    topics: tuple[str, ...] = ()
    described: bool = False
    role: str = ""  # tells apart two people of one name ("Chief Strategy Officer, MSE")
    reported_by: tuple[str, ...] = ()  # who reports the words: the article's author(s)
    kind: str | None = None  # None: the article's kind
    origin: str = ""

    @property
    def people(self) -> tuple[str, ...]:
        """The names a search for a person finds the quote by: its speaker's, unless the
        speaker is only described (`quote nhs` is no search for a person), and its
        reporters'."""
        return self.reported_by if self.described else (self.speaker, *self.reported_by)


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

    def kind_of(self, quote: Quote) -> str:
        """The quote's own kind, else its article's."""
        if quote.kind is not None:
            return quote.kind
        article = self.articles.get(quote.article)
        return article.kind if article is not None else ARTICLE

    def offered(self, quote: Quote, today: dt.date | None = None) -> bool:
        """Whether Rounds may offer the quote unasked (a quote of the day, a prompt's
        grounding, a reflection's opener, related reading): an article's words, and not
        from an advert past its last day. Anything may still be found by a search."""
        article = self.articles.get(quote.article)
        expired = article is not None and article.expired(today)
        return self.kind_of(quote) == ARTICLE and not expired

    def article_offered(self, article_id: str, today: dt.date | None = None) -> bool:
        """Whether the article may be offered unasked (as related reading): a plain
        article, not past an `expires` day."""
        article = self.articles.get(article_id)
        return article is not None and article.kind == ARTICLE and not article.expired(today)

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
