"""Parse a lookup query into a structured query, and build FTS5 expressions from it.

Parsing is a pure function of the typed text. The query is never handed to FTS5 as typed:
words are extracted with a Unicode word pattern and every term is quoted here, so FTS5
operators (`AND`, `NEAR(`, `*`, `^`, `-`), stray quotes, emoji and control characters
are either plain words or dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot import limits

# Letters and digits, as the unicode61 tokenizer sees them (the underscore separates).
WORD = re.compile(r"[^\W_]+")
# A field name is tried only at the start of a word, and taken whole (possessive `++`): a
# long word without a colon is read once, not once from each of its letters.
TOKEN = re.compile(
    r'(?<![^\W_])(?P<field>[^\W_]++):(?:"(?P<quoted>[^"]*)(?:"|$)|(?P<bare>[^\s"]+))'
    r'|"(?P<phrase>[^"]*)"'
)
FIELDS = ("author", "topic")
# Curly and other typographic double quotes (phones and Macs type them) read as `"`: one
# character for one, so every position in the query stays where it was typed.
QUOTES = str.maketrans(dict.fromkeys("“”„‟″«»〝〞＂", '"'))


@dataclass(frozen=True)
class Word:
    text: str  # lowercase
    start: int  # where it was typed, for rewriting the query after correction
    end: int


@dataclass(frozen=True)
class Term:
    """A single word, or a phrase of several words that must appear together in order."""

    words: tuple[Word, ...]
    quoted: bool = False  # typed in quotes: searched exactly as typed, never widened

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    author: str | None = None  # the filter values as typed
    topic: str | None = None
    # where an unquoted `author:` value ends, so that the rest of a name typed after it
    # (`author:Emma Challans-Rasool`) can be read as part of the name; None if quoted
    author_end: int | None = None

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for t in self.terms for w in t.words)

    @property
    def empty(self) -> bool:
        return not self.terms and self.author is None and self.topic is None


def parse_query(query: str) -> ParsedQuery:
    """Words, "quoted phrases", `author:name`, `author:"full name"` and `topic:slug`.

    Anything else (unknown `foo:bar` prefixes, unbalanced quotes, a bare `author:`) is read
    as plain words. The first `author:` and `topic:` win; later ones are read as words.
    Curly quotes count as straight ones."""
    query = query.translate(QUOTES)
    terms: list[Term] = []
    filters: dict[str, str] = {}
    author_end: int | None = None
    position = 0
    for match in TOKEN.finditer(query):
        terms.extend(_word_terms(query, position, match.start()))
        position = match.end()
        if match.group("phrase") is not None:
            terms.extend(_phrase_terms(query, match.start("phrase"), match.end("phrase")))
            continue
        field = match.group("field").lower()
        value = _field_value(match)
        if field in FIELDS and field not in filters and WORD.search(value):
            filters[field] = " ".join(value.split())
            if field == "author" and match.group("bare") is not None:
                author_end = match.end()
        else:
            terms.extend(_word_terms(query, match.start(), match.end()))
    terms.extend(_word_terms(query, position, len(query)))
    return ParsedQuery(
        _capped(terms), filters.get("author"), filters.get("topic"), author_end=author_end
    )


def _field_value(match: re.Match[str]) -> str:
    quoted = match.group("quoted")
    return quoted if quoted is not None else match.group("bare")


def _words(query: str, start: int, end: int) -> Iterator[Word]:
    for found in WORD.finditer(query, start, end):
        yield Word(found.group().lower(), found.start(), found.end())


def _word_terms(query: str, start: int, end: int) -> list[Term]:
    return [Term((word,)) for word in _words(query, start, end)]


def _phrase_terms(query: str, start: int, end: int) -> list[Term]:
    words = tuple(_words(query, start, end))
    return [Term(words, quoted=True)] if words else []


def _capped(terms: list[Term]) -> tuple[Term, ...]:
    kept: list[Term] = []
    count = 0
    for term in terms:
        count += len(term.words)
        if count > limits.QUERY_WORDS:
            break
        kept.append(term)
    return tuple(kept)


def fts_term(words: Sequence[str]) -> str:
    """One FTS5 string: a quoted word, or a quoted phrase (quotes inside are doubled)."""
    return '"' + " ".join(words).replace('"', '""') + '"'


def fts_expression(
    terms: Sequence[Term],
    replacements: Mapping[str, str],
    *,
    any_term: bool = False,
    related: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """All terms (AND), or any of them (OR), with corrected words swapped in. A one-word
    term with `related` terms (keyed by the word searched for: a word, or a phrase's text)
    matches any of them too."""
    quoted = [_alternatives(t, replacements, related or {}) for t in terms]
    return (" OR " if any_term else " AND ").join(quoted)


def _alternatives(
    term: Term, replacements: Mapping[str, str], related: Mapping[str, Sequence[str]]
) -> str:
    words = [replacements.get(w.text, w.text) for w in term.words]
    widens = len(words) == 1 and not term.quoted
    others = [WORD.findall(t) for t in related.get(words[0], ())] if widens else []
    if not others:
        return fts_term(words)
    return "(" + " OR ".join(fts_term(t) for t in [words, *others] if t) + ")"


def rewrite(query: str, words: Sequence[Word], replacements: Mapping[str, str]) -> str:
    """The query as typed, with each corrected word replaced where it was typed."""
    parts: list[str] = []
    position = 0
    for word in words:
        used = replacements.get(word.text)
        if used is None:
            continue
        typed = query[word.start : word.end]
        parts += [query[position : word.start], _same_case(typed, used)]
        position = word.end
    parts.append(query[position:])
    return " ".join("".join(parts).split())


def _same_case(typed: str, used: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return used.upper()
    return used.capitalize() if typed[:1].isupper() else used
