"""Pure translation of neutral replies into Slack Block Kit messages.

Blocks are built as Block Kit JSON by small constructors that keep Slack's limits by
construction: text is split at word boundaries to fit, buttons that cannot be valid are left
out, and messages over 50 blocks are paginated. `problems()` checks every limit on the
finished JSON, and the tests parse every rendered block back through slack_sdk's block
models (`Block.parse(...).validate_json()`). slack_sdk's models are not used at run time:
their validation introspects each object with `dir()` and cost about 2 ms a reply, most of
a lookup's time. Lengths are measured on the text as sent (after `&`, `<`, `>` are escaped
and bold markers added)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot import limits
from bot.replies import (
    Block,
    Button,
    Heading,
    Item,
    Note,
    Paragraph,
    QuoteBlock,
    Reply,
    Rich,
    Span,
    plain,
    rich_text,
)

MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
MESSAGE_TEXT = 3000
MODAL_TITLE = 24  # a modal's title and its submit and close labels
MODAL_BLOCKS = 100
INPUT_LABEL = 2000
INPUT_TEXT = min(3000, limits.CONTRIBUTION_CHARS)  # a form's text box: Slack's most, the core's
METADATA = 3000

FORM_BLOCK = "contribution"  # the block id of a form's text box (errors are shown under it)
FORM_INPUT = "text"  # its action id

ELLIPSIS = "…"
CONTINUED = " (continued)"
QUOTE_LINE = "> "

Json = dict[str, Any]
Word = tuple[str, tuple[Span, ...]]  # the whitespace before a word, and the word's spans
T = TypeVar("T")

_SPACE = re.compile(r"(\s+)")


@dataclass(frozen=True)
class SlackMessage:
    text: str  # top-level plain-text fallback (notifications, screen readers); never empty
    blocks: list[Json]  # Block Kit JSON, ready for chat.postMessage / response_url


def render(reply: Reply) -> list[SlackMessage]:
    """One or more messages (more only when the blocks exceed Slack's 50-block limit);
    buttons go on the last one."""
    groups = [blocks for block in reply.blocks if (blocks := _render_block(block))]
    actions = _actions(reply.buttons)
    if actions:
        groups = [*groups[:-1], groups[-1] + actions] if groups else [actions]
    pages = _pages(groups) or [[_section(ELLIPSIS)]]
    base = escape(reply.summary.strip() or _plain_text(reply) or ELLIPSIS)
    first = _cut(base, MESSAGE_TEXT)
    more = _cut(base, MESSAGE_TEXT - len(CONTINUED)) + CONTINUED
    return [SlackMessage(more if n else first, page) for n, page in enumerate(pages)]


def _render_block(block: Block) -> list[Json]:
    """The Block Kit blocks for one neutral block (none for a block with no text)."""
    match block:
        case Heading(text=text):
            return _heading(text)
        case Paragraph(rich=rich):
            return _sections(rich)
        case QuoteBlock(text=text, attribution=attribution):
            quoted = _sections(plain(f"“{text}”"), quote=True)
            return [*quoted, *_context(f"— {attribution}")]
        case Item(title=title, meta=meta, body=body):
            return [*_sections((Span(title, bold=True), Span("\n"), *body)), *_context(meta)]
        case Note(text=text):
            return _context(text)
    raise TypeError(f"unknown block {block!r}")


def action_id(button: Button, index: int) -> str:
    """Unique within a message: the action name and the button's position in the reply."""
    return f"{button.action}:{index}"


def action_name(action_id: str) -> str:
    """The inverse of `action_id`: "quote.another:0" -> "quote.another"."""
    name, sep, index = action_id.rpartition(":")
    return name if sep and index.isdigit() else action_id


def escape(text: str) -> str:
    """Slack mrkdwn escaping: only `&`, `<` and `>` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Modals


def form_view(reply: Reply, channel: str, team: str, close: str) -> Json:
    """The modal for a form reply: its paragraphs and notes above one text box. Slack sends
    the form's `submit` back as the callback id; `private_metadata` says which thread and
    where, never who."""
    form = reply.form
    if form is None:
        raise ValueError("only a form opens as a modal")
    element: Json = {
        "type": "plain_text_input",
        "action_id": FORM_INPUT,
        "multiline": True,
        "max_length": INPUT_TEXT,
    }
    if form.initial:
        element["initial_value"] = form.initial[:INPUT_TEXT]
    field = {
        "type": "input",
        "block_id": FORM_BLOCK,
        "label": _plain_text_object(_modal_text(form.label, INPUT_LABEL)),
        "element": element,
    }
    metadata = {"value": form.value, "channel": channel, "team": team}
    view = _modal(form.title, [*_texts(reply)[: MODAL_BLOCKS - 1], field], close)
    view["submit"] = _plain_text_object(_modal_text(form.button, MODAL_TITLE))
    view["callback_id"] = form.submit
    view["private_metadata"] = json.dumps(metadata)[:METADATA]
    return view


def notice_view(title: str, replies: Sequence[Reply], close: str) -> Json:
    """A modal that only says something (what became of a form), with a close button."""
    blocks = [block for reply in replies for block in _texts(reply)]
    return _modal(title, blocks[:MODAL_BLOCKS] or [_section(ELLIPSIS)], close)


def _modal(title: str, blocks: list[Json], close: str) -> Json:
    return {
        "type": "modal",
        "title": _plain_text_object(_modal_text(title, MODAL_TITLE)),
        "close": _plain_text_object(_modal_text(close, MODAL_TITLE)),
        "blocks": blocks,
    }


def _modal_text(text: str, limit: int) -> str:
    return _cut(" ".join(text.split()), limit) or ELLIPSIS


def _texts(reply: Reply) -> list[Json]:
    """A reply's paragraphs and notes as blocks (its heading is the modal's title; quotes,
    items and buttons have no place in a form)."""
    kept = (b for b in reply.blocks if isinstance(b, Paragraph | Note))
    return [out for block in kept for out in _render_block(block)]


# Text: words, sizes, chunks and mrkdwn


def _words(rich: Rich) -> list[Word]:
    """Words with the whitespace before each; a word may mix bold and plain spans."""
    words: list[tuple[str, list[Span]]] = []
    gap, joined = "", False
    for span in rich:
        for piece in _SPACE.split(span.text):
            if piece.isspace():
                gap, joined = gap + piece, False
            elif piece and joined:
                words[-1][1].append(Span(piece, span.bold))
            elif piece:
                words.append((gap, [Span(piece, span.bold)]))
                gap, joined = "", True
    return [(before, tuple(spans)) for before, spans in words]


def _size(spans: Sequence[Span]) -> int:
    """An upper bound of the mrkdwn length: escaped text plus two `*` per bold span."""
    return sum(len(escape(s.text)) + 2 * s.bold for s in spans)


def _fitting(words: Sequence[Word], limit: int) -> Iterator[Word]:
    """The words, with any word too long for `limit` on its own hard-split into pieces."""
    for gap, spans in words:
        if _size(spans) <= limit:
            yield gap, spans
            continue
        pieces = [(s,) for span in spans for s in _hard_split(span, limit)]
        yield gap, pieces[0]
        yield from (("", piece) for piece in pieces[1:])


def _hard_split(span: Span, limit: int) -> Iterator[Span]:
    budget, start, size = limit - 2 * span.bold, 0, 0
    for end, char in enumerate(span.text):
        if size + len(escape(char)) > budget:
            yield Span(span.text[start:end], span.bold)
            start, size = end, 0
        size += len(escape(char))
    yield Span(span.text[start:], span.bold)


def _chunks(rich: Rich, limit: int, newline: str = "\n") -> list[list[Word]]:
    """Split at whitespace into runs whose mrkdwn is at most `limit` characters."""
    words = _words(rich)
    sizes = [_size(spans) for _gap, spans in words]
    gaps = [len(gap.replace("\n", newline)) for gap, _spans in words]
    if sum(sizes) + sum(gaps[1:]) <= limit:  # the usual case: it all fits
        return [[("", words[0][1]), *words[1:]]] if words else []
    chunks: list[list[Word]] = []
    size = limit + 1
    for gap, spans in _fitting(words, limit):
        cost = len(gap.replace("\n", newline)) + _size(spans)
        if size + cost <= limit:
            chunks[-1].append((gap, spans))
            size += cost
        else:
            chunks.append([("", spans)])
            size = _size(spans)
    return chunks


def _plain_fit(rich: Rich, limit: int, newline: str = "\n") -> str | None:
    """The mrkdwn of `rich` when it fits in one piece (the usual case), built span by span
    without splitting into words; None when it must be split."""
    text = "".join(map(_span_mrkdwn, rich)).strip().replace("\n", newline)
    return text if len(text) <= limit else None


def _span_mrkdwn(span: Span) -> str:
    """Escaped text; a bold span is starred line by line, whitespace kept outside the stars."""
    text = escape(span.text)
    if not span.bold or not text.strip():
        return text
    return "\n".join(_starred(line) for line in text.split("\n"))


def _starred(line: str) -> str:
    core = line.strip()
    if not core:
        return line
    start = line.index(core)
    return f"{line[:start]}*{core}*{line[start + len(core) :]}"


def _mrkdwn(words: Sequence[Word], newline: str = "\n") -> str:
    """Escaped text; neighbouring bold words share one `*…*` unless a line break parts them."""
    out: list[str] = []
    bold = False
    for gap, spans in words:
        for n, span in enumerate(spans):
            space = "" if n else gap.replace("\n", newline)
            if bold and (not span.bold or "\n" in space):
                out.append("*")
                bold = False
            out.append(space)
            if span.bold and not bold:
                out.append("*")
                bold = True
            out.append(escape(span.text))
    return "".join([*out, "*"] if bold else out)


def _cut(text: str, limit: int) -> str:
    """`text`, or its longest prefix ending at a word that fits in `limit` with "…" after it."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    whole = re.match(r"(.*\S)\s", text[: room + 1], re.DOTALL)
    head = whole.group(1) if whole else re.sub(r"&[a-z]*$", "", text[:room])
    return head + ELLIPSIS


def _plain_text(reply: Reply) -> str:
    return "\n".join(filter(None, map(_plain, reply.blocks))).strip()


def _plain(block: Block) -> str:
    match block:
        case Heading(text=text) | Note(text=text):
            return text
        case Paragraph(rich=rich):
            return rich_text(rich)
        case QuoteBlock(text=text, attribution=attribution):
            return f"“{text}” — {attribution}"
        case Item(title=title, meta=meta, body=body):
            return " ".join(p for p in (title, meta, rich_text(body)) if p)
    raise TypeError(f"unknown block {block!r}")


# Blocks


def _mrkdwn_text(text: str) -> Json:
    return {"type": "mrkdwn", "text": text}


def _plain_text_object(text: str) -> Json:
    return {"type": "plain_text", "text": text}


def _section(text: str) -> Json:
    return {"type": "section", "text": _mrkdwn_text(text)}


def _sections(rich: Rich, quote: bool = False) -> list[Json]:
    """Sections of at most 3000 characters; a quote has every line prefixed with `>`."""
    newline = "\n" + QUOTE_LINE if quote else "\n"
    prefix = QUOTE_LINE if quote else ""
    fitted = _plain_fit(rich, SECTION_TEXT - len(prefix), newline)
    if fitted is not None:
        return [_section(prefix + fitted)] if fitted else []
    if not quote:
        return [_section(_mrkdwn(chunk)) for chunk in _chunks(rich, SECTION_TEXT)]
    chunks = _chunks(rich, SECTION_TEXT - len(QUOTE_LINE), newline)
    return [_section(QUOTE_LINE + _mrkdwn(chunk, newline)) for chunk in chunks]


def _heading(text: str) -> list[Json]:
    if not text.strip():
        return []
    if len(text) > HEADER_TEXT:
        return _sections((Span(text, bold=True),))
    return [{"type": "header", "text": _plain_text_object(text)}]


def _context(text: str) -> list[Json]:
    """Context blocks of up to 10 mrkdwn elements of at most 3000 characters each."""
    fitted = _plain_fit(plain(text), CONTEXT_TEXT)
    if fitted is not None:
        return [{"type": "context", "elements": [_mrkdwn_text(fitted)]}] if fitted else []
    elements = [_mrkdwn_text(_mrkdwn(c)) for c in _chunks(plain(text), CONTEXT_TEXT)]
    return [
        {"type": "context", "elements": group} for group in _batched(elements, CONTEXT_ELEMENTS)
    ]


def _actions(buttons: Sequence[Button]) -> list[Json]:
    """Buttons that can be valid, in actions blocks of at most 25 elements."""
    elements = [_button(b, n) for n, b in enumerate(buttons) if _sendable(b, n)]
    return [
        {"type": "actions", "elements": group} for group in _batched(elements, ACTIONS_ELEMENTS)
    ]


def _sendable(button: Button, index: int) -> bool:
    return len(button.value) <= BUTTON_VALUE and len(action_id(button, index)) <= ACTION_ID


def _button(button: Button, index: int) -> Json:
    label = _cut(" ".join(button.label.split()), BUTTON_TEXT) or ELLIPSIS
    element: Json = {
        "type": "button",
        "text": _plain_text_object(label),
        "action_id": action_id(button, index),
    }
    if button.value:
        element["value"] = button.value
    return element


def _batched(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _pages(groups: Sequence[list[Json]]) -> list[list[Json]]:
    """Pack each neutral block's Slack blocks into messages of at most 50, keeping them
    together unless one block alone needs more than 50."""
    pages: list[list[Json]] = []
    for group in groups:
        if pages and len(pages[-1]) + len(group) <= MAX_BLOCKS:
            pages[-1].extend(group)
        else:
            pages.extend(_batched(group, MAX_BLOCKS))
    return pages


# Checks


def problems(message: SlackMessage) -> list[str]:
    """Every way the message breaks a Block Kit limit; empty when Slack would accept it."""
    found = [] if message.text.strip() else ["the message text is empty"]
    if not 1 <= len(message.blocks) <= MAX_BLOCKS:
        found.append(f"{len(message.blocks)} blocks (Slack allows 1 to {MAX_BLOCKS})")
    ids: list[str] = []
    for n, block in enumerate(message.blocks, 1):
        kind = block.get("type", "?")
        found += [f"block {n} ({kind}): {p}" for p in _CHECKS.get(kind, _nothing)(block)]
        ids += [str(e["action_id"]) for e in block.get("elements", []) if "action_id" in e]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    return found + [f"action_id {i!r} is used more than once" for i in repeated]


def _nothing(block: Json) -> list[str]:
    return []


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")


def _too_long(what: str, text: str, limit: int) -> list[str]:
    return [f"{what} is {len(text)} characters (max {limit})"] if len(text) > limit else []


def _section_problems(block: Json) -> list[str]:
    text = _text(block.get("text"))
    empty = [] if text.strip() or block.get("fields") else ["section has no text"]
    return empty + _too_long("section text", text, SECTION_TEXT)


def _header_problems(block: Json) -> list[str]:
    text = _text(block.get("text"))
    return ([] if text.strip() else ["header has no text"]) + _too_long("header", text, HEADER_TEXT)


def _context_problems(block: Json) -> list[str]:
    elements = block.get("elements", [])
    found = _count_problems("context", len(elements), CONTEXT_ELEMENTS)
    for n, element in enumerate(elements, 1):
        found += _too_long(f"context element {n}", _text(element), CONTEXT_TEXT)
    return found


def _actions_problems(block: Json) -> list[str]:
    elements = block.get("elements", [])
    found = _count_problems("actions", len(elements), ACTIONS_ELEMENTS)
    for n, element in enumerate(elements, 1):
        found += _too_long(f"button {n} text", _text(element.get("text")), BUTTON_TEXT)
        found += _too_long(f"button {n} value", str(element.get("value", "")), BUTTON_VALUE)
        found += _too_long(f"button {n} action_id", str(element.get("action_id", "")), ACTION_ID)
    return found


def _count_problems(kind: str, count: int, limit: int) -> list[str]:
    if 1 <= count <= limit:
        return []
    return [f"{kind} block has {count} elements (Slack allows 1 to {limit})"]


_CHECKS: dict[str, Callable[[Json], list[str]]] = {
    "section": _section_problems,
    "header": _header_problems,
    "context": _context_problems,
    "actions": _actions_problems,
}
