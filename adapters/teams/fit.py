"""Teams' limits and how card content is fitted to them, with `adapters.textfit` counting
bytes. Sizes used for packing are measured on the compact JSON with non-ASCII characters
escaped (`\\u2026`), which is never smaller than its UTF-8 form, so a card fits however the
caller serialises it. Everything here is plain JSON (dicts and lists) and neutral blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from adapters import textfit
from adapters.textfit import ELLIPSIS, Cost
from bot.replies import Block, Heading, Item, Note, Paragraph, QuoteBlock, Rich, Span, rich_text

MAX_ACTIVITY_BYTES = 40_000  # Teams refuses messages over about 40 KB
MAX_RESULT_CARD_BYTES = 28_000  # each message-extension result card
CARD_BYTES = 28_000  # a card's budget: room is left for the text fallback and the envelope
BOX_BYTES = 16_000  # a Container, before it is split in two
BOX_OVERHEAD = 100  # a Container's own JSON around its items
TEXT_BYTES = 4_000  # the text of one TextBlock or RichTextBlock
ELEMENT_BYTES = TEXT_BYTES + 200  # the most one TextBlock or RichTextBlock can take
RUN_BYTES = 70  # `{"type":"TextRun","text":"","weight":"Bolder","fontType":"Monospace"},`
MARKDOWN_BYTES = 20_000  # the text of one Markdown message (a transcript is split)

Json = dict[str, Any]


class Look(NamedTuple):
    """How a run of a RichTextBlock is shown."""

    bold: bool = False
    mono: bool = False


Run = textfit.Run[Look]


def size(payload: Any) -> int:
    """Bytes of the payload as compact UTF-8 JSON."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def wire(payload: Any) -> int:
    """Bytes of compact JSON with non-ASCII escaped: an upper bound of any compact form."""
    return len(json.dumps(payload, separators=(",", ":")))


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
    return bool(element.get("style") == "heading")


def chunks(runs: list[Run]) -> list[list[Run]]:
    """The runs of a RichTextBlock split at whitespace into pieces of at most TEXT_BYTES,
    counting RUN_BYTES for every run."""
    if sum(json_cost(text) + RUN_BYTES for text, _look in runs) <= TEXT_BYTES:
        return [runs]  # the usual case: it all fits
    pieces = textfit.split(runs, TEXT_BYTES, json_cost, _run_bytes)
    return [textfit.joined(piece) for piece in pieces]


def _run_bytes(look: Look) -> int:
    return RUN_BYTES


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
        case Heading(text=text) | Note(text=text):
            return replace(block, text=cut(text, limit))
        case Paragraph(rich=rich):
            return Paragraph(cut_rich(rich, limit))
        case QuoteBlock(text=text, attribution=attribution):
            return QuoteBlock(cut(text, limit), cut(attribution, limit))
        case Item(title=title, meta=meta, body=body):
            return replace(
                block, title=cut(title, limit), meta=cut(meta, limit), body=cut_rich(body, limit)
            )
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
