"""Keyword lookup over the articles: SQLite FTS5 (bm25, phrases, snippets) with typo
correction by rapidfuzz, and `author:` / `topic:` filters."""

from bot.lookup.documents import library_documents, library_topic_aliases
from bot.lookup.index import LookupIndex
from bot.lookup.query import ParsedQuery, parse_query
from bot.lookup.types import Document, LookupHit, LookupResult

__all__ = [
    "Document",
    "LookupHit",
    "LookupIndex",
    "LookupResult",
    "ParsedQuery",
    "library_documents",
    "library_topic_aliases",
    "parse_query",
]
