"""Pure translation between console lines and neutral events and replies."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot import messages as m
from bot.events import Action, Command, Conversation, Event, Message, Person
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
    Visibility,
)

WIDTH = 88
INDENT = "   "


REPLY_MARK = ">"
ANONYMOUS = Person("")  # who sends an anonymous form: no one


def to_event(
    line: str,
    person: Person,
    conversation: Conversation,
    buttons: Sequence[Button],
    form: Reply | None = None,
) -> Event | None:
    """A typed line becomes a command; a number picks a button of the last reply; `> text`
    replies in the channel's reflection thread; after a form, the line is its answer."""
    text = line.strip()
    if form is not None and form.form is not None:
        return Action(conversation, ANONYMOUS, form.form.submit, form.form.value, text)
    if not text:
        return None
    if text.startswith(REPLY_MARK):
        return Message(conversation, person, text[len(REPLY_MARK) :].strip())
    if text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= len(buttons):
        button = buttons[int(text) - 1]
        return Action(conversation, person, button.action, button.value)
    return Command(conversation, person, text)


def render(reply: Reply, channel: str, threaded: bool = False) -> str:
    lines: list[str] = []
    if reply.in_thread or (threaded and reply.visibility is Visibility.CHANNEL):
        lines.append(f"[replied in a thread in #{channel}]")
    elif reply.visibility is Visibility.CHANNEL:
        lines.append(f"[posted in #{channel}]")
    for block in reply.blocks:
        lines.extend(render_block(block))
    if reply.form is not None:
        lines.append(m.ANONYMOUS_FORM_CONSOLE)
    if reply.buttons:
        lines.append("   ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, 1)))
    return "\n".join(lines)


def render_rich(rich: Rich) -> str:
    return "".join(f"**{s.text}**" if s.bold else s.text for s in rich)


def _wrap(text: str, indent: str = "", hanging: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=hanging or indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def render_block(block: Block) -> list[str]:
    match block:
        case Heading(text=text):
            return [text]
        case Paragraph(rich=rich):
            return _wrap(render_rich(rich))
        case QuoteBlock(text=text, attribution=attribution):
            return [*_wrap(f"“{text}”"), *_wrap(f"— {attribution}", hanging="  ")]
        case Item(title=title, meta=meta, body=body):
            lines = _wrap(title, hanging=INDENT)
            if meta:
                lines += _wrap(meta, INDENT)
            if body:
                lines += _wrap(render_rich(body), INDENT)
            return lines
        case Note(text=text):
            return _wrap(text)
    raise TypeError(f"unknown block {block!r}")
