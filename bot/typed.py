"""Commands as they must be typed where a reply is read. The core writes a command it shows
as a `code` span starting with the command's name (`reflect next`, `help lookup`); the
adapter knows the place: `/rounds reflect next` in Slack, `@Rounds reflect next` in a Teams
channel or group chat, `reflect next` in a 1:1 chat with Rounds or the console. Other code
spans (a topic's slug, an article's id, `closes 3d`) are left as they are."""

from __future__ import annotations

import operator
import re
from dataclasses import replace
from functools import cache

from bot.commands import SPECS
from bot.replies import Block, Item, Note, Paragraph, Question, Reply, Rich, Span

_CODE = re.compile(r"`([^`\n]+)`")


@cache
def command_words() -> frozenset[str]:
    """Every command's name and its word-like aliases."""
    names = {name for spec in SPECS for name in (spec.name, *spec.aliases)}
    return frozenset(name for name in names if name.replace("-", "").isalpha())


def is_command(code: str) -> bool:
    """Whether a code span is a command (its first word names one)."""
    first = code.split(maxsplit=1)[0].lower() if code.strip() else ""
    return first in command_words()


def typed(text: str, invoke: str) -> str:
    """`text` with `invoke` before each command in it."""
    if not invoke or "`" not in text:
        return text
    return _CODE.sub(lambda found: _invoked(found.group(1), invoke), text)


def _invoked(code: str, invoke: str) -> str:
    return f"`{invoke}{code}`" if is_command(code) else f"`{code}`"


def as_typed(reply: Reply, invoke: str) -> Reply:
    """The reply with its commands typed as they must be where `invoke` starts one
    (`"/rounds "`, `"@Rounds "`; `""` leaves it as it is)."""
    if not invoke:
        return reply
    blocks = tuple(_block(block, invoke) for block in reply.blocks)
    summary = typed(reply.summary, invoke)
    if summary == reply.summary and all(map(operator.is_, blocks, reply.blocks)):
        return reply
    return replace(reply, blocks=blocks, summary=summary)


def _block(block: Block, invoke: str) -> Block:
    """The block with its commands typed; itself when it shows none (most blocks)."""
    match block:
        case Paragraph(rich=rich) if _coded(rich):
            return Paragraph(_spans(rich, invoke))
        case Note(text=text) if "`" in text:
            return Note(typed(text, invoke))
        case Question(text=text) if "`" in text:
            return Question(typed(text, invoke))
        case Item(meta=meta, body=body) if "`" in meta or _coded(body):
            return replace(block, meta=typed(meta, invoke), body=_spans(body, invoke))
    return block


def _coded(rich: Rich) -> bool:
    return any("`" in span.text for span in rich)


def _spans(rich: Rich, invoke: str) -> Rich:
    return tuple(Span(typed(s.text, invoke), s.bold) for s in rich)
