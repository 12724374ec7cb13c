"""Keyword lookup over the articles: SQLite FTS5 (bm25, phrases, snippets) with typo
correction by rapidfuzz, related words, and `author:` / `topic:` filters."""

from bot.lookup.documents import library_documents, library_topic_aliases
from bot.lookup.index import LookupIndex, Plan
from bot.lookup.query import ParsedQuery, parse_query
from bot.lookup.types import Document, LookupHit, LookupResult

__all__ = [
    "Document",
    "LookupHit",
    "LookupIndex",
    "LookupResult",
    "ParsedQuery",
    "Plan",
    "library_documents",
    "library_topic_aliases",
    "parse_query",
]
