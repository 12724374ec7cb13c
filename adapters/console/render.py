"""Pure translation between console lines and neutral events and replies."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from adapters.textfit import text_bars
from bot import actions
from bot import messages as m
from bot.events import Action, Command, Conversation, Event, Message, Person
from bot.replies import (
    Block,
    Button,
    Chart,
    Heading,
    Item,
    Note,
    Paragraph,
    Question,
    QuoteBlock,
    Reply,
    Rich,
    Visibility,
)

WIDTH = 88
INDENT = "   "


REPLY_MARK = ">"
NUMBERED = re.compile(r"#(\d{1,9})(?:\s+(.*))?", re.DOTALL)  # `>#2 text`: into reflection #2
CANCEL = "cancel"
ANONYMOUS = Person("")  # who sends an anonymous form: no one


def to_event(
    line: str,
    person: Person,
    conversation: Conversation,
    buttons: Sequence[Button],
    form: Reply | None = None,
) -> Event | None:
    """A typed line becomes a command; a number picks a button of the last reply shown with
    buttons; `> text` replies in the channel's newest open reflection and `>#2 text` in
    reflection #2; after a form, the line is its answer (`cancel` or nothing: no answer)."""
    text = line.strip()
    if form is not None and form.form is not None:
        if cancels(text):
            return None
        return Action(conversation, ANONYMOUS, form.form.submit, form.form.value, text)
    if not text:
        return None
    if text.startswith(REPLY_MARK):
        return reply_event(text[len(REPLY_MARK) :], person, conversation)
    number = button_number(text)
    if number is not None and 1 <= number <= len(buttons):
        button = buttons[number - 1]
        return Action(conversation, person, button.action, button.value)
    return Command(conversation, person, text)


def reply_event(text: str, person: Person, conversation: Conversation) -> Message:
    """What follows `>`: `#2 text` names the reflection, plain text means the newest open."""
    numbered = NUMBERED.fullmatch(text)
    if numbered is None:
        return Message(conversation, person, text.strip())
    said = (numbered[2] or "").strip()
    return Message(conversation, person, said, reflection=int(numbered[1]))


def cancels(line: str) -> bool:
    """Whether the answer typed to a form cancels it: `cancel` or an empty line."""
    return line.strip().casefold() in ("", CANCEL)


def button_number(text: str) -> int | None:
    """The number typed to press a button, or None when the line is not one."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def no_button(number: int, buttons: Sequence[Button]) -> str:
    """What a number with no button of that number is told."""
    if not buttons:
        return m.CONSOLE_NO_BUTTONS.format(number=number)
    said = m.CONSOLE_NO_SUCH_BUTTON.format(number=number)
    return "\n".join([*_wrap(said), button_row(buttons)])


def pressable(buttons: Sequence[Button]) -> list[Button]:
    """The buttons a number presses: all but links, which are shown as addresses."""
    return [b for b in buttons if not b.url]


def button_row(buttons: Sequence[Button], first: int = 1) -> str:
    return "   ".join(f"[{i}] {b.label}" for i, b in enumerate(pressable(buttons), first))


def _links(buttons: Sequence[Button]) -> list[str]:
    return [f"{b.label}: {b.url}" for b in buttons if b.url]


def render(reply: Reply, channel: str, threaded: bool = False, first: int = 1) -> str:
    """The reply as console lines; its buttons numbered from `first`."""
    lines: list[str] = []
    if reply.in_thread or (threaded and reply.visibility is Visibility.CHANNEL):
        lines.append(f"[replied in a thread in #{channel}]")
    elif reply.visibility is Visibility.CHANNEL:
        lines.append(f"[posted in #{channel}]")
    for block in reply.blocks:
        lines.extend(render_block(block))
    if reply.form is not None:
        comment = reply.form.submit == actions.EVALUATE_COMMENT
        lines.extend(_wrap(m.EVALUATION_FORM_CONSOLE if comment else m.ANONYMOUS_FORM_CONSOLE))
    lines += _links(reply.buttons)
    if pressable(reply.buttons):
        lines.append(button_row(reply.buttons, first))
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
        case Question(text=text):
            return _wrap(f"**{text}**")
        case Paragraph(rich=rich):
            return _wrap(render_rich(rich))
        case QuoteBlock(text=text, attribution=attribution):
            return [*_wrap(f"“{text}”"), *_wrap(f"— {attribution}", hanging="  ")]
        case Item(title=title, meta=meta, body=body, button=button):
            lines = _wrap(title, hanging=INDENT)
            if meta:
                lines += _wrap(meta, INDENT)
            if body:
                lines += _wrap(render_rich(body), INDENT)
            return lines + [INDENT + link for link in _links([button] if button else [])]
        case Note(text=text):
            return _wrap(text)
        case Chart(title=title, bars=bars):
            return [title, *text_bars(bars)]
    raise TypeError(f"unknown block {block!r}")
