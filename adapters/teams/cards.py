"""Pure translation of neutral replies into Microsoft Teams Adaptive Cards (schema 1.5).

Everything here is plain JSON (dicts and lists) — no botbuilder — so it can be tested and
reused anywhere. Text is split at word boundaries into elements of bounded size, elements are
packed into cards that stay under Teams' activity limit (`fit`), and `check.problems()`
checks a finished card.

TextBlocks interpret a subset of Markdown, so content going into them is escaped; TextRuns in
a RichTextBlock are not interpreted and carry bold (and `code` spans, as monospace) as run
properties instead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from adapters.teams.fit import (
    BOX_BYTES,
    BOX_OVERHEAD,
    CARD_BYTES,
    ELEMENT_BYTES,
    MAX_RESULT_CARD_BYTES,
    TEXT_BYTES,
    Json,
    Look,
    Run,
    capped,
    chunks,
    json_cost,
    pack,
    wire,
)
from adapters.textfit import ELLIPSIS, cut, one_line, split_text
from bot import actions, limits
from bot import messages as m
from bot import replies as r
from bot.events import Action
from bot.replies import Block, Button, Form, Reply, Rich, plain_text, rich_text

CARD = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTIONS_BYTES = 8_000  # all buttons of a card together
DATA_BYTES = 2_000  # one button's submit data
FALLBACK_TEXT = 1_000
TITLE_TEXT = 75  # button titles
PREVIEW_TITLE = 200
PREVIEW_TEXT = 1_000
MAX_VALUE = 2_000  # characters of a button value that `read_submit` accepts
FORM_TEXT = limits.CONTRIBUTION_CHARS  # a form's text box: what the core records (fits a card)
INPUT = "text"  # the id of a form's text box: Teams sends what was typed under it

KEY = "rounds"  # the key that marks submit data as ours
TASK_FETCH = "task/fetch"  # a button whose data asks Teams to open a dialog (a task module)
DIALOG_SIZE = "medium"  # the dialog's height and width, in Teams' named sizes

HEADING: Json = {"size": "Large", "weight": "Bolder", "style": "heading"}
TITLE: Json = {"weight": "Bolder"}
SMALL: Json = {"isSubtle": True, "size": "Small"}
META: Json = {**SMALL, "spacing": "None"}

_CODE = re.compile(r"`([^`\n]+)`")
_INLINE = re.compile(r"[\\`*_\[\]<]|&(?=#?\w+;)")
_LEADING = re.compile(r"^([ \t]*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)
_NEWLINES = re.compile(r"[ \t]*\n\s*")
_ACTION = re.compile(r"[\w.:-]{1,100}", re.ASCII)


@dataclass(frozen=True)
class TeamsMessage:
    text: str  # plain-text fallback/summary (notifications, screen readers); never empty
    card: Json  # an Adaptive Card (schema 1.5) as JSON


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
    pages = pack(body or _text_blocks(ELLIPSIS), CARD_BYTES - wire(_card([], actions)))
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
        case r.Heading(text=text):
            return _text_blocks(text, HEADING)
        case r.Paragraph(rich=rich):
            return _rich_blocks(rich)
        case r.QuoteBlock(text=text, attribution=attribution):
            quote = _text_blocks(f"“{text}”") if text.strip() else []
            credit = _text_blocks(f"— {attribution}", SMALL) if attribution.strip() else []
            return _boxed([*quote, *credit], {"style": "emphasis"})
        case r.Item(title=title, meta=meta, body=body):
            parts = [*_text_blocks(title, TITLE), *_text_blocks(meta, META), *_rich_blocks(body)]
            return _boxed(parts, {"spacing": "Medium"})
        case r.Note(text=text):
            return _text_blocks(text, SMALL)
    raise TypeError(f"unknown block {block!r}")


def _text_blocks(text: str, style: Json | None = None) -> list[Json]:
    """Wrapped TextBlocks of escaped Markdown, split at words when the text is long."""
    clean = uncode(text).strip()
    clean = _NEWLINES.sub("\n\n", clean) if "\n" in clean else clean
    if not clean:
        return []
    marked = escape(clean)
    if json_cost(marked) <= TEXT_BYTES:  # the usual case: one TextBlock
        return [{"type": "TextBlock", "text": marked, "wrap": True, **(style or {})}]
    texts = map(escape, split_text(clean, TEXT_BYTES, _markdown_cost))
    return _flowing(
        [{"type": "TextBlock", "text": t, "wrap": True, **(style or {})} for t in texts]
    )


def _rich_blocks(rich: Rich) -> list[Json]:
    """RichTextBlocks of TextRuns (bold spans Bolder, code spans monospace)."""
    runs = _runs(rich)
    if not "".join(text for text, _look in runs).strip():
        return []
    pieces = chunks(runs)
    return _flowing([{"type": "RichTextBlock", "inlines": list(map(_text_run, p))} for p in pieces])


def _runs(rich: Rich) -> list[Run]:
    """Runs of the spans, with `code` inside a span becoming a monospace run."""
    runs: list[Run] = []
    for span in rich:
        if "`" not in span.text:
            runs += [(span.text, Look(span.bold))] if span.text else []
            continue
        parts = _CODE.split(span.text)  # text, code, text, code, …, text
        runs += [(part, Look(span.bold, n % 2 == 1)) for n, part in enumerate(parts) if part]
    return runs


def _text_run(run: Run) -> Json:
    text, look = run
    element: Json = {"type": "TextRun", "text": text}
    if look.bold:
        element["weight"] = "Bolder"
    if look.mono:
        element["fontType"] = "Monospace"
    return element


def _flowing(blocks: list[Json]) -> list[Json]:
    """The pieces of one split text follow each other without extra spacing."""
    return [blocks[0], *({**b, "spacing": "None"} for b in blocks[1:])] if blocks else []


def _boxed(items: list[Json], props: Json) -> list[Json]:
    """Containers holding the items, more than one only when they would be too big."""
    if not items:
        return []
    groups = pack(items, BOX_BYTES - BOX_OVERHEAD, ELEMENT_BYTES)
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
        cost = wire(action) + 1
        if read_submit(data) and wire(data) <= DATA_BYTES and used + cost <= ACTIONS_BYTES:
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
        case r.Paragraph(rich=rich):
            return bool(error) and rich_text(rich) == error
        case r.QuoteBlock(text=text):
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
    blocks = tuple(block for block in reply.blocks if not isinstance(block, r.Heading))
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
    blocks = (r.Paragraph.of(m.ANONYMOUS_FORM_INTRO),)
    return Reply(kind="form", blocks=blocks, summary=reason, form=form)


def dialog_text(reply: Reply) -> str:
    """Every block of the reply in plain words, as a dialog's short message shows them."""
    text = plain_text(reply)
    return cut(uncode(text), FALLBACK_TEXT) if text else _fallback(reply)


def _title(label: str) -> str:
    return one_line(label, TITLE_TEXT)


def _card(body: list[Json], actions: list[Json]) -> Json:
    card: Json = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    card["msteams"] = {"width": "Full"}
    return card


def _markdown_cost(text: str) -> int:
    """An upper bound: the text escaped as if it began a line."""
    return json_cost(escape(text))


def _fallback(reply: Reply) -> str:
    text = reply.summary.strip() or plain_text(reply)
    return cut(uncode(text), FALLBACK_TEXT) or ELLIPSIS


# Message-extension results


def _result(reply: Reply, title: str, text: str) -> Json:
    preview = {
        "title": one_line(title, PREVIEW_TITLE),
        "text": cut(" ".join(text.split()), PREVIEW_TEXT),
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
        min(MAX_RESULT_CARD_BYTES, max(map(len, map(plain_text, reply.blocks)), default=0)),
    )
    while low < high:
        middle = (low + high + 1) // 2
        fits = _fits(_single(capped(reply.blocks, middle), reply.buttons))
        low, high = (middle, high) if fits else (low, middle - 1)
    blocks = capped(reply.blocks, low)
    while not _fits(card := _single(blocks, reply.buttons)) and blocks:
        blocks = blocks[: len(blocks) // 2]
    return card


def _fits(card: Json) -> bool:
    return wire(card) < MAX_RESULT_CARD_BYTES


def _single(blocks: Sequence[Block], buttons: Sequence[Button]) -> Json:
    body = [element for block in blocks for element in _elements(block)]
    return _card(body or _text_blocks(ELLIPSIS), _actions(buttons))
