"""Match what people type to topics, articles and speakers, forgiving typos."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot import messages as m
from bot.content.model import Article, Library, Quote, Topic
from bot.lookup import ParsedQuery, library_topic_aliases, parse_query
from bot.lookup.names import topic_match

CUTOFF = 80
NAME_CUTOFF = 85
HYPHENS = re.compile(r"[-‐-―]")  # a hyphen, or a dash typed for one
NOT_NAME = re.compile(r"[^\w-]")
JOINING = frozenset({"and", "&"})  # joins two speakers' names; not a name itself


def _key(text: str) -> str:
    """Lowercase words without punctuation: `Manager–medic` and `manager medic` agree."""
    return str(utils.default_process(text))


# Topics


@dataclass(frozen=True)
class TopicMatch:
    topic: Topic
    typed: str
    exact: bool  # the typed text is the topic's slug, title or an alias


def match_topic(library: Library, query: str) -> TopicMatch | None:
    """The topic a slug, title or alias names, else the closest one (`lookup topic:` finds
    topics the same way: bot.lookup.names.topic_match)."""
    typed = " ".join(query.split())
    found = topic_match(typed, library_topic_aliases(library))
    topic = library.topics.get(found[0]) if found else None
    return TopicMatch(topic, typed, found[1]) if topic and found else None


def find_topic(library: Library, query: str) -> Topic | None:
    found = match_topic(library, query)
    return found.topic if found else None


def topic_notes(found: TopicMatch | None) -> tuple[str, ...]:
    """What to tell someone whose topic was guessed from a typo (nothing when it was not)."""
    if found is None or found.exact:
        return ()
    topic = found.topic
    return (m.TOPIC_CORRECTED.format(title=topic.title, slug=topic.slug, typed=found.typed),)


# Articles


def numbered_articles(library: Library) -> list[Article]:
    """All articles, newest first (undated last, ties by id): `articles` numbers them from
    1 in this order, whatever it shows, so a number means one article."""
    by_id = sorted(library.articles.values(), key=lambda a: a.id)
    return sorted(by_id, key=lambda a: a.date.toordinal() if a.date else 0, reverse=True)


def article_numbers(library: Library) -> dict[str, int]:
    return {a.id: n for n, a in enumerate(numbered_articles(library), start=1)}


def typed_number(query: str) -> int | None:
    """`3` or `#3`: an article's number in `articles`."""
    text = query.strip().removeprefix("#")
    return int(text) if text.isdigit() and len(text) < 6 else None


def find_articles(library: Library, query: str) -> list[Article]:
    """The articles `query` names: by number, by id, by words all in the title, else by
    words each close to a word of the title. Several when they match equally well."""
    number = typed_number(query)
    if number is not None:
        ordered = numbered_articles(library)
        return [ordered[number - 1]] if 1 <= number <= len(ordered) else []
    article = library.articles.get(query.strip().lower())
    if article is not None:
        return [article]
    words = _key(query).split()
    if not words:
        return []
    titles = {a.id: frozenset(_key(a.title).split()) for a in library.articles.values()}
    exact = [library.articles[i] for i, title in titles.items() if title.issuperset(words)]
    return exact or _closest_titles(library, titles, words)


def _closest_titles(
    library: Library, titles: dict[str, frozenset[str]], words: list[str]
) -> list[Article]:
    """The articles whose titles have, for every word, a word close to it; best first."""
    scores: dict[str, int] = {}
    for article_id, title in titles.items():
        closest = [max((fuzz.ratio(w, t) for t in title), default=0) for w in words]
        if min(closest) >= CUTOFF:
            scores[article_id] = round(sum(closest) / len(closest))
    top = max(scores.values(), default=0)
    return [library.articles[i] for i, score in scores.items() if score == top]


# Quotes


@dataclass(frozen=True)
class QuoteSearch:
    quotes: list[Quote]
    topic: TopicMatch | None = None  # the topic the quotes were chosen by
    unknown_topic: str | None = None  # a `topic:` that names no topic, as typed


def find_quotes(library: Library, query: str) -> QuoteSearch:
    """Quotes for what `quote` was given: `author:name`, `topic:slug` and "exact phrases"
    narrow them (as in `lookup`); the other words name a speaker, a topic, or words in the
    quote, tried in that order."""
    parsed = parse_query(query)
    pool = list(library.quotes.values())
    if parsed.author is not None:
        pool = _by_person(library, pool, parsed.author)
    topic = None
    if parsed.topic is not None:
        topic = match_topic(library, parsed.topic)
        if topic is None:
            return QuoteSearch([], unknown_topic=parsed.topic)
        pool = _on_topic(pool, topic)
    for phrase in _phrases(parsed):
        pool = [q for q in pool if f" {phrase} " in f" {_key(q.text)} "]
    words = " ".join(_loose_words(query, parsed))
    return _by_words(library, pool, words, topic) if words else QuoteSearch(pool, topic)


def _by_words(
    library: Library, pool: list[Quote], words: str, topic: TopicMatch | None
) -> QuoteSearch:
    """A speaker; else a topic named exactly; else quotes with all the words; else a topic
    guessed from a typo; else the quotes closest to the words."""
    people = quotes_by_person(pool, words)
    if people:
        return QuoteSearch(people, topic)
    named = match_topic(library, words) if topic is None else None
    if named is not None and named.exact:
        return QuoteSearch(_on_topic(pool, named), named)
    having = quotes_with_words(pool, words)
    if having or named is None:
        return QuoteSearch(having or closest_quotes(pool, words), topic)
    return QuoteSearch(_on_topic(pool, named), named)


def _on_topic(pool: list[Quote], found: TopicMatch) -> list[Quote]:
    return [q for q in pool if found.topic.slug in q.topics]


def _phrases(parsed: ParsedQuery) -> list[str]:
    """What was typed in quotes (one word or several), to be found as typed."""
    return [" ".join(w.text for w in t.words) for t in parsed.terms if t.quoted]


def _loose_words(query: str, parsed: ParsedQuery) -> list[str]:
    """The words outside phrases and filters; words joined by a hyphen as typed
    (`Challans-Rasool`) stay one word."""
    words: list[str] = []
    end = None
    for term in parsed.terms:
        if term.quoted:
            end = None
            continue
        word = term.words[0]
        if words and end is not None and HYPHENS.fullmatch(query[end : word.start]):
            words[-1] += "-" + word.text
        else:
            words.append(word.text)
        end = word.end
    return words


def _by_person(library: Library, pool: list[Quote], name: str) -> list[Quote]:
    """`author:`: quotes said by the person, or from an article they wrote."""
    words = _name_words(name)

    def named(quote: Quote) -> bool:
        article = library.articles.get(quote.article)
        people = (*quote.people, *(article.authors if article else ()))
        return any(_is_named(person, words) for person in people)

    return [q for q in pool if words and named(q)]


def quotes_by_person(quotes: Iterable[Quote], query: str) -> list[Quote]:
    """Quotes whose speaker's or reporter's name has every word asked for, e.g. `vyas`,
    `Emma McGuigan`, `challans`, `Challans-Rasool`."""
    words = _name_words(query)
    named = (q for q in quotes if any(_is_named(person, words) for person in q.people))
    return list(named) if words else []


def _name_words(text: str) -> list[str]:
    return [w for w in (_name_part(p) for p in text.split()) if w.strip("-")]


def _name_part(part: str) -> str:
    return NOT_NAME.sub("", HYPHENS.sub("-", part.lower()))


def _is_named(name: str, words: Sequence[str]) -> bool:
    parts = _name_parts(name)
    return all(any(fuzz.ratio(w, p) >= NAME_CUTOFF for p in parts) for w in words)


def _name_parts(name: str) -> set[str]:
    """Each part of a name, whole (`challans-rasool`) and split at its hyphens."""
    parts: set[str] = set()
    for part in name.split():
        whole = _name_part(part)
        if whole in JOINING or not whole.strip("-"):
            continue
        parts.add(whole)
        parts.update(piece for piece in whole.split("-") if piece)
    return parts


def quotes_with_words(quotes: Iterable[Quote], query: str) -> list[Quote]:
    """Quotes containing all the words (case-insensitive)."""
    words = _key(query).split()
    return [q for q in quotes if words and set(words) <= set(_key(q.text).split())]


def closest_quotes(quotes: Iterable[Quote], query: str) -> list[Quote]:
    """The few quotes closest to the words, for a query with a typo."""
    by_id = {q.id: q for q in quotes}
    texts = {i: _key(q.text) for i, q in by_id.items()}
    close = process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=75)
    return [by_id[str(key)] for _text, _score, key in close]
