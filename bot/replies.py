"""Neutral replies: what the core says, before any adapter turns it into Block Kit, an
Adaptive Card or plain text. Nothing here knows about a platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
class Question:
    """What a person is asked to act on (a prompt's or a reflection's question, the answer
    to a confirmation): shown larger and bold, above any small print."""

    text: str


@dataclass(frozen=True)
class QuoteBlock:
    """A verbatim quote and its attribution line (without the leading dash): speaker, then
    the article's title, publisher and date (`bot.format.attribution`); on a card that names
    the article once already, only the speaker."""

    text: str
    attribution: str


@dataclass(frozen=True)
class Item:
    """One entry of a list: a numbered search result, a topic, an article."""

    title: str
    meta: str = ""
    body: Rich = ()
    key: str = ""  # the id a user can type to open it (article id, topic slug)
    button: Button | None = None  # its own button, beside it: Open article


@dataclass(frozen=True)
class Note:
    """Small print: counts, hints, what a corrected query searched for."""

    text: str


@dataclass(frozen=True)
class Button:
    """A button. With a `url` it opens that address (an article) and Rounds is told nothing
    it acts on; `secondary` ones go in the card's overflow menu (Teams' `…`, Slack's
    overflow when a message has more than three)."""

    label: str
    action: str  # a name from bot.actions
    value: str = ""
    url: str = ""
    secondary: bool = False


@dataclass(frozen=True)
class Chart:
    """A bar chart (Home's participation per question, actions done and open): a PNG image
    in Slack (`bot.chart`), a native chart in Teams, text bars in the console. `alt` says
    the numbers in words, for screen readers and wherever the chart cannot be shown. Never
    holds counts of fewer than three people (`bot.reflect.summary.SHOW_COUNTS_FROM`)."""

    title: str
    bars: tuple[tuple[str, int], ...]  # label, value
    alt: str


Block = Heading | Paragraph | Question | QuoteBlock | Item | Note | Chart


@dataclass(frozen=True)
class Form:
    """A form to fill in (the anonymous contribution): a Slack modal, a Teams dialog, the
    console's prompt. Submitting it is the action `submit`, carrying `value` and the text."""

    submit: str  # a name from bot.actions
    value: str  # what the submission carries back (the reflection's id)
    title: str
    label: str  # the text box's label
    button: str
    initial: str = ""  # what was typed before, when the form is sent back
    error: str = ""  # why it was sent back, shown inside the form


class Failure(Enum):
    """Why the bot could not do what was asked (nothing was changed)."""

    ERROR = "error"  # a handler failed: a platform that retries may send the event again
    DATABASE = "database"  # the database could not be reached: the same
    NOT_POSTED = "not-posted"  # the platform refused a post: asked again later, not retried

    @property
    def retried(self) -> bool:
        """Whether a platform that retries should send the event again."""
        return self is not Failure.NOT_POSTED


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
    in_thread: bool = False  # post as a reply under the previous channel reply of this turn
    form: Form | None = None  # the reply is a form to fill in
    failed: Failure | None = None  # the event was not handled
    # a scheduled post's slot: stored with the message (Slack metadata), so a post made
    # just before a crash is found again rather than posted twice
    marker: str = ""
    # about someone (what Rounds holds about them): shown to them alone, never where others
    # could see it (Teams answers it in the person's 1:1 chat)
    discreet: bool = False
    subject: str = ""  # the id of what it shows: a quote's, a prompt's, a reflection's


# the kind of the reply that confirms an anonymous contribution was posted (a Teams dialog
# keeps the form open for any other answer to it)
ANONYMOUS_DONE = "anonymous-done"


def with_notes(reply: Reply, notes: Sequence[str]) -> Reply:
    """The reply with small print after its blocks (itself when there is none)."""
    if not notes:
        return reply
    return replace(reply, blocks=(*reply.blocks, *map(Note, notes)))


def plain_text(what: Block | Reply) -> str:
    """The words of a block as plain text, or of a reply's blocks, one line (or more) each."""
    match what:
        case Heading(text=text) | Note(text=text) | Question(text=text):
            return text.strip()
        case Paragraph(rich=rich):
            return rich_text(rich).strip()
        case QuoteBlock(text=text, attribution=attribution):
            return f"“{text}” — {attribution}"
        case Item(title=title, meta=meta, body=body):
            return " ".join(p for p in (title, meta, rich_text(body)) if p.strip())
        case Chart(title=title, alt=alt):
            return f"{title}: {alt}".strip()
        case Reply(blocks=blocks):
            return "\n".join(filter(None, map(plain_text, blocks))).strip()
    raise TypeError(f"unknown block {what!r}")
