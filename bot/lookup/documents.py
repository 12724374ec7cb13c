"""Documents from the content library: one per article paragraph."""

from __future__ import annotations

from bot.content.model import Library
from bot.lookup.types import Document


def library_documents(library: Library) -> list[Document]:
    """One document per paragraph of every article, numbered in article id order."""
    speakers: dict[str, list[str]] = {}
    for quote in library.quotes.values():
        speakers.setdefault(quote.article, []).extend(quote.people)
    docs: list[Document] = []
    for article_id in sorted(library.articles):
        article = library.articles[article_id]
        people = tuple(dict.fromkeys([*article.authors, *speakers.get(article_id, [])]))
        for ordinal, text in enumerate(article.paragraphs):
            docs.append(
                Document(
                    id=len(docs), article_id=article_id, ordinal=ordinal, title=article.title,
                    authors=article.authors, people=people, topics=article.topics,
                    date=article.date, text=text,
                )
            )  # fmt: skip
    return docs


def library_topic_aliases(library: Library) -> dict[str, str]:
    """Each topic's slug, title and aliases (lowercase) to its slug."""
    aliases: dict[str, str] = {}
    for topic in library.topics.values():
        for name in (topic.slug, topic.title, *topic.aliases):
            aliases.setdefault(name.lower(), topic.slug)
    return aliases
