"""Pure translation of neutral replies into Microsoft Teams Adaptive Cards (schema 1.5).

Everything here is plain JSON (dicts and lists) — no botbuilder — so it can be tested and
reused anywhere. Text is split at word boundaries into elements of bounded size, elements are
packed into cards that stay under Teams' activity limit, and `problems()` checks a finished
card. Sizes used for packing are measured on the compact JSON with non-ASCII characters
escaped (`\\u2026`), which is never smaller than its UTF-8 form, so a card fits however the
caller serialises it.

TextBlocks interpret a subset of Markdown, so content going into them is escaped; TextRuns in
a RichTextBlock are not interpreted and carry bold (and `code` spans, as monospace) as run
properties instead."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from bot import actions, limits
from bot import messages as m
from bot.events import Action
from bot.replies import (
    Block,
    Button,
    Form,
    Heading,
    Item,
    Note,
    Paragraph,
    QuoteBlock,
    Reply,
    Rich,
    Span,
    rich_text,
)

CARD = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_ACTIVITY_BYTES = 40_000  # Teams refuses messages over about 40 KB
MAX_RESULT_CARD_BYTES = 28_000  # each message-extension result card

CARD_BYTES = 28_000  # a card's budget: room is left for the text fallback and the envelope
BOX_BYTES = 16_000  # a Container, before it is split in two
BOX_OVERHEAD = 100  # a Container's own JSON around its items
TEXT_BYTES = 4_000  # the text of one TextBlock or RichTextBlock
ELEMENT_BYTES = TEXT_BYTES + 200  # the most one TextBlock or RichTextBlock can take
ACTIONS_BYTES = 8_000  # all buttons of a card together
DATA_BYTES = 2_000  # one button's submit data
FALLBACK_TEXT = 1_000
TITLE_TEXT = 75  # button titles
PREVIEW_TITLE = 200
PREVIEW_TEXT = 1_000
MAX_VALUE = 2_000  # characters of a button value that `read_submit` accepts
RUN_BYTES = 70  # `{"type":"TextRun","text":"","weight":"Bolder","fontType":"Monospace"},`
FORM_TEXT = limits.CONTRIBUTION_CHARS  # a form's text box: what the core records (fits a card)
INPUT = "text"  # the id of a form's text box: Teams sends what was typed under it
MARKDOWN_BYTES = 20_000  # the text of one Markdown message (a transcript is split)

ELLIPSIS = "…"
KEY = "rounds"  # the key that marks submit data as ours
TASK_FETCH = "task/fetch"  # a button whose data asks Teams to open a dialog (a task module)
DIALOG_SIZE = "medium"  # the dialog's height and width, in Teams' named sizes

Json = dict[str, Any]

BLOCK_TYPES = frozenset({"TextBlock", "Container", "ColumnSet", "FactSet", "RichTextBlock"})
BODY_TYPES = BLOCK_TYPES | {"Input.Text"}  # a card's own body may hold a form's text box
NESTED: dict[str, tuple[str, frozenset[str]]] = {
    "Container": ("items", BLOCK_TYPES),
    "Column": ("items", BLOCK_TYPES),
    "ColumnSet": ("columns", frozenset({"Column"})),
    "RichTextBlock": ("inlines", frozenset({"TextRun"})),
}

HEADING: Json = {"size": "Large", "weight": "Bolder", "style": "heading"}
TITLE: Json = {"weight": "Bolder"}
SMALL: Json = {"isSubtle": True, "size": "Small"}
META: Json = {**SMALL, "spacing": "None"}

_SPACE = re.compile(r"(\s+)")
_CODE = re.compile(r"`([^`\n]+)`")
_INLINE = re.compile(r"[\\`*_\[\]<]|&(?=#?\w+;)")
_LEADING = re.compile(r"^([ \t]*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)
_NEWLINES = re.compile(r"[ \t]*\n\s*")
_ACTION = re.compile(r"[\w.:-]{1,100}", re.ASCII)


@dataclass(frozen=True)
class TeamsMessage:
    text: str  # plain-text fallback/summary (notifications, screen readers); never empty
    card: Json  # an Adaptive Card (schema 1.5) as JSON


class _Run(NamedTuple):
    """A piece of inline text and how it is shown."""

    text: str
    bold: bool = False
    mono: bool = False


_Word = tuple[str, list[_Run]]  # the whitespace before a word, and the word's runs


class Submit(NamedTuple):
    """What a pressed button (or a submitted form) sent back."""

    action: str
    value: str
    text: str = ""  # what was typed into the form's text box


def render(reply: Reply) -> list[TeamsMessage]:
    """Usually one message; several when one card would be too big, split between elements
    (between blocks, or at a word inside a very long one), with the buttons on the last."""
    if reply.form is not None:
        return [_form(reply, reply.form)]
    body = [element for block in reply.blocks for element in _elements(block)]
    actions = _actions(reply.buttons)
    pages = _pack(body or _text_blocks(ELLIPSIS), CARD_BYTES - _wire(_card([], actions)))
    text = _fallback(reply)
    last = len(pages) - 1
    return [
        TeamsMessage(text, _card(page, actions if n == last else []))
        for n, page in enumerate(pages)
    ]


def attachment(card: Json) -> Json:
    return {"contentType": CARD, "content": card}


def submit_data(button: Button) -> Json:
    """The `data` of the button's Action.Submit; Teams sends it back as the activity's value."""
    return {KEY: button.action, "value": button.value}


def read_submit(value: Any) -> Submit | None:
    """The action, value and typed text from an activity's `value`, or None when it is not
    one of our buttons or forms."""
    if not isinstance(value, dict):
        return None
    action, data, text = value.get(KEY), value.get("value", ""), value.get(INPUT, "")
    if not isinstance(action, str) or not isinstance(data, str) or not isinstance(text, str):
        return None
    if not _ACTION.fullmatch(action) or len(data) > MAX_VALUE or len(text) > FORM_TEXT:
        return None
    return Submit(action, data, text)


def search_results(hits: Sequence[tuple[Reply, str, str]]) -> Json:
    """A message extension's `composeExtension` result: one card per hit, with its preview."""
    return {
        "type": "result",
        "attachmentLayout": "list",
        "attachments": [_result(reply, title, text) for reply, title, text in hits],
    }


def size(payload: Any) -> int:
    """Bytes of the payload as compact UTF-8 JSON."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def escape(text: str) -> str:
    """Text as TextBlock Markdown that shows it literally: inline marks and line-start markers
    (headings, quotes, lists) are backslash-escaped."""
    text = _INLINE.sub(_backslash, text)
    return _LEADING.sub(_escape_leading, text) if "\n" in text or _LEADING.match(text) else text


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group()


def _escape_leading(match: re.Match[str]) -> str:
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def uncode(text: str) -> str:
    """`help` -> help: the core marks commands as code, which TextBlocks cannot show."""
    return _CODE.sub(_inside, text) if "`" in text else text


def _inside(match: re.Match[str]) -> str:
    return match.group(1)


# Blocks into elements


def _elements(block: Block) -> list[Json]:
    """The card elements for one neutral block (none for a block with no text)."""
    match block:
        case Heading(text=text):
            return _text_blocks(text, HEADING)
        case Paragraph(rich=rich):
            return _rich_blocks(rich)
        case QuoteBlock(text=text, attribution=attribution):
            quote = _text_blocks(f"“{text}”") if text.strip() else []
            credit = _text_blocks(f"— {attribution}", SMALL) if attribution.strip() else []
            return _boxed([*quote, *credit], {"style": "emphasis"})
        case Item(title=title, meta=meta, body=body):
            parts = [*_text_blocks(title, TITLE), *_text_blocks(meta, META), *_rich_blocks(body)]
            return _boxed(parts, {"spacing": "Medium"})
        case Note(text=text):
            return _text_blocks(text, SMALL)
    raise TypeError(f"unknown block {block!r}")


def _text_blocks(text: str, style: Json | None = None) -> list[Json]:
    """Wrapped TextBlocks of escaped Markdown, split at words when the text is long."""
    clean = uncode(text).strip()
    clean = _NEWLINES.sub("\n\n", clean) if "\n" in clean else clean
    if not clean:
        return []
    marked = escape(clean)
    if _json_cost(marked) <= TEXT_BYTES:  # the usual case: one TextBlock
        return [{"type": "TextBlock", "text": marked, "wrap": True, **(style or {})}]
    chunks = _chunks([_Run(clean)], _markdown_cost, 0)
    texts = [escape("".join(run.text for run in chunk)) for chunk in chunks]
    return _flowing(
        [{"type": "TextBlock", "text": t, "wrap": True, **(style or {})} for t in texts]
    )


def _rich_blocks(rich: Rich) -> list[Json]:
    """RichTextBlocks of TextRuns (bold spans Bolder, code spans monospace)."""
    runs = _runs(rich)
    if not "".join(run.text for run in runs).strip():
        return []
    chunks = _chunks(runs, _json_cost, RUN_BYTES)
    return _flowing([{"type": "RichTextBlock", "inlines": list(map(_text_run, c))} for c in chunks])


def _runs(rich: Rich) -> list[_Run]:
    """Runs of the spans, with `code` inside a span becoming a monospace run."""
    runs: list[_Run] = []
    for span in rich:
        if "`" not in span.text:
            runs += [_Run(span.text, span.bold)] if span.text else []
            continue
        parts = _CODE.split(span.text)  # text, code, text, code, …, text
        runs += [_Run(part, span.bold, n % 2 == 1) for n, part in enumerate(parts) if part]
    return runs


def _text_run(run: _Run) -> Json:
    element: Json = {"type": "TextRun", "text": run.text}
    if run.bold:
        element["weight"] = "Bolder"
    if run.mono:
        element["fontType"] = "Monospace"
    return element


def _flowing(blocks: list[Json]) -> list[Json]:
    """The pieces of one split text follow each other without extra spacing."""
    return [blocks[0], *({**b, "spacing": "None"} for b in blocks[1:])] if blocks else []


def _boxed(items: list[Json], props: Json) -> list[Json]:
    """Containers holding the items, more than one only when they would be too big."""
    if not items:
        return []
    groups = _pack(items, BOX_BYTES - BOX_OVERHEAD, ELEMENT_BYTES)
    return [{"type": "Container", **props, "items": group} for group in groups]


def _actions(buttons: Sequence[Button]) -> list[Json]:
    """Action.Submit buttons, leaving out any whose data would be refused or too big. The
    anonymous contribution button opens its form in a dialog (`task/fetch`): what is said
    there, a refusal too, stays in the dialog, seen by no one else and kept in no chat."""
    chosen: list[Json] = []
    used = 0
    for button in buttons:
        data = submit_data(button)
        if button.action == actions.REFLECT_ANONYMOUS:
            data["msteams"] = {"type": TASK_FETCH}
        action = _submit(button.label, data)
        cost = _wire(action) + 1
        if read_submit(data) and _wire(data) <= DATA_BYTES and used + cost <= ACTIONS_BYTES:
            chosen.append(action)
            used += cost
    return chosen


def _submit(label: str, data: Json) -> Json:
    return {"type": "Action.Submit", "title": _title(label), "data": data}


# Forms


def _form(reply: Reply, form: Form) -> TeamsMessage:
    """A form reply: its blocks, the error in words (not only in colour), a text box holding
    what was typed before, and the button that sends it back."""
    error, initial = form.error, form.initial[:FORM_TEXT]
    blocks = [b for b in reply.blocks if not _echoes(b, error, initial)]
    body = [element for block in blocks for element in _elements(block)]
    if error.strip():
        body += _text_blocks(error, {"color": "Attention", "weight": "Bolder"})
    body.append(_text_box(form.label, initial))
    submit = {KEY: form.submit, "value": form.value}
    return TeamsMessage(_fallback(reply), _card(body, [_submit(form.button, submit)]))


def _echoes(block: Block, error: str, initial: str) -> bool:
    """Blocks that repeat the error or the typed text, which the card shows in its own way."""
    match block:
        case Paragraph(rich=rich):
            return bool(error) and rich_text(rich) == error
        case QuoteBlock(text=text):
            return bool(initial) and text == initial
    return False


def _text_box(label: str, initial: str) -> Json:
    box: Json = {
        "type": "Input.Text",
        "id": INPUT,
        "label": label,
        "isMultiline": True,
        "maxLength": FORM_TEXT,
        "isRequired": True,
        "errorMessage": m.ANONYMOUS_EMPTY,
    }
    if initial:
        box["value"] = initial
    return box


# Dialogs


def dialog(reply: Reply) -> Json:
    """A form as a Teams dialog's `TaskInfo`: its title, size and card. The dialog shows the
    title itself, so the form's heading is left out of the card."""
    form = reply.form
    if form is None:
        raise ValueError("only a form opens as a dialog")
    blocks = tuple(block for block in reply.blocks if not isinstance(block, Heading))
    return {
        "title": _title(form.title),
        "height": DIALOG_SIZE,
        "width": DIALOG_SIZE,
        "card": attachment(_form(replace(reply, blocks=blocks), form).card),
    }


def form_again(sent: Action, reason: str) -> Reply:
    """The form `sent` came from, back with the reason in words and the text as typed, for a
    refusal that came without a form (the thread closed, the database away, an error)."""
    form = Form(
        submit=sent.action,
        value=sent.value,
        title=m.ANONYMOUS_FORM_TITLE,
        label=m.ANONYMOUS_FORM_LABEL,
        button=m.ANONYMOUS_FORM_SUBMIT,
        initial=sent.text,
        error=reason,
    )
    blocks = (Paragraph.of(m.ANONYMOUS_FORM_INTRO),)
    return Reply(kind="form", blocks=blocks, summary=reason, form=form)


def plain_text(reply: Reply) -> str:
    """Every block of the reply in plain words, as a dialog's short message shows them."""
    text = "\n".join(filter(None, map(_plain, reply.blocks))).strip()
    return _cut(uncode(text), FALLBACK_TEXT) if text else _fallback(reply)


def _title(label: str) -> str:
    return _cut(" ".join(label.split()), TITLE_TEXT) or ELLIPSIS


def _card(body: list[Json], actions: list[Json]) -> Json:
    card: Json = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    card["msteams"] = {"width": "Full"}
    return card


# Sizes, words and chunks


def _wire(payload: Any) -> int:
    """Bytes of compact JSON with non-ASCII escaped: an upper bound of any compact form."""
    return len(json.dumps(payload, separators=(",", ":")))


def _json_cost(text: str) -> int:
    return len(encode_basestring_ascii(text)) - 2


def _markdown_cost(text: str) -> int:
    """An upper bound: the text escaped as if it began a line."""
    return _json_cost(escape(text))


def _pack(elements: Sequence[Json], budget: int, largest: int = BOX_BYTES) -> list[list[Json]]:
    """Elements in order, in groups whose JSON fits the budget; a heading that would end a
    group moves on with what follows it. No element is bigger than `largest`."""
    if len(elements) * (largest + 1) <= budget or _wire(elements) <= budget:
        return [list(elements)]  # the usual case: it all fits
    groups: list[list[Json]] = []
    used = budget + 1
    for element in elements:
        cost = _wire(element) + 1
        if used + cost > budget:
            carried = groups[-1].pop() if groups and _is_heading(groups[-1]) else None
            groups.append([carried] if carried else [])
            used = _wire(carried) + 1 if carried else 0
        groups[-1].append(element)
        used += cost
    return groups


def _is_heading(group: list[Json]) -> bool:
    return len(group) > 1 and group[-1].get("style") == "heading"


def _words(runs: Sequence[_Run]) -> list[_Word]:
    """Words with the whitespace before each; a word may mix runs (bold, then plain)."""
    words: list[_Word] = []
    gap, joined = "", False
    for run in runs:
        for piece in _SPACE.split(run.text):
            if piece.isspace():
                gap, joined = gap + piece, False
            elif piece and joined:
                words[-1][1].append(run._replace(text=piece))
            elif piece:
                words.append((gap, [run._replace(text=piece)]))
                gap, joined = "", True
    return words


def _chunks(runs: list[_Run], cost: Callable[[str], int], overhead: int) -> list[list[_Run]]:
    """The runs split at whitespace into chunks whose text costs at most TEXT_BYTES, counting
    `overhead` for every run; a word too long for a chunk on its own is cut."""
    if sum(cost(run.text) + overhead for run in runs) <= TEXT_BYTES:
        return [runs]  # the usual case: it all fits
    chunks: list[list[_Word]] = []
    used = TEXT_BYTES + 1
    for gap, pieces in _fitting(_words(runs), cost, overhead):
        size = sum(cost(run.text) + overhead for run in pieces)
        if used + cost(gap) + size <= TEXT_BYTES:
            chunks[-1].append((gap, pieces))
            used += cost(gap) + size
        else:
            chunks.append([("", pieces)])
            used = size
    return [_joined(chunk) for chunk in chunks]


def _fitting(words: list[_Word], cost: Callable[[str], int], overhead: int) -> Iterator[_Word]:
    """The words, with any word too long for a chunk on its own cut into pieces."""
    for gap, runs in words:
        if sum(cost(run.text) + overhead for run in runs) <= TEXT_BYTES:
            yield gap, runs
            continue
        pieces = [piece for run in runs for piece in _hard_split(run, cost, overhead)]
        yield gap, [pieces[0]]
        yield from (("", [piece]) for piece in pieces[1:])


def _hard_split(run: _Run, cost: Callable[[str], int], overhead: int) -> Iterator[_Run]:
    budget, start, used = TEXT_BYTES - overhead, 0, 0
    for end, char in enumerate(run.text):
        if used + cost(char) > budget:
            yield run._replace(text=run.text[start:end])
            start, used = end, 0
        used += cost(char)
    yield run._replace(text=run.text[start:])


def _joined(words: list[_Word]) -> list[_Run]:
    """Runs again: whitespace joins the run before it, and neighbours alike are merged."""
    runs: list[_Run] = []
    for gap, pieces in words:
        if gap and runs:
            runs[-1] = runs[-1]._replace(text=runs[-1].text + gap)
        for piece in pieces:
            if runs and runs[-1][1:] == piece[1:]:
                runs[-1] = piece._replace(text=runs[-1].text + piece.text)
            else:
                runs.append(piece)
    return runs


def _cut(text: str, limit: int) -> str:
    """`text`, or its longest prefix ending at a word that fits in `limit` with "…" after it."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    whole = re.match(r"(.*\S)\s", text[: room + 1], re.DOTALL)
    return (whole.group(1) if whole else text[:room]) + ELLIPSIS


def _cut_rich(rich: Rich, limit: int) -> Rich:
    text = rich_text(rich)
    if len(text) <= limit:
        return rich
    keep = len(_cut(text, limit)) - len(ELLIPSIS)
    spans: list[Span] = []
    for span in rich:
        if keep > 0:
            spans.append(Span(span.text[:keep], span.bold))
        keep -= len(span.text)
    return (*spans, Span(ELLIPSIS))


# Markdown documents


def markdown_pages(name: str, text: str, budget: int = MARKDOWN_BYTES) -> list[str]:
    """A Markdown document as the texts of messages, each under `budget` bytes escaped, split
    between lines (a line too long for a message of its own at a space). The first page is
    headed by the document's name."""
    pages: list[str] = []
    page, used = f"`{name}`\n\n", _json_cost(f"`{name}`\n\n")
    for line in _lines(text, budget - 2):
        cost = _json_cost(line) + 2
        if page and used + cost > budget:
            pages.append(page.rstrip())
            page, used = "", 0
        page, used = page + line + "\n", used + cost
    return [*pages, page.rstrip()] if page.strip() else pages


def _lines(text: str, budget: int) -> Iterator[str]:
    for line in text.splitlines():
        while _json_cost(line) > budget:
            head = _fitting_prefix(line, budget)
            yield head
            line = line[len(head) :].lstrip()
        yield line


def _fitting_prefix(line: str, budget: int) -> str:
    """The longest start of `line` that fits, ending at a space when there is one."""
    used, end = 0, 0
    while end < len(line) and used + _json_cost(line[end]) <= budget:
        used += _json_cost(line[end])
        end += 1
    space = line.rfind(" ", 0, end)
    return line[:space] if space > 0 else line[: max(end, 1)]


# Plain text


def _fallback(reply: Reply) -> str:
    text = reply.summary.strip() or "\n".join(filter(None, map(_plain, reply.blocks))).strip()
    return _cut(uncode(text), FALLBACK_TEXT) or ELLIPSIS


def _plain(block: Block) -> str:
    match block:
        case Heading(text=text) | Note(text=text):
            return text.strip()
        case Paragraph(rich=rich):
            return rich_text(rich).strip()
        case QuoteBlock(text=text, attribution=attribution):
            return f"“{text}” — {attribution}"
        case Item(title=title, meta=meta, body=body):
            return " ".join(p for p in (title, meta, rich_text(body)) if p.strip())
    raise TypeError(f"unknown block {block!r}")


# Message-extension results


def _result(reply: Reply, title: str, text: str) -> Json:
    preview = {
        "title": _cut(" ".join(title.split()), PREVIEW_TITLE) or ELLIPSIS,
        "text": _cut(" ".join(text.split()), PREVIEW_TEXT),
    }
    return {
        **attachment(_result_card(reply)),
        "preview": {"contentType": THUMBNAIL, "content": preview},
    }


def _result_card(reply: Reply) -> Json:
    """One card under MAX_RESULT_CARD_BYTES: the longest texts are cut at a word, to the
    largest length that fits; only if even that fails are trailing blocks left out."""
    card = _single(reply.blocks, reply.buttons)
    if _fits(card):
        return card
    low, high = (
        0,
        min(MAX_RESULT_CARD_BYTES, max((len(_plain(b)) for b in reply.blocks), default=0)),
    )
    while low < high:
        middle = (low + high + 1) // 2
        fits = _fits(_single(_capped(reply.blocks, middle), reply.buttons))
        low, high = (middle, high) if fits else (low, middle - 1)
    blocks = _capped(reply.blocks, low)
    while not _fits(card := _single(blocks, reply.buttons)) and blocks:
        blocks = blocks[: len(blocks) // 2]
    return card


def _fits(card: Json) -> bool:
    return _wire(card) < MAX_RESULT_CARD_BYTES


def _single(blocks: Sequence[Block], buttons: Sequence[Button]) -> Json:
    body = [element for block in blocks for element in _elements(block)]
    return _card(body or _text_blocks(ELLIPSIS), _actions(buttons))


def _capped(blocks: Sequence[Block], limit: int) -> tuple[Block, ...]:
    return tuple(_capped_block(block, limit) for block in blocks)


def _capped_block(block: Block, limit: int) -> Block:
    match block:
        case Heading(text=text) | Note(text=text):
            return replace(block, text=_cut(text, limit))
        case Paragraph(rich=rich):
            return Paragraph(_cut_rich(rich, limit))
        case QuoteBlock(text=text, attribution=attribution):
            return QuoteBlock(_cut(text, limit), _cut(attribution, limit))
        case Item(title=title, meta=meta, body=body):
            return replace(
                block, title=_cut(title, limit), meta=_cut(meta, limit), body=_cut_rich(body, limit)
            )
    raise TypeError(f"unknown block {block!r}")


# Checks


def problems(card: Json) -> list[str]:
    """Every way the card is not one we would send; empty when it is valid."""
    if not isinstance(card, dict):
        return ["the card is not a JSON object"]
    found = _header_problems(card) + _body_problems(card)
    return found + _actions_problems(card.get("actions", [])) + _size_problems(card)


def _body_problems(card: Json) -> list[str]:
    body = card.get("body")
    if not (isinstance(body, list) and body):
        return ["body is not a non-empty list"]
    found = _children_problems("body", body, BODY_TYPES)
    if sum(isinstance(e, dict) and e.get("type") == "Input.Text" for e in body) > 1:
        found.append("body has more than one text box")
    return found


def _header_problems(card: Json) -> list[str]:
    expected = {"type": "AdaptiveCard", "version": VERSION, "$schema": SCHEMA}
    return [
        f"{key} is {card.get(key)!r}, not {value!r}"
        for key, value in expected.items()
        if card.get(key) != value
    ]


def _children_problems(where: str, elements: list[Any], allowed: frozenset[str]) -> list[str]:
    found: list[str] = []
    for n, element in enumerate(elements, 1):
        kind = element.get("type") if isinstance(element, dict) else None
        path = f"{where}[{n}] ({kind})"
        if not isinstance(element, dict) or kind not in allowed:
            found.append(f"{path}: not an element allowed here ({', '.join(sorted(allowed))})")
            continue
        found += [f"{path}: {p}" for p in _element_problems(kind, element)]
        if kind in NESTED:
            key, kinds = NESTED[kind]
            children = element.get(key)
            if isinstance(children, list) and children:
                found += _children_problems(f"{path}.{key}", children, kinds)
            else:
                found.append(f"{path}: {key} is not a non-empty list")
    return found


def _element_problems(kind: str, element: Json) -> list[str]:
    text = element.get("text")
    if kind == "TextBlock" and not (isinstance(text, str) and text.strip()):
        return ["TextBlock has no text"]
    if kind == "TextRun" and not (isinstance(text, str) and text):
        return ["TextRun has no text"]
    if kind == "Input.Text":
        return _text_box_problems(element)
    if kind == "FactSet":
        facts = element.get("facts")
        if not isinstance(facts, list) or not facts or not all(map(_is_fact, facts)):
            return ["facts is not a non-empty list of title and value strings"]
    return []


def _is_fact(fact: Any) -> bool:
    return (
        isinstance(fact, dict)
        and isinstance(fact.get("title"), str)
        and isinstance(fact.get("value"), str)
    )


def _text_box_problems(box: Json) -> list[str]:
    found = [] if box.get("id") == INPUT else [f"the text box id is not {INPUT!r}"]
    label, value = box.get("label"), box.get("value", "")
    if not isinstance(label, str) or not label.strip():
        found.append("the text box has no label")
    if box.get("maxLength") != FORM_TEXT:
        found.append(f"the text box maxLength is not {FORM_TEXT}")
    if not isinstance(value, str) or len(value) > FORM_TEXT:
        found.append(f"the text box value is not text of at most {FORM_TEXT} characters")
    return found


def _actions_problems(actions: Any) -> list[str]:
    if not isinstance(actions, list):
        return ["actions is not a list"]
    found: list[str] = []
    for n, action in enumerate(actions, 1):
        if isinstance(action, dict) and action.get("type") == "Action.Submit":
            found += [f"action {n} {p}" for p in _submit_problems(action)]
        else:
            found.append(f"action {n} is not an Action.Submit")
    return found


def _submit_problems(action: Json) -> list[str]:
    found = _title_problems(action)
    data = action.get("data")
    if not isinstance(data, dict) or read_submit(data) is None:
        found.append(f"data is not submit data: {data!r}")
    elif data.get("msteams", {"type": TASK_FETCH}) != {"type": TASK_FETCH}:
        found.append(f"data.msteams is not a dialog's {{'type': {TASK_FETCH!r}}}")
    return found


def _title_problems(action: Json) -> list[str]:
    title = action.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > TITLE_TEXT:
        return [f"title is not 1 to {TITLE_TEXT} characters: {title!r}"]
    return []


def _size_problems(card: Json) -> list[str]:
    try:
        bytes_ = size(card)
    except (TypeError, ValueError) as error:
        return [f"the card is not JSON: {error}"]
    if bytes_ > MAX_ACTIVITY_BYTES:
        return [f"the card is {bytes_} bytes (max {MAX_ACTIVITY_BYTES})"]
    return []
