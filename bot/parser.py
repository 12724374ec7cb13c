"""Turn command text into a command name and its arguments; suggest near misses."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot import limits

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\x00"))
PREFIXES = ("/rounds", "@rounds")


@dataclass(frozen=True)
class Parsed:
    name: str  # canonical command name; "" when nothing was typed
    args: str
    typed: str  # the command word as typed, for "did you mean"
    known: bool


def clean(text: str) -> str:
    """Drop invisible characters and NULs, normalise compatibility forms and spaces."""
    text = unicodedata.normalize("NFKC", text.translate(INVISIBLE))  # so cleaning is idempotent
    return " ".join(text.split())


def parse(text: str, names: Mapping[str, str]) -> Parsed:
    """`names` maps every accepted word (names and aliases, lowercase) to its command."""
    words = clean(text).split(" ", 1)
    if words[0].lower() in PREFIXES:
        words = (words[1] if len(words) > 1 else "").split(" ", 1)
    typed = words[0]
    args = words[1] if len(words) > 1 else ""
    if not typed:
        return Parsed("", "", "", known=True)
    name = names.get(typed.lower())
    return Parsed(name or typed.lower(), args, typed, known=name is not None)


def suggest(word: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """Close matches for a mistyped word: prefixes first, then by similarity (only for words
    of up to `limits.LONGEST_CORRECTED` characters, like every typo correction)."""
    word = word.lower()
    options = list(dict.fromkeys(choices))
    prefixed = [c for c in options if len(word) >= 2 and c.startswith(word)]
    if len(word) > limits.LONGEST_CORRECTED:
        return prefixed[:limit]
    scored = process.extract(word, options, scorer=fuzz.ratio, limit=limit, score_cutoff=60)
    ranked = prefixed + [c for c, _score, _i in scored if c not in prefixed]
    return ranked[:limit]
