"""Fairness: a token bucket for each person (and each thread's anonymous form). Over the
limit nothing runs and the person is told once to wait; everyone else is unaffected. The
clock is injected: nothing sleeps."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import REGISTRY

from bot import actions, fairness
from bot.content.model import Library
from bot.context import Context
from bot.core import DEFAULT_MIDDLEWARE, Bot, Layer, Next
from bot.events import Action, Command, Conversation, Event, Message, Person
from bot.fairness import LIMITED, Bucket, Fairness, Rate, take
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox
from bot.replies import Reply
from bot.store import Store
from rounds.assembly import Parts, assemble
from rounds.metrics import count_limited, measure
from rounds.server import Options, Server, serving
from rounds.settings import Settings, SettingsError, from_env
from tests.conftest import form_of, text_of
from tests.fakes.clock import Clock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import slash_command
from tests.slack_harness import FAST_RETRIES, Rounds, slack_settings, words

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
HERE = Conversation("console", "general", "T1")


@dataclass
class Handled:
    """A layer just above the handlers: what got through the fairness limit."""

    events: list[Event]

    async def __call__(self, event: Event, call_next: Next) -> list[Reply]:
        self.events.append(event)
        return await call_next(event)


@dataclass
class Setup:
    bot: Bot
    clock: Clock
    handled: list[Event]
    outbox: MemoryOutbox

    async def send(self, text: str, user: str = "ada") -> list[Reply]:
        return await self.bot.handle(Command(HERE, Person(f"U-{user}", user), text))


async def setup(
    library: Library,
    index: LookupIndex,
    store: Store,
    per_minute: int | None = 30,
    outer: tuple[Layer, ...] = (),
) -> Setup:
    clock, handled, outbox = Clock(START), Handled([]), MemoryOutbox()
    store.clock = store.reflections.clock = store.schedules.clock = clock
    ctx = Context(
        library,
        index,
        store,
        random.Random(1),
        clock=clock,
        outboxes={"console": outbox},
        rate_per_minute=per_minute,
        anonymous_per_minute=per_minute,
    )
    bot = Bot(ctx, (*outer, *DEFAULT_MIDDLEWARE, handled))
    return Setup(bot, clock, handled.events, outbox)


@pytest.fixture
async def fair(library: Library, index: LookupIndex, store: Store) -> Setup:
    return await setup(library, index, store)


def lookups(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "rounds_lookups_total", {"platform": "console", "outcome": outcome}
    )
    return value or 0.0


def limited() -> float:
    labels = {"platform": "console", "kind": "command", "name": "lookup"}
    return REGISTRY.get_sample_value("rounds_limited_total", labels) or 0.0


def test_a_bucket_holds_a_third_of_a_minute_and_refills_at_the_rate() -> None:
    rate = Rate(30)
    assert (rate.capacity, rate.per_second) == (10, 0.5)
    bucket, wait = take(None, 100.0, rate)
    assert (bucket.tokens, wait) == (9, 0.0)
    empty = Bucket(0.0, 100.0)
    assert take(empty, 100.0, rate)[1] == pytest.approx(2.0)  # one token every 2 seconds
    assert take(empty, 101.0, rate)[1] == pytest.approx(1.0)
    assert take(empty, 102.0, rate)[1] == 0.0
    assert take(Bucket(0.0, 100.0), 50.0, rate)[1] == pytest.approx(2.0)  # clock set back
    assert take(Bucket(3.0, 0.0), 10_000.0, rate)[0].tokens == 9  # never more than full
    assert Rate(1).capacity == 1


async def test_over_the_limit_nothing_runs_and_the_person_is_told_once(
    library: Library, index: LookupIndex, store: Store
) -> None:
    fairness.subscribe(count_limited)
    fair = await setup(library, index, store, outer=(measure,))
    before = lookups("found") + lookups("none")
    refused = limited()
    for _ in range(10):  # a burst of a third of a minute's allowance is served
        [reply] = await fair.send("lookup triumvirate")
        assert reply.kind == "lookup"
    [note] = await fair.send("lookup triumvirate")
    assert note.kind == LIMITED
    assert "Please wait 2 seconds, then try again" in text_of(note)
    assert await fair.send("lookup triumvirate") == []  # within the wait: nothing more said
    assert len(fair.handled) == 10  # the handler never saw the refused ones
    assert lookups("found") + lookups("none") - before == 10  # and metrics count none
    assert limited() - refused == 2  # but count them refused
    fair.clock.advance(seconds=2)
    [reply] = await fair.send("lookup triumvirate")  # after the wait it works again
    assert reply.kind == "lookup" and len(fair.handled) == 11


async def test_the_31st_command_within_a_minute_runs_nothing(fair: Setup) -> None:
    """At the steady rate (one every 2 s) a minute's 30 are all served, with the burst kept
    in hand; ten more at once are too, and the next is refused."""
    for _ in range(20):
        [reply] = await fair.send("topics")
        assert reply.kind != LIMITED
        fair.clock.advance(seconds=2)
    for _ in range(10):
        [reply] = await fair.send("topics")
        assert reply.kind != LIMITED
    [reply] = await fair.send("topics")  # the 31st, 40 seconds after the first
    assert reply.kind == LIMITED and len(fair.handled) == 30


async def test_nothing_is_stored_for_a_refused_command(fair: Setup) -> None:
    for _ in range(10):
        await fair.send("help")
    [note] = await fair.send("reflect start manager-medic")
    assert note.kind == LIMITED
    found = await fair.bot.ctx.store.reflections.in_channel(HERE.key, open_only=False)
    assert found == [] and fair.outbox.sent == []


async def test_other_people_are_unaffected(fair: Setup) -> None:
    for _ in range(11):
        await fair.send("help", user="ada")
    assert (await fair.send("help", user="ada")) == []
    [reply] = await fair.send("help", user="ben")
    assert reply.kind == "help"
    other = Conversation("console", "general", "T2")  # the same user id in another workspace
    [reply] = await fair.bot.handle(Command(other, Person("U-ada"), "help"))
    assert reply.kind == "help"


async def test_button_presses_count_and_thread_replies_never_do(fair: Setup) -> None:
    ada = Person("U-ada", "ada")
    for _ in range(10):
        await fair.bot.handle(Action(HERE, ada, actions.ANOTHER_QUOTE, "x"))
    [note] = await fair.bot.handle(Action(HERE, ada, actions.ANOTHER_QUOTE, "x"))
    assert note.kind == LIMITED
    thread = replace(HERE, thread="t1")
    for n in range(20):
        await fair.bot.handle(Message(thread, ada, f"words {n}", f"m{n}"))
    assert len(fair.handled) == 10 + 20


async def test_anonymous_contributions_are_limited_per_thread_and_keep_their_text(
    fair: Setup,
) -> None:
    def submit(thread: str, text: str) -> Action:
        return Action(HERE, Person(""), actions.ANONYMOUS_SUBMIT, thread, text)

    for n in range(10):
        await fair.bot.handle(submit("7", f"words {n}"))
    [form] = await fair.bot.handle(submit("7", "my careful words"))
    assert form.kind == "form" and form_of(form).value == "7"
    assert form_of(form).initial == "my careful words"
    assert "Please wait 2 seconds" in form_of(form).error
    [form] = await fair.bot.handle(submit("7", "again"))  # the form always comes back
    assert form_of(form).initial == "again"
    assert len(fair.handled) == 10
    await fair.bot.handle(submit("8", "another thread"))
    assert len(fair.handled) == 11


async def test_the_buckets_are_bounded(fair: Setup) -> None:
    layer = Fairness(Rate(30), Rate(30), lambda: 0.0, size=50)

    async def served(event: Event) -> list[Reply]:
        return []

    for n in range(500):
        await layer(Command(HERE, Person(f"U{n}"), "help"), served)
    assert len(layer.buckets) == 50
    assert next(reversed(layer.buckets)) == "console:T1:U499"  # the most recent are kept
    assert fairness.MAX_BUCKETS == 10_000


async def test_no_rates_set_means_no_limit(
    library: Library, index: LookupIndex, store: Store
) -> None:
    fair = await setup(library, index, store, per_minute=None)
    for _ in range(50):
        [reply] = await fair.send("help")
        assert reply.kind == "help"


async def test_serve_limits_and_the_console_does_not(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", rate_per_minute=12)
    served = await assemble(settings, serving(settings, Options()))
    console = await assemble(settings, Parts(fair=False))
    try:
        [layer] = [m for m in served.bot.middleware if isinstance(m, Fairness)]
        assert layer.person == Rate(12) and layer.anonymous == Rate(30)
        [layer] = [m for m in console.bot.middleware if isinstance(m, Fairness)]
        assert layer.person is None and layer.anonymous is None
    finally:
        await served.close()
        await console.close()


def test_the_settings() -> None:
    assert (Settings().rate_per_minute, Settings().anonymous_per_minute) == (30, 30)
    settings = from_env({"ROUNDS_RATE_PER_MINUTE": "60", "ROUNDS_ANONYMOUS_PER_MINUTE": "90"})
    assert (settings.rate_per_minute, settings.anonymous_per_minute) == (60, 90)
    for name in ("ROUNDS_RATE_PER_MINUTE", "ROUNDS_ANONYMOUS_PER_MINUTE"):
        with pytest.raises(SettingsError, match=name):
            from_env({name: "0"})


# Over real HTTP: signed slash commands, the note as the ephemeral answer.


async def test_in_slack_the_person_gets_the_note_as_the_ephemeral_answer(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db")
    options = Options(host="127.0.0.1", port=0, retry_interval=FAST_RETRIES, scheduler=False)
    served, handled = serving(settings, options), Handled([])
    middleware = (*served.middleware, handled)  # `measure` outermost, as `setup(outer=...)`
    parts = replace(served, middleware=middleware, library=library, index=index)
    app = await assemble(settings, replace(parts, rng=random.Random(1), clock=Clock(START)))
    server = Server(app, options)
    try:
        await server.start()
        async with aiohttp.ClientSession() as http:
            rounds = Rounds(server, http, fake)

            async def command(line: str, user: str = "U0ALICE") -> str:
                body = slash_command(line, fake.response_url(), user=user)
                answer = await rounds.send(body)
                assert answer["response_type"] == "ephemeral"
                return words(answer)

            for _ in range(10):
                assert "triumvirate" in (await command("lookup triumvirate")).lower()
            assert "Please wait 2 seconds" in await command("lookup triumvirate")
            assert "triumvirate" in (await command("lookup triumvirate", "U0BEN")).lower()
    finally:
        await server.stop()
        await app.close()
    assert len(handled.events) == 11
