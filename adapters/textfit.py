"""One engine that fits text into a platform's limits, whatever the platform counts.

Every function takes a cost function: characters (`len`) for Slack's mrkdwn, bytes of escaped
JSON for Teams' Adaptive Cards. A cost must be additive — the cost of two texts one after the
other is the sum of their costs (`cost(a + b) == cost(a) + cost(b)`), as it is for any cost
counted character by character — and never negative. Then a piece is measured as the sum of
its parts, and every function here does work linear in the length of its input.

Styled text travels as runs, `(text, style)` pairs, so that bold or monospace stays with its
words however they are split. Nothing here knows about a platform or a reply."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import TypeVar

ELLIPSIS = "…"

Cost = Callable[[str], int]
S = TypeVar("S", bound=Hashable)  # the style of a run: bold, monospace, nothing
T = TypeVar("T")

Run = tuple[str, S]  # a piece of text and its style
Word = tuple[str, tuple[Run[S], ...]]  # the whitespace before a word, and the word's runs

_SPACE = re.compile(r"(\s+)")
_WHOLE = re.compile(r"(.*\S)\s", re.DOTALL)


def fit(text: str, budget: int, cost: Cost = len) -> int:
    """How many characters from the start of `text` fit in `budget`: a binary search, so
    the cost is asked of O(log n) slices that together hold O(n) characters."""
    if cost is len:
        return max(min(len(text), budget), 0)
    end, used, step = 0, 0, max(budget, 1)
    while end < len(text):
        piece = text[end : end + step]
        spent = cost(piece)
        if used + spent <= budget:
            end, used = end + len(piece), used + spent
        elif len(piece) == 1:
            break
        else:
            step = len(piece) // 2
    return end


def cut(text: str, budget: int, cost: Cost = len, mark: str = ELLIPSIS) -> str:
    """`text` when it fits the budget; else its longest start that ends at a word and fits
    with `mark` after it (or, when not even the first word does, its longest start)."""
    if cost(text) <= budget:
        return text
    end = fit(text, max(budget - cost(mark), 0), cost)
    whole = _WHOLE.match(text, 0, end + 1)
    return (whole.group(1) if whole else text[:end]) + mark


def one_line(text: str, budget: int, cost: Cost = len, mark: str = ELLIPSIS) -> str:
    """A label: the text on one line (whitespace collapsed) cut to the budget, never empty."""
    return cut(" ".join(text.split()), budget, cost, mark) or mark


def words(runs: Iterable[Run[S]]) -> list[Word[S]]:
    """Words with the whitespace before each; a word may mix runs (bold, then plain)."""
    found: list[tuple[str, list[Run[S]]]] = []
    gap, joined = "", False
    for text, style in runs:
        for piece in _SPACE.split(text):
            if piece.isspace():
                gap, joined = gap + piece, False
            elif piece and joined:
                found[-1][1].append((piece, style))
            elif piece:
                found.append((gap, [(piece, style)]))
                gap, joined = "", True
    return [(before, tuple(pieces)) for before, pieces in found]


def split(
    runs: Iterable[Run[S]],
    budget: int,
    cost: Cost = len,
    overhead: Callable[[S], int] = lambda style: 0,
) -> list[list[Word[S]]]:
    """The runs split at whitespace into pieces that cost at most `budget`: each run its
    text's cost plus the `overhead` of its style, the whitespace between words its cost. A
    word too long for a piece of its own is cut between characters; the whitespace where one
    piece ends and the next begins is left out, so is any before the first word."""
    pieces: list[list[Word[S]]] = []
    used = budget + 1
    for gap, word, size in _fitting(words(runs), budget, cost, overhead):
        spent = cost(gap) + size
        if used + spent <= budget:
            pieces[-1].append((gap, word))
            used += spent
        else:
            pieces.append([("", word)])
            used = size
    return pieces


def split_text(text: str, budget: int, cost: Cost = len) -> list[str]:
    """One long text as pieces that each cost at most `budget`, split at whitespace."""
    return [
        "".join(run[0] for run in joined(piece)) for piece in split([(text, None)], budget, cost)
    ]


def joined(words: Sequence[Word[S]]) -> list[Run[S]]:
    """Runs again: whitespace joins the run before it, and neighbours alike are merged."""
    runs: list[tuple[list[str], S]] = []
    for gap, pieces in words:
        if gap and runs:
            runs[-1][0].append(gap)
        for text, style in pieces:
            if runs and runs[-1][1] == style:
                runs[-1][0].append(text)
            else:
                runs.append(([text], style))
    return [("".join(texts), style) for texts, style in runs]


def pack(
    items: Iterable[T],
    budget: int,
    cost: Callable[[T], int] = lambda item: 1,
    carry: Callable[[T], bool] = lambda item: False,
) -> list[list[T]]:
    """The items in order, in pages whose costs add up to at most `budget` (an item that
    costs more has a page of its own). By default an item costs 1: pages of `budget` items.
    An item `carry` holds for (a heading) that would end a page after others moves on to the
    next page, with what follows it."""
    pages: list[list[T]] = []
    used = budget + 1
    for item in items:
        spent = cost(item)
        if used + spent > budget:
            last = pages[-1] if pages else []
            moved = [last.pop()] if len(last) > 1 and carry(last[-1]) else []
            pages.append(moved)
            used = sum(map(cost, moved))
        pages[-1].append(item)
        used += spent
    return pages


def _fitting(
    words: Iterable[Word[S]], budget: int, cost: Cost, overhead: Callable[[S], int]
) -> Iterator[tuple[str, tuple[Run[S], ...], int]]:
    """The words and their costs, with any word too long for a piece on its own cut."""
    for gap, runs in words:
        size = sum(cost(text) + overhead(style) for text, style in runs)
        if size <= budget:
            yield gap, runs, size
            continue
        parts = [part for run in runs for part in _hard_split(run, budget, cost, overhead)]
        for n, (text, style) in enumerate(parts):
            yield gap if n == 0 else "", ((text, style),), cost(text) + overhead(style)


def _hard_split(
    run: Run[S], budget: int, cost: Cost, overhead: Callable[[S], int]
) -> Iterator[Run[S]]:
    """The run cut between characters into runs that fit (at least a character each)."""
    text, style = run
    room = budget - overhead(style)
    while True:
        end = max(fit(text, room, cost), 1)
        yield text[:end], style
        text = text[end:]
        if not text:
            return


BAR_WIDTH = 24  # characters of a text chart's longest bar


def text_bars(bars: Sequence[tuple[str, int]], width: int = BAR_WIDTH) -> list[str]:
    """A bar chart as lines of text, where an image cannot be shown: `#3 Q1  ██████ 4`."""
    if not bars:
        return []
    labels = max(len(label) for label, _ in bars)
    most = max(max(value for _, value in bars), 1)
    return [
        f"{label.ljust(labels)}  {'█' * round(width * value / most)} {value}"
        for label, value in bars
    ]


# A scale (an evaluation's 1 to 5): up to SCALE_BUTTONS buttons labelled with numbers of at
# most SCALE_LABEL digits stay side by side, none hidden in a menu (which would favour the
# first ones).
# On a phone 320 px wide they take 5 × (35 + 2 × 7) = 245 px of the 288 a row has
# (adapters/teams/fit.py gives the measure).
SCALE_BUTTONS = 5
SCALE_LABEL = 2


def scale(labels: Sequence[str]) -> bool:
    """Whether buttons with these labels are a numeric scale, shown whole side by side."""
    numbers = all(lb.isdigit() and len(lb) <= SCALE_LABEL for lb in labels)
    return 1 < len(labels) <= SCALE_BUTTONS and numbers
