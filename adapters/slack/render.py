"""Pure translation of neutral replies into Slack Block Kit messages.

Blocks are built as Block Kit JSON by small constructors that keep Slack's limits by
construction: text is split at word boundaries to fit, buttons that cannot be valid are left
out, and messages over 50 blocks are paginated. What a person acts on (a `Question`) is a bold
section, small print a context line; a message with more than three buttons keeps three and
puts the rest in an overflow menu (`_overflowed`), and commands are shown as typed in Slack
(`/rounds help`, `bot.typed`). `check.problems()` checks every limit on the finished JSON, and the
tests parse every rendered block back through slack_sdk's block models
(`Block.parse(...).validate_json()`). slack_sdk's models are not used at run time:
their validation introspects each object with `dir()`, which cost most of a lookup's time
(the README's measured figures). Lengths are measured on the text as sent (after `&`, `<`,
`>` are escaped and bold markers added)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters import textfit
from adapters.textfit import ELLIPSIS, cut, one_line, text_bars
from bot import limits
from bot import replies as r
from bot.replies import Block, Button, Reply, Rich, Span, plain, plain_text
from bot.typed import as_typed

MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000  # a button's or an overflow option's address
ACTION_ID = 255
OVERFLOW_OPTIONS = (2, 5)  # the fewest and most options of an overflow menu
OPTION_TEXT = 75
OPTION_VALUE = 150
MESSAGE_TEXT = 3000
MODAL_TITLE = 24  # a modal's title and its submit and close labels
MODAL_BLOCKS = 100
INPUT_LABEL = 2000
INPUT_TEXT = min(3000, limits.CONTRIBUTION_CHARS)  # a form's text box: Slack's most, the core's
METADATA = 3000
HOME_BLOCKS = 100  # an App Home tab's blocks
IMAGE_TEXT = 2000  # an image block's alt text and title

FORM_BLOCK = "contribution"  # the block id of a form's text box (errors are shown under it)
FORM_INPUT = "text"  # its action id

CONTINUED = " (continued)"
QUOTE_LINE = "> "
INVOKE = "/rounds "  # how a command is typed in Slack: the slash command (deploy/slack/)
SHOWN_BUTTONS = 3  # a message with more buttons puts its secondary ones in an overflow menu
OVERFLOW = "overflow"  # the overflow menu's action id (each option carries its button's)

Json = dict[str, Any]
Word = textfit.Word[bool]  # the whitespace before a word, and its runs: text and boldness


@dataclass(frozen=True)
class SlackMessage:
    text: str  # top-level plain-text fallback (notifications, screen readers); never empty
    blocks: list[Json]  # Block Kit JSON, ready for chat.postMessage / response_url


def render(reply: Reply, invoke: str = INVOKE) -> list[SlackMessage]:
    """One or more messages (more only when the blocks exceed Slack's 50-block limit);
    buttons go on the last one. Commands shown are typed as they must be: after `invoke`."""
    reply = as_typed(reply, invoke)
    places = enumerate(reply.blocks, len(reply.buttons))  # items' buttons after the reply's
    groups = [out for n, block in places if (out := _render_block(block, n))]
    actions = _actions(reply.buttons)
    if actions:
        groups = [*groups[:-1], groups[-1] + actions] if groups else [actions]
    pages = _pages(groups) or [[_section(ELLIPSIS)]]
    text = reply.summary.strip() or plain_text(reply) or ELLIPSIS
    first = SlackMessage(escape(cut(text, MESSAGE_TEXT, _cost)), pages[0])
    if len(pages) == 1:
        return [first]
    more = escape(cut(text, MESSAGE_TEXT - len(CONTINUED), _cost)) + CONTINUED
    return [first, *(SlackMessage(more, page) for page in pages[1:])]


def _render_block(block: Block, place: int = 0) -> list[Json]:
    """The Block Kit blocks for one neutral block (none for a block with no text); `place`
    numbers an item's own button."""
    match block:
        case r.Heading(text=text):
            return _heading(text)
        case r.Paragraph(rich=rich):
            return _sections(rich)
        case r.Question(text=text):
            return _sections((Span(text, bold=True),))
        case r.QuoteBlock(text=text, attribution=attribution):
            quoted = _sections(plain(f"“{text}”"), quote=True)
            return [*quoted, *_context(f"— {attribution}" if attribution.strip() else "")]
        case r.Item(title=title, meta=meta, body=body, button=button):
            sections = _sections((Span(title, bold=True), Span("\n"), *body))
            return [*sections, *_context(meta), *_under(button, place)]
        case r.Note(text=text):
            return _context(text)
        case r.Chart(title=title, bars=bars):
            return _sections((Span(title, bold=True), Span("\n" + "\n".join(text_bars(bars)))))
    raise TypeError(f"unknown block {block!r}")


def home_view(
    reply: Reply, images: Mapping[r.Chart, str] | None = None, invoke: str = INVOKE
) -> Json:
    """The App Home tab (`views.publish`) showing a reply: its blocks as in a message, each
    chart with an uploaded image (`images`: chart → Slack file id) as an image block, any
    other as text bars; at most 100 blocks."""
    reply = as_typed(reply, invoke)
    found = images or {}
    blocks: list[Json] = []
    for n, block in enumerate(reply.blocks, len(reply.buttons)):
        uploaded = found.get(block) if isinstance(block, r.Chart) else None
        if isinstance(block, r.Chart) and uploaded:
            blocks.append(_image(block, uploaded))
        else:
            blocks += _render_block(block, n)
    blocks += _actions(reply.buttons)
    if len(blocks) > HOME_BLOCKS:
        blocks = [*blocks[: HOME_BLOCKS - 1], *_context(ELLIPSIS)]
    return {"type": "home", "blocks": blocks or [_section(ELLIPSIS)]}


def _image(chart: r.Chart, file_id: str) -> Json:
    """A chart as an image block showing a file Rounds uploaded."""
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": one_line(f"{chart.title}: {chart.alt}", IMAGE_TEXT),
        "title": _plain_text_object(one_line(chart.title, IMAGE_TEXT)),
    }


def _under(button: Button | None, place: int) -> list[Json]:
    """An item's own button, on a row of its own under it: beside the text (an accessory)
    it would squeeze the passage into a narrow column on a phone."""
    if button is None or not _sendable(button, place):
        return []
    return [{"type": "actions", "elements": [_button(button, place)]}]


def action_id(button: Button, index: int) -> str:
    """Unique within a message: the action name and the button's position in the reply."""
    return f"{button.action}:{index}"


def action_name(action_id: str) -> str:
    """The inverse of `action_id`: "quote.another:0" -> "quote.another"."""
    name, sep, index = action_id.rpartition(":")
    return name if sep and index.isdigit() else action_id


def option_value(button: Button, index: int) -> str:
    """What an overflow option sends back: the button's action id, a space, its value
    (action names hold no whitespace)."""
    return f"{action_id(button, index)} {button.value}"


def chosen(value: str) -> tuple[str, str]:
    """The inverse of `option_value`: the action's name and the button's value."""
    pressed, _, button_value = value.partition(" ")
    return action_name(pressed), button_value


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
    return one_line(text, limit)


def _texts(reply: Reply) -> list[Json]:
    """A reply's paragraphs, questions and notes as blocks, commands typed as in `render`
    (its heading is the modal's title; quotes, items and buttons have no place in a form)."""
    typed = as_typed(reply, INVOKE).blocks
    kept = (b for b in typed if isinstance(b, r.Paragraph | r.Question | r.Note))
    return [out for block in kept for out in _render_block(block)]


# Text: sizes, pieces and mrkdwn


def _cost(text: str) -> int:
    """Characters of the text as mrkdwn: `&`, `<` and `>` escaped."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def _quoted_cost(text: str) -> int:
    """The same inside a quote, where every line break is followed by `> `."""
    return _cost(text) + len(QUOTE_LINE) * text.count("\n")


def _stars(bold: bool) -> int:
    return 2 * bold


def _pieces(rich: Rich, limit: int, cost: textfit.Cost = _cost) -> list[list[Word]]:
    """Split at whitespace into pieces whose mrkdwn is at most `limit` characters."""
    return textfit.split([(span.text, span.bold) for span in rich], limit, cost, _stars)


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
    for gap, runs in words:
        for n, (text, strong) in enumerate(runs):
            space = "" if n else gap.replace("\n", newline)
            if bold and (not strong or "\n" in space):
                out.append("*")
                bold = False
            out.append(space)
            if strong and not bold:
                out.append("*")
                bold = True
            out.append(escape(text))
    return "".join([*out, "*"] if bold else out)


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
        return [_section(_mrkdwn(piece)) for piece in _pieces(rich, SECTION_TEXT)]
    pieces = _pieces(rich, SECTION_TEXT - len(QUOTE_LINE), _quoted_cost)
    return [_section(QUOTE_LINE + _mrkdwn(piece, newline)) for piece in pieces]


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
    elements = [_mrkdwn_text(_mrkdwn(p)) for p in _pieces(plain(text), CONTEXT_TEXT)]
    return [
        {"type": "context", "elements": group} for group in textfit.pack(elements, CONTEXT_ELEMENTS)
    ]


Numbered = tuple[int, Button]  # a button and its place among the reply's buttons


def _actions(buttons: Sequence[Button]) -> list[Json]:
    """Buttons that can be valid, in actions blocks of at most 25 elements; with more than
    three, an overflow menu at the end holds the less used ones."""
    shown, menu = _overflowed([(n, b) for n, b in enumerate(buttons) if _sendable(b, n)])
    elements = [_button(b, n) for n, b in shown] + ([_overflow(menu)] if menu else [])
    return [
        {"type": "actions", "elements": group} for group in textfit.pack(elements, ACTIONS_ELEMENTS)
    ]


def _overflowed(buttons: list[Numbered]) -> tuple[list[Numbered], list[Numbered]]:
    """Which buttons stay buttons and which go in the overflow menu. Up to three stay as
    they are. With more, the menu takes the primary ones after the third, then the secondary
    ones; a menu of one takes the last primary button too (Slack's least is two); it holds
    five at most, and only buttons whose option fits (the rest stay buttons). Both keep
    the reply's order."""
    if len(buttons) <= SHOWN_BUTTONS or textfit.scale([b.label for _, b in buttons]):
        return buttons, []  # few, or a scale (1 to 5): all stay buttons
    least, most = OVERFLOW_OPTIONS
    primary = [p for p in buttons if not p[1].secondary]
    first, later = primary[:SHOWN_BUTTONS], primary[SHOWN_BUTTONS:]
    menu = [p for p in later + [p for p in buttons if p[1].secondary] if _optionable(*p)]
    menu = menu[:most]
    if len(menu) == 1 and first and _optionable(*first[-1]):
        menu.append(first[-1])
    if len(menu) < least:
        return buttons, []
    inside = {n for n, _ in menu}
    return [p for p in buttons if p[0] not in inside], sorted(menu, key=lambda p: p[0])


def _sendable(button: Button, index: int) -> bool:
    return (
        len(button.value) <= BUTTON_VALUE
        and len(button.url) <= URL
        and len(action_id(button, index)) <= ACTION_ID
    )


def _optionable(index: int, button: Button) -> bool:
    """Whether the button can be an overflow option: its value and action fit in 150
    characters, and the action name holds no whitespace (`option_value` parts there)."""
    name = button.action
    return len(option_value(button, index)) <= OPTION_VALUE and name.split() == [name]


def _button(button: Button, index: int) -> Json:
    element: Json = {
        "type": "button",
        "text": _plain_text_object(one_line(button.label, BUTTON_TEXT)),
        "action_id": action_id(button, index),
    }
    if button.value:
        element["value"] = button.value
    if button.url:
        element["url"] = button.url
    return element


def _overflow(menu: Sequence[Numbered]) -> Json:
    return {"type": "overflow", "action_id": OVERFLOW, "options": [_option(*p) for p in menu]}


def _option(index: int, button: Button) -> Json:
    option: Json = {
        "text": _plain_text_object(one_line(button.label, OPTION_TEXT)),
        "value": option_value(button, index),
    }
    if button.url:
        option["url"] = button.url
    return option


def _pages(groups: Sequence[list[Json]]) -> list[list[Json]]:
    """Pack each neutral block's Slack blocks into messages of at most 50, keeping them
    together unless one block alone needs more than 50."""
    if sum(map(len, groups)) <= MAX_BLOCKS:  # the usual case: one message
        return [[block for group in groups for block in group]] if groups else []
    parts = [part for group in groups for part in textfit.pack(group, MAX_BLOCKS)]
    pages = textfit.pack(parts, MAX_BLOCKS, len)
    return [[block for part in page for block in part] for page in pages]
