"""Which paragraphs are passages worth finding. Reference lists, link-only lines, citation
lines and footers stay in the article (for `read`) but are never results; a passage whose
text was already indexed (the same reference list twice, a repeated footer) is indexed once.

The rules, each on one paragraph and linear in its length:

1. A reference-list heading ("References", "Sources", "Notes", "Footnotes", "Further
   reading", …) and the list after it: every following paragraph of the article until one
   that reads as prose (at least `PROSE_WORDS` words and no list or footnote marker).
2. A link-only line: once its URLs and web addresses are taken out, fewer than
   `LINK_ONLY_WORDS` words are left, or the addresses are most of its characters.
3. A citation line: a short paragraph (under `PROSE_WORDS` words) that starts with a
   reference marker (`[1]`, `1.`, `1)`, `*`, `†`, `^1`) and names a year or an address.
4. A footer: a short paragraph that is boilerplate (copyright, "all rights reserved",
   "share this", "follow us on", "subscribe to", "click here", "originally published", …).
5. A repeat: the same text as a passage indexed before it, in this article or an earlier
   one (the same reference list twice, a footer under every article).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.lookup.types import Document

PROSE_WORDS = 25  # a paragraph this long, without a list marker, is prose
LINK_ONLY_WORDS = 3

_DOMAINS = ("com", "org", "net", "uk", "gov", "nhs", "io", "info", "co", "edu", "ac")
# A URL, or a bare address such as "gov.uk" or "horizonsnhs.com/school": a dotted name,
# taken whole from its start (possessive, so that it is read once), ending in a known domain.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w.-])[\w-]++(?:\.[\w-]++)++"
    + "(?:"
    + "|".join(rf"(?<=\.{d})" for d in _DOMAINS)
    + r")(?:/\S*)?",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"(?:references?|sources?|notes?|footnotes?|endnotes?|bibliography|citations?"
    r"|further reading|reading list|useful links|links)",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)]\s|\^\d{1,3}|[*†‡]|[•·\-–—]\s)")
_CITING = re.compile(r"\(\s*(?:19|20)\d\d[a-z]?\s*\)|\b(?:19|20)\d\d[a-z]?\s*[.)]?\s*$")
_FOOTER = re.compile(
    r"©|\bcopyright\b|all rights reserved|\bshare (?:this|on)\b|\bfollow us\b"
    r"|\bsubscribe (?:to|now|here)\b|\bsign up (?:to|for) (?:our|the) newsletter\b"
    r"|\bclick here\b|\boriginally (?:published|appeared)\b|\bread the full (?:article|story)\b"
    r"|\bcookie(?:s| policy)\b|\bprivacy policy\b",
    re.IGNORECASE,
)
_FOOTER_WORDS = 20
_LONGEST_HEADING = 40
_DECORATION = " \t#*_:.-–—"


def passages(docs: Iterable[Document]) -> Iterator[Document]:
    """The documents worth indexing, in the order given (each article's paragraphs are
    expected together and in order, as `library_documents` makes them)."""
    seen: set[str] = set()
    article: str | None = None
    in_references = False
    for doc in docs:
        if doc.article_id != article:
            article, in_references = doc.article_id, False
        if is_reference_heading(doc.text):
            in_references = True
            continue
        if in_references and not reads_as_prose(doc.text):
            continue
        in_references = False
        key = fingerprint(doc.text)
        if not key or key in seen or not is_passage(doc.text):
            continue
        seen.add(key)
        yield doc


def is_passage(text: str) -> bool:
    """Rules 2 to 4, for one paragraph seen on its own."""
    return not (is_link_only(text) or is_citation(text) or is_footer(text))


def is_reference_heading(text: str) -> bool:
    return len(text) <= _LONGEST_HEADING and _HEADING.fullmatch(text.strip(_DECORATION)) is not None


def reads_as_prose(text: str) -> bool:
    return _words(text) >= PROSE_WORDS and _MARKER.match(text) is None


def is_link_only(text: str) -> bool:
    if not _may_be_link_only(text):
        return False
    addresses = _ADDRESS.findall(text)
    if not addresses:
        return False
    rest = _ADDRESS.sub(" ", text)
    linked = sum(len(a) for a in addresses)
    return _words(rest) < LINK_ONLY_WORDS or 2 * linked >= len(text.strip())


def is_citation(text: str) -> bool:
    if _MARKER.match(text) is None or _words(text) >= PROSE_WORDS:
        return False
    return _CITING.search(text) is not None or _ADDRESS.search(text) is not None


def is_footer(text: str) -> bool:
    return _words(text) < _FOOTER_WORDS and _FOOTER.search(text) is not None


def fingerprint(text: str) -> str:
    """Two paragraphs with the same text (spaces aside: the library's are single already)
    are the same passage."""
    return text.strip()


def _words(text: str) -> int:
    """Words as written, counted by the spaces between them: much cheaper than the word
    pattern and near enough for the lengths above."""
    return text.strip().count(" ") + 1


def _may_be_link_only(text: str) -> bool:
    """A quick test before the address pattern is run: a URL, or a short paragraph (a
    bare address such as "gov.uk" cannot be most of a long one)."""
    return "://" in text or "www." in text or _words(text) < PROSE_WORDS
