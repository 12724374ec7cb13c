"""The SQLite FTS5 side of the index: an in-memory database built once, then only read.

FTS5 does the searching, `bm25()` the ranking and `snippet()` the excerpts. Filters on
people and topics are plain tables joined by rowid.

Results come in rounds, so that one article does not fill a page: each round takes every
matching article's next `PER_ROUND` best passages, and the rounds follow each other, best
first within each. So a page of three shows at most two passages of one article while
another article still has a passage to show (a page that straddles two rounds excepted).
Searches put their best `ROUNDS_DEPTH` matches in rounds (what people page through) and
list the rest by rank, so a common word costs what a plain ranked search costs."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from bot.lookup.query import fts_term
from bot.lookup.snippets import CLOSE, CUT, OPEN, SNIPPET_TOKENS, clean
from bot.lookup.types import Document

TEXT_WEIGHT = 1.0
TITLE_WEIGHT = 0.4  # a word in the title counts, but less than one in the passage
PER_ROUND = 2  # passages of one article in each round of results
ROUNDS_DEPTH = 60  # matches put in rounds (twenty pages of three); the rest by rank alone
TOKENIZER = "porter unicode61 remove_diacritics 2"

SCHEMA = f"""
CREATE VIRTUAL TABLE passage USING fts5(
    text, title, tokenize = '{TOKENIZER}'
);
CREATE VIRTUAL TABLE stems USING fts5vocab(passage, row);
CREATE VIRTUAL TABLE temp.stemmer USING fts5(word, content = '', tokenize = '{TOKENIZER}');
CREATE VIRTUAL TABLE temp.stemmed USING fts5vocab(temp, stemmer, instance);
INSERT INTO passage (passage, rank) VALUES ('rank', 'bm25({TEXT_WEIGHT}, {TITLE_WEIGHT})');
CREATE TABLE listing (
    id INTEGER PRIMARY KEY, position INTEGER NOT NULL, article INTEGER NOT NULL
);
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
        self._article = _article_numbers(docs)
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(SCHEMA)
        with self._db:
            self._db.executemany(
                "INSERT INTO passage (rowid, text, title) VALUES (?, ?, ?)",
                ((d.id, clean(d.text), clean(d.title)) for d in docs),
            )
            self._db.executemany(
                "INSERT INTO listing VALUES (?, ?, ?)", _listing(docs, self._article)
            )
            self._db.executemany(
                "INSERT INTO person VALUES (?, ?)", ((p, d.id) for d in docs for p in d.people)
            )
            self._db.executemany(
                "INSERT INTO topic VALUES (?, ?)", ((t, d.id) for d in docs for t in d.topics)
            )
        self._db.execute("INSERT INTO passage (passage) VALUES ('optimize')")

    def has_phrase(self, words: Sequence[str]) -> bool:
        """Whether any passage has these words, in this order."""
        return self.matches_any(fts_term(words))

    def matches_any(self, expression: str) -> bool:
        sql = "SELECT 1 FROM passage WHERE passage MATCH ? LIMIT 1"
        return self._db.execute(sql, (expression,)).fetchone() is not None

    def count(self, expression: str, filters: Filters) -> int:
        where, params = filters.sql("rowid")
        sql = f"SELECT count(*) FROM passage WHERE passage MATCH ?{where}"
        row = self._db.execute(sql, (expression, *params)).fetchone()
        return int(row[0])

    def page(
        self,
        expression: str,
        filters: Filters,
        offset: int,
        limit: int,
        first: tuple[str, int] | None = None,
    ) -> list[tuple[int, float]]:
        """(id, score) of the best matches, in rounds (see the module's notes); score is
        the negated bm25 rank. With `first` (an expression matching some of the passages
        that `expression` matches, and how many), those come first, ranked by it, then the
        others."""
        if first is None:
            return self._ordered(expression, filters, offset, limit)
        exact, ahead = first
        hits = self._ordered(exact, filters, offset, limit)
        rest = f"({expression}) NOT ({exact})"
        return hits + self._ordered(rest, filters, max(offset - ahead, 0), limit - len(hits))

    def _ordered(
        self, expression: str, filters: Filters, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        """The best `ROUNDS_DEPTH` matches in rounds, then the rest best first."""
        if limit <= 0:
            return []
        top = self._best(expression, filters, 0, ROUNDS_DEPTH)
        found = _in_rounds(top, self._article)[offset : offset + limit]
        if len(top) == ROUNDS_DEPTH and offset + limit > ROUNDS_DEPTH:
            start = max(offset, ROUNDS_DEPTH)
            found += self._best(expression, filters, start, offset + limit - start)
        return found

    def _best(
        self, expression: str, filters: Filters, offset: int, limit: int
    ) -> list[tuple[int, float]]:
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
        """Total and one page of passage ids matching the filters alone, in rounds: passages
        matching the `mentions` expression first (best first), then the rest, newest first."""
        where, params = filters.sql("id")
        count = f"SELECT count(*) FROM listing WHERE 1{where}"
        total = int(self._db.execute(count, params).fetchone()[0])
        if mentions is None:
            ranked = f"SELECT id, position, article, NULL AS rank FROM listing WHERE 1{where}"
        else:
            ranked = (
                "SELECT id, position, article, rank FROM listing LEFT JOIN"
                " (SELECT rowid AS doc, rank FROM passage WHERE passage MATCH ?) ON doc = id"
                f" WHERE 1{where}"
            )
            params = [mentions, *params]
        sql = (
            "SELECT id FROM (SELECT id, position, rank, (row_number() OVER (PARTITION BY"
            f" rank IS NULL, article ORDER BY rank, position) - 1) / {PER_ROUND} AS round"
            f" FROM ({ranked})) ORDER BY rank IS NULL, round, rank, position LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(sql, (*params, limit, offset))
        return total, [int(r[0]) for r in rows]

    def stem_frequencies(self) -> Counter[str]:
        """Each stemmed term of the passages, with the number of passages holding it."""
        rows = self._db.execute("SELECT term, doc FROM stems")
        return Counter({str(term): int(docs) for term, docs in rows})

    def stems(self, words: Sequence[str]) -> dict[str, str]:
        """The stem FTS5 makes of each word that is one token (for a word typed with a typo,
        to compare with the passages' stems). Writes to a scratch table, so it takes the
        index's lock like a search."""
        with self._db:
            self._db.executemany(
                "INSERT INTO stemmer (rowid, word) VALUES (?, ?)", enumerate(words)
            )
            rows = self._db.execute("SELECT doc, term FROM stemmed").fetchall()
            self._db.execute("INSERT INTO stemmer (stemmer) VALUES ('delete-all')")
        tokens: dict[int, list[str]] = {}
        for doc, term in rows:
            tokens.setdefault(int(doc), []).append(str(term))
        return {words[i]: found[0] for i, found in tokens.items() if len(found) == 1}


def _article_numbers(docs: Sequence[Document]) -> dict[int, int]:
    """Each passage's article, as a number."""
    numbers: dict[str, int] = {}
    return {d.id: numbers.setdefault(d.article_id, len(numbers)) for d in docs}


def _listing(docs: Sequence[Document], article: Mapping[int, int]) -> list[tuple[int, int, int]]:
    """(id, position, article number): newest article first, then by article and paragraph
    number."""

    def order(d: Document) -> tuple[int, str, int]:
        return (-(d.date or dt.date.min).toordinal(), d.article_id, d.ordinal)

    ordered = sorted(docs, key=order)
    return [(d.id, position, article[d.id]) for position, d in enumerate(ordered)]


def _in_rounds(
    ranked: list[tuple[int, float]], article: Mapping[int, int]
) -> list[tuple[int, float]]:
    """Ranked matches in rounds: each article's best `PER_ROUND`, then its next, …"""
    numbers = Counter(map(article.__getitem__, map(itemgetter(0), ranked)))
    if max(numbers.values(), default=0) <= PER_ROUND:
        return ranked  # one round: the order is the rank's
    seen: dict[int, int] = {}
    rounds: list[list[tuple[int, float]]] = []
    for hit in ranked:
        number = article[hit[0]]
        before = seen.get(number, 0)
        seen[number] = before + 1
        if before // PER_ROUND == len(rounds):
            rounds.append([])
        rounds[before // PER_ROUND].append(hit)
    return [hit for found in rounds for hit in found]
