"""A fixture run: Rounds built in memory and used the way people use it, on one platform,
collecting every reply a person is shown (direct answers, posts made through the outbound
port, compose-box search results). `make cards` renders the run to PNGs
(tools/cards/render.py) and tests/test_card_rules.py holds every card of it to the rules of
issue 22.

The run is driven through the public API only (`Bot.handle` with neutral events, `Bot.search`)
and finds buttons by their action, never by their label or a reply's words, so it goes on
working while the wording and layout of replies change."""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from adapters.slack import render as slack
from adapters.slack.text import FORM_CANCEL
from adapters.teams import cards as teams
from bot import actions
from bot.content.model import Library
from bot.core import DEFAULT_MIDDLEWARE, Next
from bot.events import Action, Command, Conversation, Event, Message, Person
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox, Outbox
from bot.replies import Button, Reply, Visibility
from bot.store import Store
from rounds.assembly import Assembly, Parts, assemble
from rounds.settings import Settings
from tests.fakes.clock import Clock

PLATFORMS = ("slack", "teams")
CHANNEL = "channel"  # shown to everyone in the conversation
PRIVATE = "private"  # shown to the person alone (ephemeral, a 1:1 chat, a dialog)
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday morning
WORKSPACE = "T-fixture"
ROOM = "C-leadership"
FACILITATOR = Person("U-fran", "Fran")  # runs the reflection
MEMBER = Person("U-sam", "Sam")  # takes part
ADMIN = Person("U-ada", "Ada")  # may change the channel's schedule
BREAKS = Person("U-oops", "Oops")  # every event of theirs fails inside the bot: the error reply
SEARCHED = "clinical leadership"  # what lookup and the compose box search for
SEARCH_HITS = 3
# How each platform starts a command where a reply is read in a channel (bot/typed.py).
INVOKE = {"slack": "/rounds ", "teams": "@Rounds "}

Json = dict[str, Any]


@dataclass(frozen=True)
class Shown:
    """One reply as a person saw it: a slug naming it ("quote", "reflection-opening"), the
    neutral reply, where it was shown (CHANNEL or PRIVATE) and how it got there: "answer"
    (the bot's answer to an event), "post" (made through the outbound port) or "search"
    (a compose-box search result, which the person then sends into the conversation)."""

    name: str
    reply: Reply
    where: str
    how: str = "answer"

    @property
    def public(self) -> bool:
        return self.where == CHANNEL


async def shown(
    platform: str, library: Library | None = None, index: LookupIndex | None = None
) -> list[Shown]:
    """Everything a person is shown in one fixed run of Rounds on `platform` ("slack" or
    "teams"): the same clock, random source and steps every time."""
    with tempfile.TemporaryDirectory(prefix="rounds-cards-") as folder:
        run = await Run.start(platform, Path(folder), library, index)
        try:
            await run.everything()
        finally:
            await run.assembly.close()
        return run.seen


def settings_for(platform: str, folder: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'rounds.db'}",
        admins=frozenset({f"{platform}:{ADMIN.id}"}),
        retention=dt.timedelta(days=30),
    )


async def breaking(event: Event, call_next: Next) -> list[Reply]:
    """A layer inside the error boundary that fails for one person: how the run shows the
    reply to a handler that failed."""
    if isinstance(event, Command | Action | Message) and event.person == BREAKS:
        raise RuntimeError("the fixture's deliberate failure")
    return await call_next(event)


@dataclass
class Run:
    platform: str
    assembly: Assembly
    outboxes: dict[str, MemoryOutbox]
    seen: list[Shown] = field(default_factory=list)

    @classmethod
    async def start(
        cls, platform: str, folder: Path, library: Library | None, index: LookupIndex | None
    ) -> Run:
        outboxes = {name: MemoryOutbox() for name in PLATFORMS}

        def connect(store: Store) -> dict[str, Outbox]:
            return dict(outboxes)

        parts = Parts(
            outboxes=connect,
            middleware=(*DEFAULT_MIDDLEWARE, breaking),
            fair=False,
            library=library,
            index=index,
            rng=random.Random(7),
            clock=Clock(START),
        )
        assembly = await assemble(settings_for(platform, folder), parts)
        return cls(platform, assembly, outboxes)

    # where things are said

    @property
    def channel(self) -> Conversation:
        return Conversation(self.platform, ROOM, WORKSPACE)

    def thread(self, thread: str) -> Conversation:
        return replace(self.channel, thread=thread)

    # steps

    async def step(self, name: str, event: Event, posts: str = "") -> list[Reply]:
        """Handle one event and keep what it showed: its answers as `name` (`name-2`, … when
        there are several) and what it posted through the outbox as `posts` (by default
        `name-post`; what went to one person as `…-private`)."""
        before = len(self.outbox.sent)
        answers = await self.assembly.bot.handle(event)
        for n, reply in enumerate(answers, 1):
            where = CHANNEL if reply.visibility is Visibility.CHANNEL else PRIVATE
            self.keep(numbered(name, n), reply, where, "answer")
        posted = self.outbox.sent[before:]
        public = [sent for sent in posted if sent.person is None]
        private = [sent for sent in posted if sent.person is not None]
        for n, sent in enumerate(public, 1):
            self.keep(numbered(posts or f"{name}-post", n), sent.reply, CHANNEL, "post")
        for n, sent in enumerate(private, 1):  # to one person: a transcript, a DM
            self.keep(numbered(f"{posts or name}-private", n), sent.reply, PRIVATE, "post")
        return answers

    async def say(self, name: str, text: str, who: Person = FACILITATOR, posts: str = "") -> None:
        await self.step(name, Command(self.channel, who, text), posts)

    async def press(
        self, name: str, action: str, who: Person = FACILITATOR, text: str = "", posts: str = ""
    ) -> None:
        pressed = self.button(action)
        await self.step(name, Action(self.channel, who, pressed.action, pressed.value, text), posts)

    def keep(self, name: str, reply: Reply, where: str, how: str) -> None:
        self.seen.append(Shown(name, reply, where, how))

    @property
    def outbox(self) -> MemoryOutbox:
        return self.outboxes[self.platform]

    def button(self, action: str) -> Button:
        """The newest button for `action` on anything shown so far."""
        for seen in reversed(self.seen):
            for found in seen.reply.buttons:
                if found.action == action:
                    return found
        raise LookupError(f"no button for {action!r} on anything shown so far")

    def first_post(self, since: int) -> str:
        """The id of the first channel post (not a reply in a thread) made since `since`
        messages had been sent: a reflection's opening, whose thread people reply in."""
        for sent in self.outbox.sent[since:]:
            if sent.person is None and sent.conversation.thread is None:
                return sent.message_id
        raise LookupError("nothing was posted in the channel")

    # the run

    async def everything(self) -> None:
        await self.asking()
        await self.quoting()
        await self.looking_up()
        await self.scheduling()
        await self.reflecting()
        await self.homing()
        await self.leaving()
        self.searching()

    async def asking(self) -> None:
        await self.say("help", "help")
        await self.say("help-lookup", "help lookup")
        await self.say("privacy", "privacy")
        await self.say("unknown", "xyzzy")
        await self.say("error", "quote", who=BREAKS)

    async def quoting(self) -> None:
        await self.say("quote", "quote")
        await self.press("quote-another", actions.ANOTHER_QUOTE)
        await self.press("quote-share", actions.SHARE_QUOTE, posts="quote-shared")
        await self.press("quote-discuss", actions.DISCUSS_QUOTE, posts="quote-discussion")
        await self.say("prompt", "prompt")

    async def looking_up(self) -> None:
        await self.say("lookup", f"lookup {SEARCHED}")
        await self.press("lookup-more", actions.MORE_RESULTS)
        await self.press("lookup-share", actions.SHARE_RESULTS, posts="lookup-shared")
        await self.say("topics", "topics")
        await self.say("articles", "articles")
        await self.say("article", "read 1")

    async def scheduling(self) -> None:
        await self.say("schedule-set", "schedule weekly monday 09:00", who=ADMIN)
        await self.say("schedule", "schedule", who=ADMIN)

    async def reflecting(self) -> None:
        start, before = "reflect start manager-medic", len(self.outbox.sent)
        await self.say("facilitator-controls", start, posts="reflection-opening")
        thread = self.thread(self.first_post(before))
        said = Message(thread, MEMBER, "We agreed the discharge plan together.", "m-1")
        await self.step("contribution", said, posts="contribution-post")
        await self.say("reflect-next", "reflect next", posts="reflection-next-question")
        await self.press("anonymous-form", actions.REFLECT_ANONYMOUS, who=MEMBER)
        form = self.seen[-1].reply.form
        submit = form.submit if form is not None else actions.ANONYMOUS_SUBMIT
        value = form.value if form is not None else ""
        anonymous = Action(self.channel, Person(""), submit, value, "It felt rushed to me.")
        await self.step("anonymous-done", anonymous, posts="anonymous-contribution")
        await self.say("reflect-close", "reflect close", posts="reflection-summary")
        await self.evaluating()

    async def evaluating(self) -> None:
        """The evaluation posted after the summary ("reflection-summary-2"): a score pressed,
        then the optional comment sent from its form (by no one: it is anonymous)."""
        await self.press("evaluation-thanks", actions.EVALUATE_SCORE, who=MEMBER)
        form = self.seen[-1].reply.form
        submit = form.submit if form is not None else actions.EVALUATE_COMMENT
        value = form.value if form is not None else ""
        typed = "More time for the last question."
        comment = Action(self.channel, Person(""), submit, value, typed)
        await self.step("evaluation-comment-done", comment)

    async def homing(self) -> None:
        """A second thread with three people taking part (so Home has counts and a chart),
        then the facilitator's `home`."""
        start, before = "reflect start wellbeing", len(self.outbox.sent)
        await self.say("home-reflection", start, posts="home-reflection-opening")
        thread = self.thread(self.first_post(before))
        for n, who in enumerate((MEMBER, ADMIN, Person("U-kim", "Kim")), 1):
            said = Message(thread, who, "We looked after each other on a hard shift.", f"h-{n}")
            await self.step(f"home-contribution-{n}", said)
        await self.say("home", "home")

    async def leaving(self) -> None:
        await self.say("forget-me", "forget-me", who=MEMBER)
        await self.press("forget-me-done", actions.FORGET_CONFIRM, who=MEMBER)

    def searching(self) -> None:
        hits = self.assembly.bot.search(SEARCHED, 0, SEARCH_HITS)
        for n, (reply, _title, _text) in enumerate(hits, 1):
            self.keep(f"search-{n}", reply, CHANNEL, "search")


def numbered(name: str, n: int) -> str:
    return name if n == 1 else f"{name}-{n}"


# Rendering the run as each platform would (shared by tools/cards/render.py and the tests)


def _invoked(render: Callable[..., Any], invoke: str) -> dict[str, str]:
    """`invoke=…` for a renderer that takes it (commands typed as they must be there)."""
    return {"invoke": invoke} if "invoke" in inspect.signature(render).parameters else {}


def teams_cards(seen: Shown) -> list[Json]:
    """The Adaptive Cards Teams shows for one reply: a form as the card of its dialog, a
    compose-box result as the message extension sends it; in a channel commands start with
    `@Rounds `, in a 1:1 chat (where private answers go) they are typed bare."""
    if seen.reply.form is not None:
        return [teams.dialog(seen.reply)["card"]["content"]]
    if seen.how == "search":
        results = teams.search_results([(seen.reply, seen.name, "")])
        return [attachment["content"] for attachment in results["attachments"]]
    invoke = INVOKE["teams"] if seen.public else ""
    return [message.card for message in teams.render(seen.reply, **_invoked(teams.render, invoke))]


def slack_messages(seen: Shown) -> list[list[Json]]:
    """The Block Kit blocks of each Slack message for one reply (a form: its modal's)."""
    if seen.reply.form is not None:
        return [slack_modal(seen)["blocks"]]
    extra = _invoked(slack.render, INVOKE["slack"])
    return [message.blocks for message in slack.render(seen.reply, **extra)]


def form_title(platform: str, seen: Shown) -> str:
    """The title a form is shown under (a Teams dialog's, a Slack modal's): its heading;
    empty for a reply that is no form."""
    if seen.reply.form is None:
        return ""
    if platform == "teams":
        return str(teams.dialog(seen.reply)["title"])
    return str(slack_modal(seen)["title"]["text"])


def slack_modal(seen: Shown) -> Json:
    """The Slack modal a form reply opens."""
    return slack.form_view(seen.reply, ROOM, WORKSPACE, FORM_CANCEL)


@contextmanager
def quiet() -> Iterator[None]:
    """The deliberate failure is logged by the error boundary with its traceback: keep it out
    of a report."""
    logger = logging.getLogger("rounds.bot")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was
