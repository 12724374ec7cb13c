"""Neutral replies: what the core says, before any adapter turns it into Block Kit, an
Adaptive Card or plain text. Nothing here knows about a platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum


@dataclass(frozen=True)
class Span:
    """A run of inline text; `bold` marks matched words in snippets and labels."""

    text: str
    bold: bool = False


Rich = tuple[Span, ...]


def plain(text: str) -> Rich:
    return (Span(text),)


def rich_text(rich: Rich) -> str:
    return "".join(s.text for s in rich)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    rich: Rich

    @classmethod
    def of(cls, text: str) -> Paragraph:
        return cls(plain(text))


@dataclass(frozen=True)
class QuoteBlock:
    """A verbatim quote and its attribution line (without the leading dash)."""

    text: str
    attribution: str


@dataclass(frozen=True)
class Item:
    """One entry of a list: a numbered search result, a topic, an article."""

    title: str
    meta: str = ""
    body: Rich = ()
    key: str = ""  # the id a user can type to open it (article id, topic slug)


@dataclass(frozen=True)
class Note:
    """Small print: counts, hints, what a corrected query searched for."""

    text: str


Block = Heading | Paragraph | QuoteBlock | Item | Note


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # a name from bot.actions
    value: str = ""


class Visibility(Enum):
    PRIVATE = "private"  # only the person who asked (ephemeral in Slack)
    CHANNEL = "channel"  # everyone in the conversation


@dataclass(frozen=True)
class Reply:
    kind: str  # help, quote, lookup, topics, articles, article, prompt, privacy, error, ...
    blocks: tuple[Block, ...]
    visibility: Visibility = Visibility.PRIVATE
    buttons: tuple[Button, ...] = ()
    summary: str = ""  # one-line plain-text fallback for notifications and screen readers
    data: dict[str, str] = field(default_factory=dict)  # ids the adapters may need (quote id)
    in_thread: bool = False  # post as a reply under the previous channel reply of this turn


def with_notes(reply: Reply, notes: Sequence[str]) -> Reply:
    """The reply with small print after its blocks (itself when there is none)."""
    if not notes:
        return reply
    return replace(reply, blocks=(*reply.blocks, *map(Note, notes)))
