"""Teams' limits and how card content is fitted to them, with `adapters.textfit` counting
bytes. Sizes used for packing are measured on the compact JSON with non-ASCII characters
escaped (`\\u2026`), which is never smaller than its UTF-8 form, so a card fits however the
caller serialises it. Everything here is plain JSON (dicts and lists) and neutral blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from adapters import textfit
from adapters.textfit import ELLIPSIS, Cost, scale
from bot import replies as r
from bot.replies import Block, Rich, Span, rich_text

MAX_ACTIVITY_BYTES = 40_000  # Teams refuses messages over about 40 KB
MAX_RESULT_CARD_BYTES = 28_000  # each message-extension result card
CARD_BYTES = 28_000  # a card's budget: room is left for the text fallback and the envelope
BOX_BYTES = 16_000  # a Container, before it is split in two
BOX_OVERHEAD = 100  # a Container's own JSON around its items
TEXT_BYTES = 4_000  # the text of one TextBlock or RichTextBlock, with its runs' JSON
ELEMENT_BYTES = TEXT_BYTES + 200  # the most one element can take (an item's ActionSet less)
URL_CHARS = 2_000  # the longest address a button opens (ASCII: a URL is percent-encoded)
MARKDOWN_BYTES = 20_000  # the text of one Markdown message (a transcript is split)

# Buttons that Teams shows whole on a phone (a card 320 px wide): the rest of a card's
# buttons go in its `…` overflow menu. Labels are counted in characters. Measured with the
# Adaptive Cards renderer and Teams' light host config (`make cards`, build/cards/
# truncation.json): 288 px for a row, about 7 px a character and 35 px a button around its
# label; the `…` button takes 44 px, as much as a 6-character label.
PRIMARY_ACTIONS = 3  # buttons shown side by side in one action set
NARROW_LABEL = 22  # characters of one button shown side by side
NARROW_LABELS = 30  # characters of all the buttons shown side by side together
OVERFLOW_LABEL = 6  # what the `…` button counts for, beside them, when there is a menu

Json = dict[str, Any]


class Look(NamedTuple):
    """How a run of a RichTextBlock is shown: its TextRun's properties."""

    bold: bool = False
    mono: bool = False
    size: str = ""  # "Small", "Medium", "Large"; "" for the body's default
    subtle: bool = False
    color: str = ""  # "Attention", …; "" for the default


def text_run(run: Run) -> Json:
    """A TextRun: its text as it is (never read as Markdown), its look as properties."""
    text, look = run
    element: Json = {"type": "TextRun", "text": text}
    if look.size:
        element["size"] = look.size
    if look.bold:
        element["weight"] = "Bolder"
    if look.subtle:
        element["isSubtle"] = True
    if look.color:
        element["color"] = look.color
    if look.mono:
        element["fontType"] = "Monospace"
    return element


Run = textfit.Run[Look]


def size(payload: Any) -> int:
    """Bytes of the payload as compact UTF-8 JSON."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def wire(payload: Any) -> int:
    """Bytes of compact JSON with non-ASCII escaped: an upper bound of any compact form."""
    return len(json.dumps(payload, separators=(",", ":")))


def side_by_side(labels: Sequence[str], menu: bool = False) -> bool:
    """Whether buttons with these labels show whole side by side in a card 320 px wide,
    beside the `…` button of a menu when there is one."""
    if not menu and scale(labels):  # an evaluation's 1 to 5 (adapters/textfit.py)
        return True
    return (
        len(labels) <= PRIMARY_ACTIONS
        and all(len(label) <= NARROW_LABEL for label in labels)
        and sum(map(len, labels)) + (OVERFLOW_LABEL if menu else 0) <= NARROW_LABELS
    )


def json_cost(text: str) -> int:
    """Bytes of the text inside a JSON string, non-ASCII escaped."""
    return len(encode_basestring_ascii(text)) - 2


def pack(elements: Sequence[Json], budget: int, largest: int = BOX_BYTES) -> list[list[Json]]:
    """Elements in order, in groups whose JSON fits the budget; a heading that would end a
    group moves on with what follows it. No element is bigger than `largest`."""
    if len(elements) * (largest + 1) <= budget or wire(elements) <= budget:
        return [list(elements)]  # the usual case: it all fits
    return textfit.pack(elements, budget, _element_cost, _is_heading)


def _element_cost(element: Json) -> int:
    return wire(element) + 1


def _is_heading(element: Json) -> bool:
    """A heading's TextBlock, or a RichTextBlock of Large runs (a heading that holds
    characters Markdown would read)."""
    if element.get("type") == "RichTextBlock":
        inlines = element.get("inlines") or [{}]
        return all(run.get("size") == "Large" for run in inlines)
    return bool(element.get("style") == "heading")


def chunks(runs: list[Run]) -> list[list[Run]]:
    """The runs of a RichTextBlock split at whitespace into pieces of at most TEXT_BYTES,
    counting each run's JSON around its text."""
    if sum(json_cost(text) + run_bytes(look) for text, look in runs) <= TEXT_BYTES:
        return [runs]  # the usual case: it all fits
    pieces = textfit.split(runs, TEXT_BYTES, json_cost, run_bytes)
    return [textfit.joined(piece) for piece in pieces]


@cache
def run_bytes(look: Look) -> int:
    """What a TextRun of this look takes beyond its text (and the comma after it)."""
    return wire(text_run(("", look))) + 1


def cut_rich(rich: Rich, limit: int) -> Rich:
    """Rich text cut at a word to `limit` characters, "…" after it, its spans kept."""
    text = rich_text(rich)
    if len(text) <= limit:
        return rich
    keep = len(textfit.cut(text, limit)) - len(ELLIPSIS)
    spans: list[Span] = []
    for span in rich:
        if keep > 0:
            spans.append(Span(span.text[:keep], span.bold))
        keep -= len(span.text)
    return (*spans, Span(ELLIPSIS))


def capped(blocks: Sequence[Block], limit: int) -> tuple[Block, ...]:
    """The blocks with every text cut at a word to at most `limit` characters."""
    return tuple(_capped(block, limit) for block in blocks)


def _capped(block: Block, limit: int) -> Block:
    cut = textfit.cut
    match block:
        case r.Heading(text=text) | r.Note(text=text) | r.Question(text=text):
            return replace(block, text=cut(text, limit))
        case r.Paragraph(rich=rich):
            return r.Paragraph(cut_rich(rich, limit))
        case r.QuoteBlock(text=text, attribution=attribution):
            return r.QuoteBlock(cut(text, limit), cut(attribution, limit))
        case r.Item(title=title, meta=meta, body=body):
            return replace(
                block, title=cut(title, limit), meta=cut(meta, limit), body=cut_rich(body, limit)
            )
        case r.Chart(title=title, bars=bars, alt=alt):
            shown = tuple((cut(label, limit), value) for label, value in bars)
            return r.Chart(cut(title, limit), shown, cut(alt, limit))
    raise TypeError(f"unknown block {block!r}")


def markdown_pages(name: str, text: str, budget: int = MARKDOWN_BYTES) -> list[str]:
    """A Markdown document as the texts of messages, each under `budget` bytes escaped, split
    between lines (a line too long for a message of its own at a space). The first page is
    headed by the document's name."""
    lines = [f"`{name}`\n", *_lines(text, budget - 2, json_cost)]
    pages = ["\n".join(page).rstrip() for page in textfit.pack(lines, budget, _line_cost)]
    return pages if pages[-1].strip() else pages[:-1]


def _lines(text: str, budget: int, cost: Cost) -> list[str]:
    return [
        piece
        for line in text.splitlines()
        for piece in ([line] if cost(line) <= budget else textfit.split_text(line, budget, cost))
    ]


def _line_cost(line: str) -> int:
    return json_cost(line) + 2  # and the line break after it
