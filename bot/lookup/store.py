"""The SQLite FTS5 side of the index: an in-memory database built once, then only read.

FTS5 does the searching, `bm25()` the ranking and `snippet()` the excerpts. Filters on
people and topics are plain tables joined by rowid."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from bot.lookup.snippets import CLOSE, CUT, OPEN, SNIPPET_TOKENS, clean
from bot.lookup.types import Document

TEXT_WEIGHT = 1.0
TITLE_WEIGHT = 0.4  # a word in the title counts, but less than one in the passage

SCHEMA = f"""
CREATE VIRTUAL TABLE passage USING fts5(
    text, title, tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO passage (passage, rank) VALUES ('rank', 'bm25({TEXT_WEIGHT}, {TITLE_WEIGHT})');
CREATE TABLE listing (id INTEGER PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE person (name TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE TABLE topic (slug TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX person_name ON person (name, doc);
CREATE INDEX topic_slug ON topic (slug, doc);
"""


@dataclass(frozen=True)
class Filters:
    person: str | None = None
    topic: str | None = None

    def sql(self, column: str) -> tuple[str, list[str]]:
        """`AND …` clauses restricting `column` (a passage id) to the filters."""
        clauses, params = [], []
        if self.person is not None:
            clauses.append(f" AND {column} IN (SELECT doc FROM person WHERE name = ?)")
            params.append(self.person)
        if self.topic is not None:
            clauses.append(f" AND {column} IN (SELECT doc FROM topic WHERE slug = ?)")
            params.append(self.topic)
        return "".join(clauses), params


class PassageStore:
    def __init__(self, docs: Sequence[Document]) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(SCHEMA)
        with self._db:
            self._db.executemany(
                "INSERT INTO passage (rowid, text, title) VALUES (?, ?, ?)",
                ((d.id, clean(d.text), clean(d.title)) for d in docs),
            )
            self._db.executemany("INSERT INTO listing VALUES (?, ?)", _listing(docs))
            self._db.executemany(
                "INSERT INTO person VALUES (?, ?)", ((p, d.id) for d in docs for p in d.people)
            )
            self._db.executemany(
                "INSERT INTO topic VALUES (?, ?)", ((t, d.id) for d in docs for t in d.topics)
            )
        self._db.execute("INSERT INTO passage (passage) VALUES ('optimize')")

    def matches_any(self, expression: str) -> bool:
        sql = "SELECT 1 FROM passage WHERE passage MATCH ? LIMIT 1"
        return self._db.execute(sql, (expression,)).fetchone() is not None

    def count(self, expression: str, filters: Filters) -> int:
        where, params = filters.sql("rowid")
        sql = f"SELECT count(*) FROM passage WHERE passage MATCH ?{where}"
        row = self._db.execute(sql, (expression, *params)).fetchone()
        return int(row[0])

    def page(
        self, expression: str, filters: Filters, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        """(id, score) of the best matches, best first; score is the negated bm25 rank."""
        where, params = filters.sql("rowid")
        sql = (
            f"SELECT rowid, rank FROM passage WHERE passage MATCH ?{where}"
            " ORDER BY rank, rowid LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(sql, (expression, *params, limit, offset)).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def snippets(self, expression: str, ids: Sequence[int]) -> dict[int, str]:
        """FTS5 snippets of the passage text, matches between OPEN and CLOSE markers."""
        marks = ",".join("?" * len(ids))
        sql = (
            "SELECT rowid, snippet(passage, 0, ?, ?, ?, ?) FROM passage"
            f" WHERE passage MATCH ? AND rowid IN ({marks})"
        )
        args = (OPEN, CLOSE, CUT, SNIPPET_TOKENS, expression, *ids)
        return {int(r[0]): str(r[1]) for r in self._db.execute(sql, args)}

    def listed(
        self, filters: Filters, mentions: str | None, offset: int, limit: int
    ) -> tuple[int, list[int]]:
        """Total and one page of passage ids matching the filters alone: passages matching
        the `mentions` expression first (best first), then the rest, newest first."""
        where, params = filters.sql("id")
        count = f"SELECT count(*) FROM listing WHERE 1{where}"
        total = int(self._db.execute(count, params).fetchone()[0])
        if mentions is None:
            sql = f"SELECT id FROM listing WHERE 1{where} ORDER BY position LIMIT ? OFFSET ?"
            rows = self._db.execute(sql, (*params, limit, offset))
        else:
            sql = (
                "SELECT id FROM listing LEFT JOIN"
                " (SELECT rowid AS doc, rank FROM passage WHERE passage MATCH ?) ON doc = id"
                f" WHERE 1{where} ORDER BY rank IS NULL, rank, position LIMIT ? OFFSET ?"
            )
            rows = self._db.execute(sql, (mentions, *params, limit, offset))
        return total, [int(r[0]) for r in rows]


def _listing(docs: Sequence[Document]) -> list[tuple[int, int]]:
    """Newest article first, then by article and paragraph number."""

    def order(d: Document) -> tuple[int, str, int]:
        return (-(d.date or dt.date.min).toordinal(), d.article_id, d.ordinal)

    return [(d.id, position) for position, d in enumerate(sorted(docs, key=order))]
