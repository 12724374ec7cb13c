"""Pure translation of neutral replies into Microsoft Teams Adaptive Cards (schema 1.5).

Everything here is plain JSON (dicts and lists) — no botbuilder — so it can be tested and
reused anywhere. Text is split at word boundaries into elements of bounded size, elements are
packed into cards that stay under Teams' activity limit (`fit`), and `check.problems()`
checks a finished card.

No text is read as Markdown: every text goes into the TextRuns of a RichTextBlock, which
Teams shows as they are, with bold, size, colour and `code` (monospace) as run properties, so
nothing is ever backslash-escaped (some Teams mobile clients show the backslashes). Only a
heading holding no character Markdown would read is a TextBlock, of style `heading`, which
screen readers announce as one. Commands are shown as they must be typed where the card is
read (`invoke`: `@Rounds ` in a channel or group chat, nothing in a 1:1 chat with Rounds).
Buttons that would not show whole side by side on a phone go in the card's `…` menu."""

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
    URL_CHARS,
    Json,
    Look,
    Run,
    capped,
    chunks,
    json_cost,
    pack,
    side_by_side,
    text_run,
    wire,
)
from adapters.textfit import ELLIPSIS, cut, one_line, split_text, text_bars
from bot import actions, limits
from bot import messages as m
from bot import replies as r
from bot.events import Action
from bot.replies import Block, Button, Form, Reply, Rich, plain, plain_text, rich_text
from bot.typed import as_typed, typed

CARD = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTIONS_BYTES = 8_000  # all buttons of a card together
DATA_BYTES = 2_000  # one button's submit data
FALLBACK_TEXT = 1_000
TITLE_TEXT = 75  # button titles
PREVIEW_TITLE = 80  # a compose-box result's title in the list: one line
PREVIEW_TEXT = 160  # and its text: about two lines
MAX_VALUE = 2_000  # characters of a button value that `read_submit` accepts
FORM_TEXT = limits.CONTRIBUTION_CHARS  # a form's text box: what the core records (fits a card)
INPUT = "text"  # the id of a form's text box: Teams sends what was typed under it
MENTION = "@Rounds "  # what starts a command where others are too (the manifest's name)
CHART = "Chart.VerticalBar"  # a bar chart, drawn by new Teams clients (others: its fallback)
CHART_LABEL = 100  # characters of a chart's title and of each bar's label

KEY = "rounds"  # the key that marks submit data as ours
TASK_FETCH = "task/fetch"  # a button whose data asks Teams to open a dialog (a task module)
DIALOG_SIZE = "medium"  # the dialog's height and width, in Teams' named sizes
SECONDARY = "secondary"  # an action's `mode` that puts it in the card's `…` menu

HEADING: Json = {"size": "Large", "weight": "Bolder", "style": "heading"}  # a TextBlock's
HEADLINE = Look(bold=True, size="Large")  # a heading's runs, when it cannot be a TextBlock
QUESTION = Look(bold=True, size="Medium")
TITLE = Look(bold=True)
BODY = Look()
SMALL = Look(size="Small", subtle=True)
ERROR = Look(bold=True, color="Attention")

# What a TextBlock would read as Markdown (or as HTML, an entity, a line break): a heading
# holding any of it is made of TextRuns instead
MARKDOWN = re.compile(r"[\\`*_~\[\]<>#|\n\r]|&(?=#?\w+;)|^\s*(?:[-+=]|\d+[.)])")
_CODE = re.compile(r"`([^`\n]+)`")
_ACTION = re.compile(r"[\w.:-]{1,100}", re.ASCII)
_URL = re.compile(r"https?://[!-~]+", re.ASCII)


@dataclass(frozen=True)
class TeamsMessage:
    text: str  # plain-text fallback/summary (notifications, screen readers); never empty
    card: Json  # an Adaptive Card (schema 1.5) as JSON


class Submit(NamedTuple):
    """What a pressed button (or a submitted form) sent back."""

    action: str
    value: str
    text: str = ""  # what was typed into the form's text box


def render(reply: Reply, invoke: str = "") -> list[TeamsMessage]:
    """Usually one message; several when one card would be too big, split between elements
    (between blocks, or at a word inside a very long one), with the buttons on the last.
    Commands get `invoke` before them: `MENTION` in a channel or group chat, "" in a 1:1
    chat with Rounds (see `translate.invoke_of`)."""
    reply = as_typed(reply, invoke)
    if reply.form is not None:
        return [_form(reply, reply.form, invoke)]
    body = [element for block in reply.blocks for element in _elements(block)]
    actions = _actions(reply.buttons)
    pages = pack(body or _placeholder(), CARD_BYTES - wire(_card([], actions)))
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


def search_results(hits: Sequence[tuple[Reply, str, str]], invoke: str = MENTION) -> Json:
    """A message extension's `composeExtension` result: one card per hit, with its preview.
    A chosen result is dropped into whatever chat the compose box is in, so its commands
    are shown with the mention."""
    return {
        "type": "result",
        "attachmentLayout": "list",
        "attachments": [_result(as_typed(hit, invoke), title, text) for hit, title, text in hits],
    }


def uncode(text: str) -> str:
    """`help` -> help: the core marks commands as code, which plain text cannot show."""
    return _CODE.sub(_inside, text) if "`" in text else text


def _inside(match: re.Match[str]) -> str:
    return match.group(1)


# Blocks into elements


def _elements(block: Block) -> list[Json]:
    """The card elements for one neutral block (none for a block with no text)."""
    match block:
        case r.Heading(text=text):
            return _heading(text.strip())
        case r.Paragraph(rich=rich):
            return _rich_blocks(_runs(rich))
        case r.Question(text=text):
            return _rich_blocks(_runs(plain(text.strip()), QUESTION))
        case r.QuoteBlock(text=text, attribution=attribution):
            said, credit = text.strip(), attribution.strip()
            quote = _rich_blocks([(f"“{said}”", BODY)]) if said else []  # verbatim
            by = _rich_blocks([(f"— {credit}", SMALL)]) if credit else []
            return _boxed([*quote, *by], {"style": "emphasis"})
        case r.Item(title=title, meta=meta, body=body, button=button):
            parts = [
                *_rich_blocks(_runs(plain(title.strip()), TITLE)),
                *_rich_blocks(_runs(plain(meta.strip()), SMALL), tight=True),
                *_rich_blocks(_runs(body)),
                *_action_set(button),
            ]
            return _boxed(parts, {"spacing": "Medium"})
        case r.Note(text=text):
            return _rich_blocks(_runs(plain(text.strip()), SMALL))
        case r.Chart() if block.bars:
            return [_chart(block)]
        case r.Chart():
            return []
    raise TypeError(f"unknown block {block!r}")


def _chart(chart: r.Chart) -> Json:
    """A native bar chart (new Teams clients), falling back to its numbers as text where a
    client cannot draw it."""
    data = [{"x": one_line(label, CHART_LABEL), "y": value} for label, value in chart.bars]
    lines = [(chart.title, TITLE), *((f"\n{line}", BODY) for line in text_bars(chart.bars))]
    fallback = _boxed(_rich_blocks(list(lines)), {})
    return {
        "type": CHART,
        "title": one_line(chart.title, CHART_LABEL),
        "data": data,
        "fallback": fallback[0] if fallback else "drop",
    }


def _heading(text: str) -> list[Json]:
    """A TextBlock of style heading (split at words when long); TextRuns as large and bold
    when the text holds anything Markdown would read, so that it is shown as it is."""
    if not text:
        return []
    if MARKDOWN.search(text):
        return _rich_blocks(_runs(plain(text), HEADLINE))
    pieces = [text] if json_cost(text) <= TEXT_BYTES else split_text(text, TEXT_BYTES, json_cost)
    return _flowing([{"type": "TextBlock", "text": t, "wrap": True, **HEADING} for t in pieces])


def _placeholder() -> list[Json]:
    """The body of a card whose reply has nothing to show."""
    return [{"type": "TextBlock", "text": ELLIPSIS, "wrap": True}]


def _rich_blocks(runs: list[Run], tight: bool = False) -> list[Json]:
    """RichTextBlocks of the runs, split at words when long; `tight` ones sit right under
    what comes before them (an item's small line under its title)."""
    if not "".join(text for text, _look in runs).strip():
        return []
    pieces = chunks(runs)
    blocks = [{"type": "RichTextBlock", "inlines": list(map(text_run, p))} for p in pieces]
    flowing = _flowing(blocks)
    return [{**flowing[0], "spacing": "None"}, *flowing[1:]] if tight else flowing


def _runs(rich: Rich, look: Look = BODY) -> list[Run]:
    """Runs of the spans in `look`, bold spans bold, `code` inside a span monospace."""
    runs: list[Run] = []
    for span in rich:
        styled = look._replace(bold=look.bold or span.bold)
        if "`" not in span.text:
            runs += [(span.text, styled)] if span.text else []
            continue
        parts = _CODE.split(span.text)  # text, code, text, code, …, text
        mono = styled._replace(mono=True)
        runs += [(part, mono if n % 2 else styled) for n, part in enumerate(parts) if part]
    return runs


def _flowing(blocks: list[Json]) -> list[Json]:
    """The pieces of one split text follow each other without extra spacing."""
    return [blocks[0], *({**b, "spacing": "None"} for b in blocks[1:])] if blocks else []


def _boxed(items: list[Json], props: Json) -> list[Json]:
    """Containers holding the items, more than one only when they would be too big."""
    if not items:
        return []
    groups = pack(items, BOX_BYTES - BOX_OVERHEAD, ELEMENT_BYTES)
    return [{"type": "Container", **props, "items": group} for group in groups]


# Buttons


def _actions(buttons: Sequence[Button]) -> list[Json]:
    """The card's buttons, leaving out any that would be refused or too big, with those
    that would not show whole on a phone in the `…` menu (`_narrowed`)."""
    chosen: list[Json] = []
    used = 0
    for button in buttons:
        action = _action(button)
        cost = wire(action) + 1 if action else 0
        if action and used + cost <= ACTIONS_BYTES:
            chosen.append(action)
            used += cost
    return _narrowed(chosen)


def _action(button: Button) -> Json | None:
    """An Action.OpenUrl for a button with an address (an http or https one); else an
    Action.Submit whose data Teams sends back. The anonymous contribution button opens its
    form in a dialog (`task/fetch`): what is said there, a refusal too, stays in the
    dialog, seen by no one else and kept in no chat; so do an evaluation's scores (their
    thanks and comment form). None for a button that cannot be."""
    if button.url:
        if len(button.url) > URL_CHARS or not _URL.fullmatch(button.url):
            return None
        action: Json = {"type": "Action.OpenUrl", "title": _title(button.label), "url": button.url}
    else:
        data = submit_data(button)
        if button.action in (actions.REFLECT_ANONYMOUS, actions.EVALUATE_SCORE):
            data["msteams"] = {"type": TASK_FETCH}
        if read_submit(data) is None or wire(data) > DATA_BYTES:
            return None
        action = _submit(button.label, data)
    if button.secondary:
        action["mode"] = SECONDARY
    return action


def _narrowed(chosen: list[Json]) -> list[Json]:
    """The actions with the first ones (in the core's order, its priority) shown side by
    side as long as they would show whole on a phone (`side_by_side`, beside the `…`
    button when any goes in the menu); every one after them goes in the menu (`mode:
    secondary`), so none is shown before one the core put first."""
    titles = [a["title"] for a in chosen if a.get("mode") != SECONDARY]
    menu = len(titles) < len(chosen)  # the core put some in the menu already
    shown = next(
        n for n in range(len(titles), -1, -1) if side_by_side(titles[:n], menu or n < len(titles))
    )
    narrowed: list[Json] = []
    for action in chosen:
        if action.get("mode") != SECONDARY:
            shown -= 1
            if shown < 0:
                action = {**action, "mode": SECONDARY}
        narrowed.append(action)
    return narrowed


def _action_set(button: Button | None) -> list[Json]:
    """An item's own button (Open article), beside it in its container."""
    action = _action(button) if button is not None else None
    return [{"type": "ActionSet", "actions": _narrowed([action])}] if action else []


def _submit(label: str, data: Json) -> Json:
    return {"type": "Action.Submit", "title": _title(label), "data": data}


# Forms


def _form(reply: Reply, form: Form, invoke: str) -> TeamsMessage:
    """A form reply (its commands typed after `invoke` already): its blocks, the error in
    words (not only in colour), a text box holding what was typed before, and the button
    that sends it back."""
    error, initial = typed(form.error, invoke), form.initial[:FORM_TEXT]
    blocks = [b for b in reply.blocks if not _echoes(b, error, initial)]
    body = [element for block in blocks for element in _elements(block)]
    body += _rich_blocks(_runs(plain(error.strip()), ERROR))
    empty = m.EVALUATION_COMMENT_EMPTY if form.submit == actions.EVALUATE_COMMENT else None
    body.append(_text_box(form.label, initial, empty or m.ANONYMOUS_EMPTY))
    submit = [_submit(form.button, {KEY: form.submit, "value": form.value})]
    return TeamsMessage(_fallback(reply), _card(body, _narrowed(submit)))


def _echoes(block: Block, error: str, initial: str) -> bool:
    """Blocks that repeat the error or the typed text, which the card shows in its own way."""
    match block:
        case r.Paragraph(rich=rich):
            return bool(error) and rich_text(rich) == error
        case r.QuoteBlock(text=text):
            return bool(initial) and text == initial
    return False


def _text_box(label: str, initial: str, empty: str) -> Json:
    box: Json = {
        "type": "Input.Text",
        "id": INPUT,
        "label": label,
        "isMultiline": True,
        "maxLength": FORM_TEXT,
        "isRequired": True,
        "errorMessage": empty,  # what Teams says when it is sent empty
    }
    if initial:
        box["value"] = initial
    return box


# Dialogs


def dialog(reply: Reply, invoke: str = "") -> Json:
    """A form as a Teams dialog's `TaskInfo`: its title, size and card. The dialog shows the
    title itself, so the form's heading is left out of the card. `invoke` as for `render`:
    that of the conversation the dialog was opened from."""
    form = reply.form
    if form is None:
        raise ValueError("only a form opens as a dialog")
    reply = as_typed(reply, invoke)
    blocks = tuple(block for block in reply.blocks if not isinstance(block, r.Heading))
    return {
        "title": _title(form.title),
        "height": DIALOG_SIZE,
        "width": DIALOG_SIZE,
        "card": attachment(_form(replace(reply, blocks=blocks), form, invoke).card),
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


def dialog_text(reply: Reply, invoke: str = "") -> str:
    """The reply in plain words, as a dialog's short message (or a form's error) shows
    them, commands with `invoke` before them (as for `render`). Its heading is left out
    (the dialog has a title of its own), unless the reply is a failure: then the heading is
    what went wrong."""
    reply = as_typed(reply, invoke)
    if reply.failed is None:
        said = tuple(block for block in reply.blocks if not isinstance(block, r.Heading))
        reply = replace(reply, blocks=said or reply.blocks)
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


def _fallback(reply: Reply) -> str:
    text = reply.summary.strip() or plain_text(reply)
    return cut(uncode(text), FALLBACK_TEXT) or ELLIPSIS


# Message-extension results


def _result(reply: Reply, title: str, text: str) -> Json:
    """A result's card, and its preview in the compose box's list: the title as given, on
    one line, and the text, both cut at a word."""
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
    return _card(body or _placeholder(), _actions(buttons))
