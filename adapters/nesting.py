"""How much structure a JSON text has, found before anything parses it.

Python's `json` recurses once per level and raises `RecursionError` (not `ValueError`) near a
thousand levels; every array and object costs a parser far more than the same bytes of text;
and botbuilder turns each value of an activity's `value` or `channelData` into Python objects
one at a time, slowly (the README's measured figures). bolt and botbuilder parse
a body again themselves, so both endpoints refuse a body that nests deeper than MAX_DEPTH or
holds more than MAX_VALUES values before handing it on. Real Slack and Teams payloads nest
under 10 levels (a message event's rich text is the deepest: 8) and hold a few hundred values.

The scan is linear and runs in C string operations, not a Python loop per character:
strings are cut out, everything but brackets is dropped, a few passes remove innermost `[]`
pairs (one level each, most of any real body), and what is left is read as alternating runs
of openers and closers, whose running total is the depth. In unbalanced text that total
counts the openers a parser would recurse into before it found the text broken.
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate

MAX_DEPTH = 64
MAX_VALUES = 5_000
TOO_DEEP = f"the JSON nests more than {MAX_DEPTH} levels deep"
TOO_MANY = f"the JSON holds more than {MAX_VALUES:,} values"

_RUN = re.compile(r"\[+|\]+")
# Every ASCII character but brackets is dropped ({} become []): after the strings are cut
# out, that is all JSON has outside them.
_BRACKETS = str.maketrans("{}", "[]", "".join(c for c in map(chr, range(128)) if c not in "[]{}"))
_PASSES = 8  # at most; a pass that removes less than an eighth of what is left is the last


def refusal(text: str) -> str | None:
    """Why the JSON `text` is refused unparsed (TOO_MANY, TOO_DEEP), or None."""
    containers = text.count("[") + text.count("{")
    if containers <= MAX_DEPTH and containers + text.count(",") < MAX_VALUES:
        return None  # the common case: nothing to scan
    outside = _outside_strings(text)
    brackets = outside.translate(_BRACKETS)
    if len(brackets) // 2 + outside.count(",") + 1 > MAX_VALUES:  # a comma between two
        return TOO_MANY
    return TOO_DEEP if _deeper(brackets, MAX_DEPTH) else None


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON `text` nests arrays and objects more than `limit` levels deep."""
    if text.count("[") + text.count("{") <= limit:
        return False
    return _deeper(_outside_strings(text).translate(_BRACKETS), limit)


def _outside_strings(text: str) -> str:
    """The text with its string literals cut out. Escaped backslashes go first, so that
    `\\"` is an escaped quote and every other `"` opens or closes a string."""
    if '"' not in text:
        return text
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    return "".join(unescaped.split('"')[0::2])


def _deeper(brackets: str, limit: int) -> bool:
    peeled = 0
    while peeled < _PASSES and "[]" in brackets:
        inner = brackets.replace("[]", "")
        peeled += 1
        shrunk = len(brackets) - len(inner)
        brackets = inner
        if shrunk * 8 < len(brackets):
            break
    return peeled + _depth(brackets) > limit


def _depth(brackets: str) -> int:
    """The deepest running total of openers less closers (runs alternate)."""
    runs = list(map(len, _RUN.findall(brackets)))
    if brackets.startswith("]"):
        runs.insert(0, 0)
    opened, closed = accumulate(runs[0::2]), accumulate(runs[1::2], initial=0)
    return max(map(operator.sub, opened, closed), default=0)
