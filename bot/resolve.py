"""Match what people type to topics, articles and speakers, forgiving typos."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from bot.content.model import Article, Library, Quote, Topic
from bot.lookup import library_topic_aliases

CUTOFF = 80


def _best(query: str, choices: dict[str, str], cutoff: int = CUTOFF) -> str | None:
    """The key whose label best matches `query`, or None."""
    match = process.extractOne(
        query, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=cutoff
    )
    return None if match is None else str(match[2])


def find_topic(library: Library, query: str) -> Topic | None:
    query = query.strip().lower()
    if not query:
        return None
    labels = library_topic_aliases(library)
    slug = labels.get(query) or labels.get(query.replace(" ", "-"))
    if slug is None:
        label = _best(query, {label: label for label in labels})
        slug = labels[label] if label else None
    return library.topics.get(slug) if slug else None


def find_article(library: Library, query: str) -> Article | None:
    query = query.strip()
    if not query:
        return None
    if query.lower() in library.articles:
        return library.articles[query.lower()]
    labels = {a.id: f"{a.id} {a.title}" for a in library.articles.values()}
    article_id = _best(query, labels, cutoff=70)
    return library.articles.get(article_id) if article_id else None


def quotes_by_person(library: Library, query: str) -> list[Quote]:
    """Quotes whose speaker's name matches, e.g. `vyas` or `Emma McGuigan`."""
    words = query.lower().split()
    if not words:
        return []
    return [q for q in library.quotes.values() if all(_name_has(q.speaker, w) for w in words)]


def _name_has(name: str, word: str) -> bool:
    parts = utils.default_process(name).split()
    return any(fuzz.ratio(word, part) >= 85 for part in parts)


def quotes_with_words(library: Library, query: str) -> list[Quote]:
    """Quotes containing all the words (case-insensitive), else the closest few."""
    words = utils.default_process(query).split()
    if not words:
        return []
    texts = {q.id: utils.default_process(q.text) for q in library.quotes.values()}
    exact = [library.quotes[i] for i, t in texts.items() if all(w in t.split() for w in words)]
    if exact:
        return exact
    close = process.extract(query, texts, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=75)
    return [library.quotes[str(key)] for _text, _score, key in close]
