"""Reflection threads through the core: commands, contributions, anonymity, the guardrail,
permissions, summaries, the scheduler's deadlines and reminders, retention and erasure.
The bot is driven directly with the in-memory outbox and an injected clock (no sleeping);
the platforms' own flows are in test_slack_reflect, test_teams_reflect and test_console."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import actions
from bot.content.model import Library
from bot.context import Context
from bot.core import Bot
from bot.events import Action, Command, Conversation, Message, Person
from bot.lookup import LookupIndex
from bot.outbox import Delivered, DeliveryError, MemoryOutbox, Sent
from bot.reflect.thread import may_run
from bot.replies import Heading, Item, Note, Paragraph, Question, Reply, Visibility, plain_text
from bot.store import Store
from bot.store.reflections import CLOSED, CLOSING, OPEN, NewReflection, Reflection
from bot.store.schedules import NewSchedule
from bot.store.schema import metadata
from scheduler import reflections as due
from scheduler.service import Scheduler
from scheduler.timer import Timer
from tests.conftest import form_of, opened, text_of
from tests.fakes.clock import Clock

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday
CHANNEL = Conversation("console", "ops", "T1")
SAM_KEY = "console:T1:U-sam"  # how the store names sam (`bot.identity`)
VALID_NHS = "943 476 5919"
FAILING_CHECK_DIGIT = "943 476 5918"


class FlakyOutbox(MemoryOutbox):
    """The in-memory outbox that can be told to fail its next posts (`failing`), or to
    refuse to delete what it sent privately (`refusing`)."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: DeliveryError | None = None
        self.refusing: DeliveryError | None = None

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        if self.failing is not None:
            raise self.failing
        return await super().post(conversation, reply)

    async def withdraw_direct(self, conversation: Conversation, delivered: Delivered) -> None:
        if self.refusing is not None:
            raise self.refusing
        await super().withdraw_direct(conversation, delivered)


@dataclass
class World:
    bot: Bot
    clock: Clock
    outbox: FlakyOutbox
    store: Store

    async def say(self, text: str, user: str = "fran", where: Conversation = CHANNEL) -> Reply:
        [reply] = await self.bot.handle(Command(where, person(user), text))
        return reply

    async def reply(self, text: str, user: str = "sam", thread: str | None = None) -> list[Reply]:
        where = replace(CHANNEL, thread=thread or await self.thread())
        return await self.bot.handle(Message(where, person(user), text, f"m-{len(text)}-{user}"))

    async def press(self, action: str, value: str, user: str = "fran", text: str = "") -> Reply:
        who = Person("") if action == actions.ANONYMOUS_SUBMIT else person(user)
        [reply] = await self.bot.handle(Action(CHANNEL, who, action, value, text))
        return reply

    async def thread(self) -> str:
        found = await self.latest()
        assert found.thread is not None
        return found.thread

    async def latest(self) -> Reflection:
        [found, *_] = await self.store.reflections.in_channel(CHANNEL.key, open_only=False)
        return found

    def posts(self) -> list[Sent]:
        return [s for s in self.outbox.sent if s.person is None]

    def in_thread(self, thread: str) -> list[Reply]:
        """The posts in the thread, without the evaluation a close posts after the summary
        (tests/test_evaluation.py)."""
        posted = [s.reply for s in self.posts() if s.conversation.thread == thread]
        return [reply for reply in posted if reply.kind != "evaluation"]

    def direct(self) -> list[Sent]:
        return [s for s in self.outbox.sent if s.direct]

    def scheduler(self) -> Scheduler:
        return Scheduler(self.bot.ctx)


def person(name: str) -> Person:
    return Person(f"U-{name}", name.title())


async def make_world(
    library: Library, index: LookupIndex, store: Store, admins: frozenset[str] = frozenset()
) -> World:
    clock = Clock(START)
    store.clock = store.schedules.clock = store.reflections.clock = clock
    outbox = FlakyOutbox()
    ctx = Context(
        library,
        index,
        store,
        random.Random(3),
        clock=clock,
        admins=admins,
        retention_days=30,
        outboxes={"console": outbox},
    )
    return World(Bot(ctx), clock, outbox, store)


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


@asynccontextmanager
async def process(library: Library, index: LookupIndex, tmp_path: Path) -> AsyncIterator[World]:
    """One run of Rounds on the test's own SQLite file: a restart is a second run after the
    first has stopped (its store closed)."""
    async with opened(f"sqlite:///{tmp_path / 'restart.db'}") as store:
        yield await make_world(library, index, store)


def asked(reply: Reply) -> str:
    """The question a post in the thread asks."""
    [question] = [b.text for b in reply.blocks if isinstance(b, Question)]
    return question


async def everything_stored(store: Store) -> str:
    """Every value of every column of every table, as one string to search."""
    found: list[str] = []
    async with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                found += [str(value) for value in row]
    return "\n".join(found)


# opening a thread


async def test_start_posts_the_opening_and_tells_the_facilitator(world: World) -> None:
    reply = await world.say("reflect start manager-medic closes 3d")
    assert reply.visibility is Visibility.PRIVATE and reply.discreet  # Teams: a 1:1 chat
    assert "Reflection #1 on Manager–medic collaboration is open" in text_of(reply)
    assert "Thursday 26 November 2026, 10:00 GMT" in text_of(reply)  # closes, with its zone
    assert [b.label for b in reply.buttons] == ["Next question", "Close and sum up"]
    [opening] = world.posts()
    words = text_of(opening.reply)
    assert opening.reply.visibility is Visibility.CHANNEL
    blocks = opening.reply.blocks
    assert blocks[0] == Heading("Reflection: Manager–medic collaboration")
    assert blocks[1] == Note(
        "What? So what? Now what? · closes Thursday 26 November 2026, 10:00 GMT"
    )
    assert "alongside you on the same path" in words  # the topic's framing quote
    assert "Emma Challans-Rasool and Charlotte Williams" in words  # with its attribution
    [question] = [b for b in blocks if isinstance(b, Question)]
    assert question.text.startswith("What? (Q1 of 3)")
    [rules] = [b for b in blocks if "no patient details" in plain_text(b)]
    assert isinstance(rules, Paragraph) and "deleted 30 days after" in plain_text(rules)
    # the channel's post carries only what every reader may do
    assert [b.label for b in opening.reply.buttons] == ["Contribute anonymously"]
    stored = await world.latest()
    assert stored.thread == opening.message_id and stored.state == OPEN
    assert stored.facilitator == "console:T1:U-fran"  # platform, workspace, user id
    assert stored.closes_at == START + dt.timedelta(days=3)
    assert stored.remind_at == START + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("reflect start", "Which topic?"),
        ("reflect start astrophysics", "no topic called “astrophysics”"),
        ("reflect start manager-medic kolb", "no reflective model called “kolb”"),
        ("reflect start manager-medic closes soon", "can't read “soon”"),
        ("reflect start manager-medic closes 90d", "can't read “90d”"),
        ("reflect start manager-medic closes 2m", "can't read “2m”"),
    ],
)
async def test_bad_start_names_the_problem_and_stores_nothing(
    world: World, typed: str, problem: str
) -> None:
    reply = await world.say(typed)
    assert reply.kind == "error" and problem in text_of(reply)
    assert "reflect start manager-medic" in text_of(reply)  # an example to copy
    assert await world.store.reflections.in_channel(CHANNEL.key, open_only=False) == []
    assert world.posts() == []


async def test_models_durations_and_anonymity_are_understood(world: World) -> None:
    await world.say("reflect start collaboration gibbs closes 2 hours anonymous")
    stored = await world.latest()
    assert (stored.topic, stored.model, stored.anonymous) == ("manager-medic", "gibbs", True)
    assert stored.closes_at - stored.opened_at == dt.timedelta(hours=2)
    assert "without anyone's name" in text_of(world.posts()[0].reply)


async def test_an_opening_that_cannot_be_posted_leaves_nothing_behind(world: World) -> None:
    world.outbox.failing = DeliveryError("not_in_channel", permanent=True)
    reply = await world.say("reflect start manager-medic")
    assert reply.kind == "error" and "not_in_channel" in text_of(reply)
    assert await world.store.reflections.in_channel(CHANNEL.key, open_only=False) == []


# contributions


async def test_replies_in_the_thread_are_recorded_with_their_step(world: World) -> None:
    await world.say("reflect start manager-medic")
    assert await world.reply("We agreed the discharge plan together.") == []
    await world.say("reflect next")
    await world.reply("It mattered because the beds were full.", user="kit")
    stored = await world.store.reflections.contributions((await world.latest()).id)
    assert [(c.step, c.author, c.author_name) for c in stored] == [
        (0, "console:T1:U-sam", "Sam"),
        (1, "console:T1:U-kit", "Kit"),
    ]


async def test_a_platform_retry_of_the_same_message_is_recorded_once(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Once only.")
    await world.reply("Once only.")
    assert await world.store.reflections.count((await world.latest()).id) == 1


async def test_messages_in_other_threads_are_not_recorded(world: World) -> None:
    await world.say("reflect start manager-medic")
    assert await world.reply("Just chatting.", thread="not-a-reflection") == []
    assert await world.store.reflections.count((await world.latest()).id) == 0


async def test_an_unknown_command_in_the_thread_is_a_contribution(world: World) -> None:
    await world.say("reflect start manager-medic")
    where = replace(CHANNEL, thread=await world.thread())
    assert await world.bot.handle(Command(where, person("sam"), "I think we shared it")) == []
    [stored] = await world.store.reflections.contributions((await world.latest()).id)
    assert stored.text == "I think we shared it"
    outside = await world.say("I think we shared it")  # in the channel: still a command
    assert outside.kind == "unknown"


async def test_a_reply_after_closing_is_not_recorded_and_says_so(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.say("reflect close")
    [reply] = await world.reply("Too late?")
    assert "has closed" in text_of(reply) and reply.visibility is Visibility.PRIVATE


async def test_an_anonymous_thread_keeps_no_author_even_for_replies(world: World) -> None:
    await world.say("reflect start manager-medic anonymous")
    await world.reply("A named reply in an anonymous thread.", user="sam")
    [stored] = await world.store.reflections.contributions((await world.latest()).id)
    assert stored.author is None and stored.author_name is None
    assert "U-sam" not in await everything_stored(world.store)


# the guardrail


async def test_a_named_reply_with_an_nhs_number_is_warned_and_stored_without_it(
    world: World,
) -> None:
    await world.say("reflect start manager-medic")
    [warning] = await world.reply(f"Patient {VALID_NHS} waited four hours.")
    assert warning.visibility is Visibility.PRIVATE
    assert "an NHS number" in text_of(warning)
    [stored] = await world.store.reflections.contributions((await world.latest()).id)
    assert stored.text == "Patient [removed] waited four hours."
    assert VALID_NHS not in await everything_stored(world.store)


async def test_a_date_of_birth_beside_a_name_is_caught_too(world: World) -> None:
    await world.say("reflect start manager-medic")
    [warning] = await world.reply("John Smith DOB 12/03/1954 was on the ward.")
    assert "a date of birth" in text_of(warning)


async def test_a_number_whose_check_digit_fails_is_not_flagged(world: World) -> None:
    await world.say("reflect start manager-medic")
    assert await world.reply(f"Extension {FAILING_CHECK_DIGIT} for the bed bureau.") == []
    [stored] = await world.store.reflections.contributions((await world.latest()).id)
    assert FAILING_CHECK_DIGIT in stored.text


async def test_a_named_patient_is_warned_about_and_never_reaches_the_summary(
    world: World,
) -> None:
    """The testers' case: the number and date were removed, but the names became themes."""
    await world.say("reflect start manager-medic")
    smith = f"Patient John Smith, NHS number {VALID_NHS}, waited on the discharge plan."
    [first] = await world.reply(smith, user="sam")
    [second] = await world.reply("Mrs Jones DOB 12/03/1945 waited on the discharge plan.", "kit")
    assert first.visibility is second.visibility is Visibility.PRIVATE
    assert "a person's name and an NHS number" in text_of(first)
    assert "keeps the name in its stored copy" in text_of(first)
    assert "a person's name and a date of birth" in text_of(second)
    await reach_last_question(world)
    [third] = await world.reply("I will ring Mrs Jones about the discharge plan.", user="lee")
    assert "a person's name" in text_of(third) and "removed" not in text_of(third)
    reflection = await world.latest()
    stored = [c.text for c in await world.store.reflections.contributions(reflection.id)]
    assert stored[:2] == [
        "Patient John Smith, NHS number [removed], waited on the discharge plan.",
        "Mrs Jones DOB [removed] waited on the discharge plan.",
    ]
    await world.say("reflect close")
    words = text_of(world.in_thread(await world.thread())[-1])
    assert "Themes:" in words and "discharge plan" in words
    assert "• I will ring … about the discharge plan." in words
    for leaked in ("john", "smith", "jones", "nhs number", "[removed]"):
        assert leaked not in words.lower(), leaked
    [transcript] = world.direct()  # the facilitator's private copy keeps what was stored
    assert transcript.file is not None and "Patient John Smith" in transcript.file.text


# anonymous contributions


async def test_an_anonymous_contribution_is_posted_and_stored_with_no_identity(
    world: World,
) -> None:
    await world.say("reflect start manager-medic")
    found = await world.latest()
    form = await world.press(actions.REFLECT_ANONYMOUS, str(found.id), user="robin")
    assert form.kind == "form" and form_of(form).submit == actions.ANONYMOUS_SUBMIT
    done = await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="I felt unheard.")
    assert "anonymous contribution is in the thread" in text_of(done)
    [posted] = world.in_thread(await world.thread())
    assert text_of(posted).splitlines() == ["Anonymous contribution", "I felt unheard."]
    [stored] = await world.store.reflections.contributions(found.id)
    assert (stored.author, stored.author_name, stored.text) == (None, None, "I felt unheard.")
    everything = await everything_stored(world.store)
    assert "U-robin" not in everything and "Robin" not in everything


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("I keep thinking about mrs jones and how long she waited.", "a person's name"),
        (f"The patient ({VALID_NHS}) was moved twice.", "an NHS number"),
    ],
)
async def test_an_anonymous_contribution_with_an_identifier_is_not_posted(
    world: World, typed: str, found: str
) -> None:
    """A name, or a patient identifier: the form comes back with the reason and the text."""
    await world.say("reflect start manager-medic")
    thread = await world.latest()
    again = await world.press(actions.ANONYMOUS_SUBMIT, str(thread.id), text=typed)
    assert again.kind == "form" and again.visibility is Visibility.PRIVATE
    assert "not posted" in form_of(again).error and found in form_of(again).error
    assert form_of(again).initial == typed  # their text, to edit
    assert world.in_thread(await world.thread()) == []
    assert await world.store.reflections.count(thread.id) == 0


async def test_an_anonymous_contribution_that_cannot_be_posted_is_not_kept(
    world: World,
) -> None:
    await world.say("reflect start manager-medic")
    found = await world.latest()
    world.outbox.failing = DeliveryError("ratelimited")
    again = await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="Keep me.")
    assert again.kind == "form" and form_of(again).initial == "Keep me."
    assert await world.store.reflections.count(found.id) == 0
    world.outbox.failing = None
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="Keep me.")
    assert await world.store.reflections.count(found.id) == 1


async def test_an_empty_anonymous_form_asks_again(world: World) -> None:
    await world.say("reflect start manager-medic")
    again = await world.press(actions.ANONYMOUS_SUBMIT, str((await world.latest()).id), text=" ")
    assert again.kind == "form" and "nothing to post" in form_of(again).error


# permissions


async def test_only_the_facilitator_advances_closes_or_exports(world: World) -> None:
    await world.say("reflect start manager-medic")
    ident = str((await world.latest()).id)
    for attempt in (
        world.say("reflect next", user="sam"),
        world.say("reflect close", user="sam"),
        world.say("reflect export", user="sam"),
        world.press(actions.REFLECT_NEXT, ident, user="sam"),
        world.press(actions.REFLECT_CLOSE, ident, user="sam"),
    ):
        refused = await attempt
        assert refused.kind == "error" and "Only this reflection's facilitator" in text_of(refused)
    stored = await world.latest()
    assert (stored.step, stored.state) == (0, OPEN)
    assert len(world.posts()) == 1 and world.direct() == []
    assert "Posted Q2 of 3" in text_of(await world.press(actions.REFLECT_NEXT, ident))


async def test_an_admin_may_run_any_thread(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:U-ada"}))
    await world.say("reflect start manager-medic", user="fran")
    assert "Posted Q2" in text_of(await world.say("reflect next", user="ada"))
    assert "is closed" in text_of(await world.say("reflect close", user="ada"))
    refused = await world.say("reflect export", user="sam")
    assert "Only this reflection's facilitator" in text_of(refused)


# next, list, export


async def test_next_walks_the_model_and_stops_at_the_last_question(world: World) -> None:
    await world.say("reflect start manager-medic gibbs")
    for number in range(2, 7):
        assert f"Posted Q{number} of 6" in text_of(await world.say("reflect next"))
    assert "last question" in text_of(await world.say("reflect next"))
    questions = world.in_thread(await world.thread())
    assert [asked(q).split(" (")[0] for q in questions] == [
        "Feelings",
        "Evaluation",
        "Analysis",
        "Conclusion",
        "Action plan",
    ]


async def test_list_shows_open_threads_and_ids_pick_one(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.say("reflect start valuing-managers tweet-chat")
    listed = text_of(await world.say("reflect list", user="sam"))
    assert "#1 Manager–medic collaboration" in listed and "#2 Valuing managers" in listed
    assert "Tweet chat · Q1 of 5" in listed
    assert "Posted Q2 of 3 in reflection #1" in text_of(await world.say("reflect next 1"))
    assert "no reflection #9" in text_of(await world.say("reflect next #9"))


async def test_export_sends_the_transcript_privately(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Named words.", user="sam")
    found = await world.latest()
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="Unnamed words.")
    reply = await world.say("reflect export")
    assert "sent to you privately" in text_of(reply)
    [sent] = world.direct()
    assert sent.person == person("fran") and sent.file is not None
    assert sent.file.name == "reflection-1-manager-medic.md"
    assert "- **Sam**: Named words." in sent.file.text
    assert "- **Anonymous**: Unnamed words." in sent.file.text


async def test_an_anonymous_form_sent_again_after_its_post_is_not_posted_twice(
    world: World,
) -> None:
    """The answer to a submitted form lost after the post (a crash, a dropped connection):
    the person sends it again, and is told it is in; the same words ten minutes later are
    a new contribution."""
    await world.say("reflect start manager-medic")
    found = await world.latest()
    said = "The rota is decided before anyone asks us."
    for _ in range(2):
        done = await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text=said)
        assert done.kind == "anonymous-done", text_of(done)
    posts = [r for r in world.in_thread(await world.thread()) if said in text_of(r)]
    assert len(posts) == 1 and len(await world.store.reflections.contributions(found.id)) == 1
    world.clock.advance(minutes=11)
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text=said)
    assert len(await world.store.reflections.contributions(found.id)) == 2


async def test_an_anonymous_post_cut_short_is_not_shown_until_it_is_posted(world: World) -> None:
    """A crash (or a shutdown) while an anonymous contribution waits to be posted leaves it
    pending: not in the count or the transcript. Sent again, it is the same row, posted
    once; otherwise the scheduler posts it after ten minutes, once, however many replicas
    pass. One left in a thread that closed is never shown, and goes after a day."""
    await world.say("reflect start manager-medic")
    found = await world.latest()
    store = world.store.reflections
    for text in ("Cut short, sent again.", "Cut short, left."):  # as a crash leaves them
        await store.contribute(found.id, found.step, text, pending=True)
    assert await store.count(found.id) == 0 and await store.contributions(found.id) == []
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="Cut short, sent again.")
    assert [c.text for c in await store.contributions(found.id)] == ["Cut short, sent again."]
    await world.say("reflect export")
    [sent] = world.direct()
    assert sent.file is not None and "left" not in sent.file.text

    world.clock.advance(minutes=9)
    assert await due.run_due(world.bot.ctx) == []  # it may still be on its way
    world.clock.advance(minutes=2)
    passes = await asyncio.gather(*(due.run_due(world.bot.ctx) for _ in range(3)))
    assert [done for one in passes for done in one] == ["posted:2"]  # one pass took it
    posted = [r for r in world.in_thread(await world.thread()) if "Cut short" in text_of(r)]
    assert sorted(text_of(r).split("\n")[-1] for r in posted) == [
        "Cut short, left.",
        "Cut short, sent again.",
    ]
    assert len(await store.contributions(found.id)) == 2

    await world.say("reflect close")
    await store.contribute(found.id, found.step, "Too late.", pending=True)
    world.clock.advance(minutes=11)
    assert await due.run_due(world.bot.ctx) == []  # a closed thread gets no posts
    world.clock.advance(days=1)
    await due.purge(world.bot.ctx)
    assert "Too late." not in await everything_stored(world.store)


# closing and the summary


async def reach_last_question(world: World) -> None:
    await world.say("reflect next")
    await world.say("reflect next")


async def test_closing_posts_the_summary_and_sends_the_transcript(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("The discharge plan was agreed with the ops manager.", user="sam")
    await world.reply("Bed capacity and the discharge plan dominate every huddle.", user="kit")
    await reach_last_question(world)
    await world.reply("I will invite the general manager to our consultant meeting.", user="lee")
    reply = await world.say("reflect close")
    assert "is closed and its summary is in the thread" in text_of(reply)
    summary = world.in_thread(await world.thread())[-1]
    words = text_of(summary)
    assert summary.kind == "reflection-summary"
    assert "3 named contributions from 3 people." in words
    assert "Themes:" in words and "discharge plan" in words
    passages = [b for b in summary.blocks if isinstance(b, Item)]
    assert 2 <= len(passages) <= 3
    assert "• I will invite the general manager to our consultant meeting." in words
    assert (await world.latest()).state == CLOSED
    [transcript] = world.direct()
    assert transcript.person is not None and transcript.person.id == "U-fran"
    assert transcript.file is not None
    assert "## Q3 (Now what?)" in transcript.file.text


@pytest.mark.parametrize(
    ("named", "anonymous", "shown"),
    [
        (["sam", "kit"], 0, False),  # two people: counts would single them out
        (["sam", "kit", "lee"], 0, True),
        (["sam", "sam", "sam", "kit"], 0, False),  # many replies, still two people
        # anonymous words may be sam's or kit's: they prove no third person
        (["sam", "kit"], 2, False),
        (["sam"], 3, False),
        (["sam", "kit", "lee"], 1, True),
    ],
)
async def test_counts_are_shown_only_when_three_people_took_part(
    world: World, named: list[str], anonymous: int, shown: bool
) -> None:
    await world.say("reflect start manager-medic")
    found = await world.latest()
    for number, user in enumerate(named):
        await world.reply(f"Named reply number {number} about rotas.", user=user)
    for number in range(anonymous):
        text = f"Anonymous reply number {number} about rotas."
        await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text=text)
    await world.say("reflect close")
    words = text_of(world.in_thread(await world.thread())[-1])
    assert ("contributions from" in words) is shown
    assert ("Counts are shown only when" in words) is not shown
    if shown:  # never more people than can be told apart; the anonymous said apart
        assert f"{len(named)} named contributions from {len(set(named))} people." in words
        assert ("anonymous contribution" in words) is bool(anonymous)


async def test_a_summary_with_no_replies_says_so(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.say("reflect close")
    words = text_of(world.in_thread(await world.thread())[-1])
    assert "No one replied" in words and "Themes" not in words


async def test_a_summary_without_answers_to_the_last_question_says_so(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Only the first question was answered.")
    await world.say("reflect close")
    assert "No actions were named" in text_of(world.in_thread(await world.thread())[-1])


async def test_closing_twice_posts_one_summary(world: World) -> None:
    await world.say("reflect start manager-medic")
    ident = str((await world.latest()).id)
    await world.press(actions.REFLECT_CLOSE, ident)
    again = await world.press(actions.REFLECT_CLOSE, ident)
    assert "already closed" in text_of(again)
    summaries = [r for r in world.in_thread(await world.thread()) if r.kind.endswith("summary")]
    assert len(summaries) == 1


# the scheduler: reminders, deadlines, timed questions


async def test_the_reminder_comes_once_before_the_deadline(world: World) -> None:
    await world.say("reflect start manager-medic closes 3d")
    world.clock.advance(days=1, hours=23)
    assert (await world.scheduler().tick()).reflections == []
    world.clock.advance(hours=2)
    assert (await world.scheduler().tick()).reflections == ["reminded:1"]
    assert (await world.scheduler().tick()).reflections == []
    [reminder] = world.in_thread(await world.thread())
    assert "Reminder: this reflection closes Thursday 26 November 2026, 10:00" in text_of(reminder)


async def test_the_deadline_closes_the_thread_after_a_restart(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    async with process(library, index, tmp_path) as world:
        await world.say("reflect start manager-medic closes 2h")
        await world.reply("Before the restart.")

    async with process(library, index, tmp_path) as again:
        again.clock.now = world.clock.now + dt.timedelta(hours=3)
        report = await again.scheduler().tick()
        assert report.reflections == ["closed:1"]
        summary = again.in_thread(await again.thread())[-1]
        assert summary.kind == "reflection-summary"
        assert (await again.latest()).state == CLOSED
        [transcript] = again.direct()
        assert transcript.file is not None and "Before the restart." in transcript.file.text


async def test_a_close_cut_short_by_a_crash_is_finished_after_its_lease(world: World) -> None:
    await world.say("reflect start manager-medic")
    found = await world.latest()
    assert await world.store.reflections.claim_close(found.id) is not None  # then it crashed
    assert (await world.scheduler().tick()).reflections == []  # still within the lease
    world.clock.advance(minutes=6)
    assert (await world.scheduler().tick()).reflections == ["closed:1"]
    assert (await world.latest()).state == CLOSED


async def test_a_summary_that_could_not_be_posted_is_tried_again(world: World) -> None:
    await world.say("reflect start manager-medic closes 1h")
    world.clock.advance(hours=1)
    world.outbox.failing = DeliveryError("timeout")
    assert (await world.scheduler().tick()).reflections == []
    assert (await world.latest()).state == CLOSING
    world.outbox.failing = None
    world.clock.advance(minutes=6)
    assert (await world.scheduler().tick()).reflections == ["closed:1"]
    kinds = [r.kind for r in world.in_thread(await world.thread())]
    assert kinds.count("reflection-summary") == 1


async def test_a_tweet_chat_posts_its_questions_on_time_once_across_replicas(
    world: World,
) -> None:
    await world.say("reflect start manager-medic tweet-chat")
    replicas = [world.scheduler(), world.scheduler()]
    for _minute in range(0, 60, 5):
        world.clock.advance(minutes=5)
        for replica in replicas:
            await replica.tick()
    questions = [r for r in world.in_thread(await world.thread()) if r.kind.endswith("question")]
    assert [asked(q).split(" ")[0] for q in questions] == ["Q2", "Q3", "Q4", "Q5"]
    kinds = [r.kind for r in world.in_thread(await world.thread())]
    assert kinds.count("reflection-summary") == 1  # closed after 50 minutes
    assert kinds.count("reflection-reminder") == 1


# retention and erasure


async def test_retention_deletes_threads_closed_long_enough_ago(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Old words.")
    await world.say("reflect close")
    world.clock.advance(days=10)
    await world.say("reflect start valuing-managers")
    await world.reply("Newer words.")
    await world.say("reflect close 2")
    await world.say("reflect start inclusive-leadership")
    await world.reply("Still open.")
    world.clock.advance(days=21)  # the first closed 31 days ago, the second 21
    assert (await due.purge(world.bot.ctx)).contributions == 1
    everything = await everything_stored(world.store)
    assert "Old words." not in everything
    assert "Newer words." in everything and "Still open." in everything
    left = await world.store.reflections.in_channel(CHANNEL.key, open_only=False)
    assert [r.id for r in left] == [3, 2]


async def test_retention_deletes_threads_whose_opening_never_went_out(world: World) -> None:
    """An outage between the opening post and recording its id leaves a row without a
    thread (the post itself is withdrawn): never used, and purged after a day."""
    await world.say("reflect start manager-medic")
    posted = await world.latest()
    assert posted.thread is not None
    fields = {k: getattr(posted, k) for k in NewReflection.__dataclass_fields__}
    orphan = await world.store.reflections.open(NewReflection(**fields))  # no thread set
    world.clock.advance(hours=23)
    await due.purge(world.bot.ctx)
    assert await world.store.reflections.get(orphan.id) is not None
    world.clock.advance(hours=2)
    await due.purge(world.bot.ctx)
    assert await world.store.reflections.get(orphan.id) is None
    assert await world.store.reflections.get(posted.id) is not None  # open: kept


async def test_forget_me_erases_named_contributions_and_unlinks_the_rest(world: World) -> None:
    await world.say("reflect start manager-medic", user="sam")
    found = await world.latest()
    await world.reply("Sam's first reply.", user="sam")
    await world.reply("Sam's second reply.", user="sam")
    await world.reply("Kit's reply.", user="kit")
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="Unnamed words.")
    await world.store.schedules.save(
        NewSchedule(CHANNEL.key, "console", "ops", "T1", 0, "09:00", "Europe/London", (), SAM_KEY)
    )
    reply = await world.say("forget-me confirm", user="sam")
    words = text_of(reply)
    assert "Your named contributions to reflection threads: 2." in words
    assert "Your name as facilitator, on reflection threads: 1." in words
    assert "Your name on weekly prompt schedules you set: 1" in words
    everything = await everything_stored(world.store)
    assert "U-sam" not in everything and "Sam's" not in everything
    assert "Kit's reply." in everything and "Unnamed words." in everything
    schedule = await world.store.schedules.get(CHANNEL.key)
    assert schedule is not None and not schedule.paused  # it keeps running
    again = await world.say("forget-me confirm", user="sam")
    assert "nothing stored about you" in text_of(again)


async def test_a_thread_whose_facilitator_was_forgotten_can_still_be_closed(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:U-ada"}))
    await world.say("reflect start manager-medic", user="sam")
    await world.say("forget-me confirm", user="sam")
    refused = await world.say("reflect close", user="sam")
    assert "only a Rounds admin can do that" in text_of(refused)
    assert "is closed" in text_of(await world.say("reflect close", user="ada"))


# people are (platform, workspace, user id)

SLACK = Conversation("slack", "C1", "T1")
TEAMS = Conversation("teams", "C1", "T1")  # the same channel and workspace ids, on Teams
TEAMS_OWN = Conversation("teams", "C2", "T1")  # a Teams channel with its own thread


def on_every_platform(world: World) -> World:
    world.bot.ctx.outboxes = {p: world.outbox for p in ("console", "slack", "teams")}
    return world


async def as_user(world: World, where: Conversation, user: str, text: str) -> Reply:
    [reply] = await world.bot.handle(Command(where, Person(user, user.lower()), text))
    return reply


async def press_as(world: World, where: Conversation, user: str, action: str, value: str) -> Reply:
    [reply] = await world.bot.handle(Action(where, Person(user), action, value))
    return reply


async def opened_in(world: World, where: Conversation) -> Reflection:
    [found, *_] = await world.store.reflections.in_channel(where.key, open_only=False)
    return found


async def test_the_same_user_id_on_another_platform_is_not_the_facilitator(world: World) -> None:
    """A Teams user whose id equals the Slack facilitator's can do nothing to the Slack
    thread: not with its buttons, not with commands."""
    on_every_platform(world)
    await as_user(world, SLACK, "U123", "reflect start manager-medic")
    found = await opened_in(world, SLACK)
    ident = str(found.id)
    for attempt in (
        press_as(world, TEAMS, "U123", actions.REFLECT_NEXT, ident),
        press_as(world, TEAMS, "U123", actions.REFLECT_CLOSE, ident),
        as_user(world, TEAMS, "U123", f"reflect close #{ident}"),
        as_user(world, TEAMS, "U123", f"reflect next #{ident}"),
        as_user(world, TEAMS, "U123", f"reflect export #{ident}"),
    ):
        assert (await attempt).kind == "error"
    still = await world.store.reflections.get(found.id)
    assert still is not None and (still.step, still.state) == (0, OPEN)
    assert still.facilitator == "slack:T1:U123"
    assert len(world.posts()) == 1 and world.direct() == []
    assert "is closed" in text_of(
        await press_as(world, SLACK, "U123", actions.REFLECT_CLOSE, ident)
    )
    [transcript] = world.direct()
    assert transcript.person == Person("U123")  # the platform's own id, to reach them


async def test_only_the_same_platform_workspace_and_user_may_run_a_thread(world: World) -> None:
    on_every_platform(world)
    await as_user(world, SLACK, "U123", "reflect start manager-medic")
    found = await opened_in(world, SLACK)
    ctx, fran = world.bot.ctx, Person("U123")
    assert may_run(ctx, found, SLACK, fran)
    assert not may_run(ctx, found, TEAMS, fran)
    assert not may_run(ctx, found, replace(SLACK, workspace="T2"), fran)
    assert not may_run(ctx, found, SLACK, Person("U124"))
    assert not may_run(ctx, found, SLACK, Person(""))


async def test_an_admin_is_an_admin_on_their_own_platform_only(
    library: Library, index: LookupIndex, store: Store
) -> None:
    admins = frozenset({"slack:U9", "slack:T1:U8"})
    world = on_every_platform(await make_world(library, index, store, admins))
    await as_user(world, SLACK, "U1", "reflect start manager-medic")
    await as_user(world, TEAMS_OWN, "U2", "reflect start manager-medic")
    assert "Posted Q2" in text_of(await as_user(world, SLACK, "U9", "reflect next"))
    assert "Posted Q3" in text_of(await as_user(world, SLACK, "U8", "reflect next"))
    refused = await as_user(world, TEAMS_OWN, "U9", "reflect next")
    assert "Only this reflection's facilitator" in text_of(refused)
    assert (await opened_in(world, TEAMS_OWN)).step == 0
    elsewhere = replace(SLACK, workspace="T2")
    set_weekly = "schedule weekly monday 09:00"
    assert "Only the people listed" in text_of(await as_user(world, elsewhere, "U8", set_weekly))
    assert "Only the people listed" in text_of(await as_user(world, TEAMS_OWN, "U9", set_weekly))
    assert await world.store.schedules.all() == []
    assert "Weekly prompt set" in text_of(await as_user(world, SLACK, "U9", set_weekly))


async def test_forget_me_on_one_platform_leaves_the_same_id_elsewhere_alone(world: World) -> None:
    on_every_platform(world)
    await as_user(world, SLACK, "U123", "reflect start manager-medic")
    found = await opened_in(world, SLACK)
    said = Message(replace(SLACK, thread=found.thread), Person("U123", "u123"), "Mine.", "m1")
    await world.bot.handle(said)
    await as_user(world, SLACK, "U123", "schedule weekly monday 09:00")
    for elsewhere in (TEAMS, replace(SLACK, workspace="T2")):
        nothing = await as_user(world, elsewhere, "U123", "forget-me confirm")
        assert "nothing stored about you" in text_of(nothing)
    kept = await world.store.reflections.get(found.id)
    assert kept is not None and kept.facilitator == "slack:T1:U123"
    [contribution] = await world.store.reflections.contributions(found.id)
    assert contribution.author == "slack:T1:U123"
    assert "U123" in await everything_stored(world.store)
    words = text_of(await as_user(world, SLACK, "U123", "forget-me confirm"))
    assert "contributions to reflection threads: 1." in words
    assert "as facilitator, on reflection threads: 1." in words
    assert "schedules you set: 1" in words
    assert "U123" not in await everything_stored(world.store)


async def orphan(world: World) -> str:
    """Sam opens a thread and asks to be forgotten; the thread's id."""
    await world.say("reflect start manager-medic closes 2h", user="sam")
    await world.reply("Kit's words.", user="kit")
    await world.say("forget-me confirm", user="sam")
    found = await world.latest()
    assert found.facilitator is None
    return str(found.id)


async def test_with_no_admins_no_one_runs_an_orphaned_thread_and_its_deadline_closes_it(
    world: World,
) -> None:
    ident = await orphan(world)
    for user in ("kit", "sam"):  # a member, and the facilitator who was forgotten
        for attempt in (
            world.say("reflect next", user=user),
            world.say("reflect close", user=user),
            world.say("reflect export", user=user),
            world.press(actions.REFLECT_NEXT, ident, user=user),
            world.press(actions.REFLECT_CLOSE, ident, user=user),
        ):
            refused = await attempt
            assert refused.kind == "error"
            assert "no longer has a facilitator" in text_of(refused)
            assert "only a Rounds admin can do that" in text_of(refused)
    assert ((await world.latest()).step, (await world.latest()).state) == (0, OPEN)
    world.clock.advance(hours=3)
    assert (await world.scheduler().tick()).reflections == [f"closed:{ident}"]
    summary = world.in_thread(await world.thread())[-1]
    words = text_of(summary)
    assert (
        summary.kind == "reflection-summary"
        and "The transcript goes privately to the facilitator" not in words
    )
    assert "The transcript was not sent to anyone" in words
    assert world.direct() == []  # and it was not: no one was sent it


async def test_an_admin_runs_an_orphaned_thread(
    library: Library, index: LookupIndex, store: Store
) -> None:
    world = await make_world(library, index, store, admins=frozenset({"console:U-ada"}))
    ident = await orphan(world)
    assert "no longer has a facilitator" in text_of(await world.say("reflect close", user="kit"))
    assert "Posted Q2" in text_of(await world.press(actions.REFLECT_NEXT, ident, user="ada"))
    assert "sent to you" in text_of(await world.say("reflect export", user="ada"))
    [export] = world.direct()
    assert export.person is not None and export.person.id == "U-ada"
    assert "is closed" in text_of(await world.say("reflect close", user="ada"))
    assert "not sent to anyone" in text_of(world.in_thread(await world.thread())[-1])
    assert world.direct() == [export]  # the close sent the transcript to no one


async def test_privacy_explains_reflections_retention_and_erasure(world: World) -> None:
    words = text_of(await world.say("privacy"))
    assert "deleted 30 days after their thread closes" in words
    assert "`forget-me`" in words and "Anonymous contributions are stored with no name" in words


async def test_help_lists_reflect_and_forget_me(world: World) -> None:
    words = text_of(await world.say("help"))
    assert "reflect start manager-medic" in words and "forget-me" in words


@pytest.fixture
async def postgres_world(
    library: Library, index: LookupIndex, any_store: Store
) -> AsyncIterator[World]:
    yield await make_world(library, index, any_store)


async def test_the_whole_flow_on_each_database(postgres_world: World) -> None:
    world = postgres_world
    await world.say("reflect start manager-medic closes 1h")
    found = await world.latest()
    await world.reply("A named reply.", user="sam")
    await world.press(actions.ANONYMOUS_SUBMIT, str(found.id), text="An anonymous one.")
    world.clock.advance(hours=1)
    assert (await world.scheduler().tick()).reflections == ["closed:1"]
    assert (await world.latest()).state == CLOSED
    world.clock.advance(days=31)
    assert (await due.purge(world.bot.ctx)).contributions == 2


async def test_the_timer_runs_the_retention_purge_at_start_and_daily(world: World) -> None:
    await world.say("reflect start manager-medic")
    await world.reply("Old words.")
    await world.say("reflect close")
    world.clock.advance(days=31)
    timer = Timer(world.scheduler(), every=dt.timedelta(hours=1))
    timer.start()
    try:
        for _ in range(100):
            if "Old words." not in await everything_stored(world.store):
                break
            await asyncio.sleep(0.02)
        assert "Old words." not in await everything_stored(world.store)
        job = timer.aps.get_job("retention")
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("3", "30")
    finally:
        await timer.stop()
