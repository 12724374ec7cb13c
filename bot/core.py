"""The bot: a middleware chain around an explicit dispatch table."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot import actions, fairness, limits
from bot import chart as charts
from bot import messages as m
from bot.commands import SPECS, CommandHandler
from bot.context import Context
from bot.events import Action, Command, Conversation, Deletion, Event, Message
from bot.handlers import action_items, erasure, info, lookup, quotes, reflect, schedules
from bot.memo import ByteBudgetLRU
from bot.parser import Parsed, parse, suggest
from bot.replies import Block, Chart, Failure, Heading, Note, Paragraph, Reply
from bot.store import unreachable

log = logging.getLogger("rounds.bot")

ActionHandler = Callable[[Context, Action], Awaitable[list[Reply]]]
Next = Callable[[Event], Awaitable[list[Reply]]]
Middleware = Callable[[Event, Next], Awaitable[list[Reply]]]

# Every command is declared once, in bot/commands.py; these tables are read from it.
COMMANDS: dict[str, CommandHandler] = {spec.name: spec.handler for spec in SPECS}
ALIASES = {alias: spec.name for spec in SPECS for alias in spec.aliases}
# Commands answered from memory alone (the library and the lookup index): they never wait
# on the database or the network, so adapters may answer them inline. A test holds them to it.
IN_MEMORY = frozenset(spec.name for spec in SPECS if spec.in_memory)


async def nothing(ctx: Context, event: Action) -> list[Reply]:
    """A link button: the platform opened the address; there is nothing to say."""
    return []


# Every button: what answers it, and the command it belongs to (whose title heads an answer
# of the button's that has none of its own; a link button's has nothing to head).
BUTTONS: dict[str, tuple[ActionHandler, str]] = {
    actions.ANOTHER_QUOTE: (quotes.another, "quote"),
    actions.SHARE_QUOTE: (quotes.share, "quote"),
    actions.DISCUSS_QUOTE: (quotes.discuss, "quote"),
    actions.MORE_RESULTS: (lookup.more, "lookup"),
    actions.SHARE_RESULTS: (lookup.share, "lookup"),
    actions.REFLECT_NEXT: (reflect.pressed_next, "reflect"),
    actions.REFLECT_CLOSE: (reflect.pressed_close, "reflect"),
    actions.REFLECT_ANONYMOUS: (reflect.pressed_anonymous, "reflect"),
    actions.ANONYMOUS_SUBMIT: (reflect.submitted_anonymous, "reflect"),
    actions.EVALUATE_SCORE: (reflect.pressed_score, "reflect"),
    actions.EVALUATE_COMMENT: (reflect.submitted_comment, "reflect"),
    actions.ACTION_DONE: (action_items.pressed_done, "action"),
    actions.FORGET_CONFIRM: (erasure.pressed_erase, "forget-me"),
    actions.SCHEDULE_PAUSE: (schedules.pressed_pause, "schedule"),
    actions.SCHEDULE_RESUME: (schedules.pressed_resume, "schedule"),
    actions.SCHEDULE_SKIP: (schedules.pressed_skip, "schedule"),
    actions.OPEN_ARTICLE: (nothing, ""),
}
ACTIONS: dict[str, ActionHandler] = {name: handler for name, (handler, _) in BUTTONS.items()}

NAMES = {name: name for name in COMMANDS} | ALIASES
# the heading of an answer that has none of its own: its command's title
TITLES = {spec.name: spec.title for spec in SPECS}


def headed(replies: list[Reply], title: str) -> list[Reply]:
    """Every answer with a heading first (a card a person takes in at a glance): the
    answer's own, else `title`. Forms have theirs in their title."""
    return [
        reply
        if reply.form is not None or (reply.blocks and isinstance(reply.blocks[0], Heading))
        else replace(reply, blocks=(Heading(title), *reply.blocks))
        for reply in replies
    ]


# Not a command: what any command longer than `limits.COMMAND_CHARS` is taken for. It is
# answered with the limit, never parsed.
TOO_LONG = "too-long"
_PARSED: ByteBudgetLRU[str, Parsed] = ByteBudgetLRU("commands", limits.COMMAND_CACHE_BYTES)


# the last text parsed and its parse: the layers that ask about one event (fairness, the
# log's name, dispatch) pass the same string object, so they are answered by one `is`
_last: tuple[str, Parsed]


def parsed_command(text: str) -> Parsed:
    """The command word and its arguments (the same text is parsed by several layers)."""
    global _last
    last = _last  # one read: another thread may replace it, never tear it
    if last[0] is text:
        return last[1]
    if len(text) > limits.COMMAND_CHARS:
        return Parsed(TOO_LONG, "", "", known=True)
    parsed = _PARSED.fetch(text, _parse)
    _last = (text, parsed)
    return parsed


def _parse(text: str) -> Parsed:
    return parse(text, NAMES)


_last = ("", _parse(""))


def simple(kind: str, title: str, text: str, *notes: str, failure: Failure | None = None) -> Reply:
    """A short answer: a heading, what happened, and any small print."""
    blocks: tuple[Block, ...] = (Heading(title), Paragraph.of(text), *map(Note, notes))
    return Reply(kind=kind, blocks=blocks, summary=text, failed=failure)


def too_long(text: str) -> Reply:
    said = m.COMMAND_TOO_LONG.format(length=len(text), limit=limits.COMMAND_CHARS)
    return simple("too-long", m.ROUNDS, said)


def unknown_command(typed: str) -> Reply:
    options = suggest(typed, COMMANDS)
    hint = m.DID_YOU_MEAN.format(options=m.or_list(options)) if options else m.TRY_HELP
    text = m.UNKNOWN_COMMAND.format(name=typed)
    reply = simple("unknown", m.UNKNOWN_TITLE, text, hint, *([m.TRY_HELP] if options else []))
    return replace(reply, summary=f"{text} {hint}")


def button_expired() -> Reply:
    return simple("error", m.ROUNDS, m.BUTTON_EXPIRED)


def error_reply(ref: str) -> Reply:
    blocks = (Heading(m.ERROR_TITLE), Paragraph.of(m.ERROR_BODY.format(ref=ref)))
    return Reply(kind="error", blocks=blocks, summary=m.ERROR_TITLE, failed=Failure.ERROR)


def database_away() -> Reply:
    return simple("error", m.DATABASE_AWAY_TITLE, m.DATABASE_AWAY, failure=Failure.DATABASE)


def failed(replies: list[Reply]) -> bool:
    """Whether the bot could not handle the event (its error boundary answered): a platform
    that retries (Slack) may send it again."""
    return any(reply.failed is not None and reply.failed.retried for reply in replies)


def event_name(event: Event) -> str:
    """The command or button an event is for, never its free text."""
    if isinstance(event, Action):
        return event.action if event.action in ACTIONS else "unknown"
    if isinstance(event, Message | Deletion):
        return type(event).__name__.lower()
    word = parsed_command(event.text)
    return (word.name or "empty") if word.known or not word.name else "unknown"


def describe(event: Event) -> str:
    """What to log about an event: its kind and command, never its free text."""
    kind = type(event).__name__.lower()
    return f"{kind}={event_name(event)}"


async def error_boundary(event: Event, call_next: Next) -> list[Reply]:
    """Any exception becomes a polite reply and one log line with a reference."""
    try:
        return await call_next(event)
    except Exception as exc:
        if unreachable(exc):
            platform = event.conversation.platform
            log.warning("database unreachable platform=%s %s", platform, describe(event))
            return [database_away()]
        ref = uuid.uuid4().hex[:8]
        platform = event.conversation.platform
        log.exception("handler failed ref=%s platform=%s %s", ref, platform, describe(event))
        return [error_reply(ref)]


async def timing(event: Event, call_next: Next) -> list[Reply]:
    if not log.isEnabledFor(logging.DEBUG):
        return await call_next(event)
    started = time.perf_counter()
    replies = await call_next(event)
    elapsed = (time.perf_counter() - started) * 1000
    log.debug("handled %s in %.1f ms", describe(event), elapsed)
    return replies


@dataclass(frozen=True)
class PerBot:
    """A middleware layer with state of its own (the fairness buckets), made once for each
    bot from its context, so that two bots never share it."""

    make: Callable[[Context], Middleware]


Layer = Middleware | PerBot
DEFAULT_MIDDLEWARE: tuple[Layer, ...] = (error_boundary, PerBot(fairness.middleware), timing)


def _wrap(layer: Middleware, call_next: Next) -> Next:
    async def call(event: Event) -> list[Reply]:
        return await layer(event, call_next)

    return call


class Bot:
    def __init__(self, ctx: Context, middleware: Sequence[Layer] = DEFAULT_MIDDLEWARE) -> None:
        self.ctx = ctx
        self.middleware = tuple(
            layer.make(ctx) if isinstance(layer, PerBot) else layer for layer in middleware
        )
        call: Next = self._dispatch
        for layer in reversed(self.middleware):
            call = _wrap(layer, call)
        self._chain = call

    async def handle(self, event: Event) -> list[Reply]:
        return await self._chain(event)

    def search(self, query: str, offset: int, limit: int) -> list[tuple[Reply, str, str]]:
        """Lookup results one passage each, for a platform's own search box."""
        return lookup.hit_replies(self.ctx, query, max(offset, 0), max(min(limit, 25), 0))

    async def chart_png(self, chart: Chart) -> bytes:
        """A chart of a reply as a PNG image (Slack's Home tab): drawn in the worker thread,
        never on the event loop, and remembered by its data."""
        return await charts.png(chart)

    def welcome(self) -> Reply:
        """What Rounds says in a conversation it has just been added to."""
        return info.welcome()

    async def in_reflection(self, where: Conversation) -> bool:
        """Whether `where` is a reflection's thread (an unknown command there is a
        contribution; a private answer there is kept out of the thread)."""
        return await reflect.in_reflection(self.ctx, where)

    def in_memory(self, event: Event) -> bool:
        """Whether the answer needs nothing but memory (no database, no network)."""
        if not isinstance(event, Command):
            return False
        parsed = parsed_command(event.text)
        return not parsed.known or parsed.name in IN_MEMORY or parsed.name == TOO_LONG

    async def _dispatch(self, event: Event) -> list[Reply]:
        if isinstance(event, Message):
            return headed(await reflect.message(self.ctx, event), TITLES["reflect"])
        if isinstance(event, Deletion):
            return await reflect.deleted(self.ctx, event)
        if isinstance(event, Action):
            button = BUTTONS.get(event.action)
            if button is None:
                return [button_expired()]
            handler, command = button
            return headed(await handler(self.ctx, event), TITLES.get(command, m.ROUNDS))
        parsed = parsed_command(event.text)
        if parsed.name == TOO_LONG:
            return [too_long(event.text)]
        if not parsed.name:
            return [simple("help", m.ROUNDS, m.EMPTY_COMMAND)]
        if not parsed.known:
            if await self.in_reflection(event.conversation):
                said = Message(event.conversation, event.person, event.text)
                return headed(await reflect.message(self.ctx, said), TITLES["reflect"])
            return [unknown_command(parsed.typed)]
        replies = await COMMANDS[parsed.name](self.ctx, event, parsed.args)
        return headed(replies, TITLES[parsed.name])
