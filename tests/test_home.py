"""`home` through the core: what a facilitator runs, at a glance, with the injected clock.
Counts keep to the summaries' rule (three or more distinct named people), and so does the
participation chart. The store parts of other features (actions, evaluations) are shown
when the store has them: faked here when it does not, the real ones when it does."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass

import pytest

from bot.chart import draw
from bot.content.model import Library
from bot.handlers.home import CHARTED, HomeFacts, Led, home_reply, participation
from bot.lookup import LookupIndex
from bot.replies import Chart, Heading, Item, Reply, Visibility, plain_text
from bot.store import Store
from bot.store.reflections import CLOSED, Named, Reflection
from tests.test_reflect import CHANNEL, START, World, make_world


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


def items(reply: Reply) -> list[Item]:
    return [b for b in reply.blocks if isinstance(b, Item)]


def charts(reply: Reply) -> list[Chart]:
    return [b for b in reply.blocks if isinstance(b, Chart)]


async def threads_with(world: World, people: int, contributions: int = 1) -> None:
    """A thread by fran with `contributions` replies each from `people` named people."""
    await world.say("reflect start manager-medic")
    for n in range(people):
        for k in range(contributions):
            await world.reply(f"Reply {k} from person {n}, about the bed meeting.", user=f"p{n}")


async def test_home_is_private_and_discreet_and_says_when_there_is_nothing(world: World) -> None:
    reply = await world.say("home")
    assert reply.kind == "home" and reply.visibility is Visibility.PRIVATE and reply.discreet
    assert isinstance(reply.blocks[0], Heading)
    assert "Nothing yet" in plain_text(reply)


async def test_an_open_reflection_shows_its_question_and_deadline_with_its_zone(
    world: World,
) -> None:
    await threads_with(world, people=3)
    await world.say("reflect next")
    [item] = items(await world.say("home"))
    assert item.title.startswith("#1 ") and "Q2 of 3" in item.meta
    assert "closes Thursday 26 November 2026, 10:00 GMT" in item.meta
    assert "3 contributions from 3 people" in plain_text(item)


async def test_counts_under_three_people_are_not_shown(world: World) -> None:
    await threads_with(world, people=2, contributions=3)
    reply = await world.say("home")
    [item] = items(reply)
    assert "Fewer than three people" in plain_text(item)
    assert "6 contributions" not in plain_text(reply)
    assert charts(reply) == []  # no bars drawn from two people


async def test_home_after_a_close_shows_the_date_and_the_schedules_set(world: World) -> None:
    await world.say("schedule weekly monday 09:00")
    await threads_with(world, people=3)
    world.clock.advance(dt.timedelta(days=1))
    await world.say("reflect close")
    reply = await world.say("home")
    text = plain_text(reply)
    [closed, schedule] = items(reply)
    assert closed.meta == "Closed 24 November 2026"
    assert "Mondays at 09:00" in schedule.title or "09:00" in schedule.title
    assert schedule.meta == "Next post Monday 30 November 2026, 09:00 GMT"
    assert "Closed reflections" in text and "Weekly prompts you set" in text
    [chart] = charts(reply)
    assert chart.bars[0] == ("#1 Q1", 3)


async def test_another_persons_home_shows_nothing_of_frans(world: World) -> None:
    await threads_with(world, people=3)
    assert "Nothing yet" in plain_text(await world.say("home", user="sam"))


@dataclass(frozen=True)
class Action:
    number: int
    text: str
    owner: str | None
    done: bool
    done_at: dt.datetime | None = None


@dataclass(frozen=True)
class Evaluation:
    answers: int
    mean: float
    counts: dict[int, int]
    comments: tuple[str, ...] = ()


class FakeActions:
    async def of_reflection(self, reflection_id: int) -> list[Action]:
        return [
            Action(1, "Name an owner for the bed meeting", None, True),
            Action(2, "Ask", None, False),
        ]


class FakeEvaluations:
    async def result(self, reflection_id: int) -> Evaluation | None:
        return Evaluation(4, 4.25, {4: 3, 5: 1})


async def test_a_closed_reflection_shows_its_actions_and_evaluation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world.store, "actions", FakeActions(), raising=False)
    monkeypatch.setattr(world.store, "evaluations", FakeEvaluations(), raising=False)
    await threads_with(world, people=3)
    await world.say("reflect close")
    reply = await world.say("home")
    text = plain_text(reply)
    assert "Actions: 1 done, 1 open." in text
    assert "✓ 1. Name an owner for the bed meeting" in text and "○ 2. Ask" in text
    assert "Evaluation: 4 answers, mean 4.2 out of 5." in text or "mean 4.3" in text
    [_, done_open] = charts(reply)
    assert done_open.bars == (("Done", 1), ("Open", 1))


async def test_the_real_actions_store_is_read_when_there_is_one(world: World) -> None:
    actions = getattr(world.store, "actions", None)
    if actions is None:
        pytest.skip("the store keeps no actions yet")
    from bot.store.actions import NewAction

    await threads_with(world, people=3)
    await world.say("reflect close")
    found = await world.latest()
    if not await actions.of_reflection(found.id):
        await actions.record(found.id, [NewAction("Fix the rota", None)], None, START)
    assert "Actions: 0 done" in plain_text(await world.say("home"))


def reflection(ident: int, step: int, state: str = CLOSED) -> Reflection:
    return Reflection(
        ident,
        "console:T1:ops",
        "console",
        "ops",
        "T1",
        str(ident),
        "manager-medic",
        "what-so-what-now-what",
        "console:T1:U-fran",
        False,
        step,
        state,
        START,
        START + dt.timedelta(days=3),
        None,
        None,
        START + dt.timedelta(days=1),
    )


def led(ident: int, people: int, per_step: dict[int, int], step: int = 2) -> Led:
    return Led(reflection(ident, step), "Topic", 3, Named(per_step, people))


def test_the_chart_never_includes_a_reflection_with_fewer_than_three_people() -> None:
    shown = [led(3, 2, {0: 9}), led(2, 3, {0: 3, 1: 4}), led(1, 1, {0: 1})]
    bars = participation(shown)
    assert [label for label, _ in bars] == ["#2 Q1", "#2 Q2", "#2 Q3"]
    assert dict(bars) == {"#2 Q1": 3, "#2 Q2": 4, "#2 Q3": 0}


def test_the_chart_holds_the_most_recent_counted_reflections() -> None:
    shown = [led(n, 3, {0: n}) for n in range(10, 0, -1)]  # newest first
    labels = [label for label, _ in participation(shown)]
    assert {label.split()[0] for label in labels} == {f"#{n}" for n in range(10, 10 - CHARTED, -1)}
    assert labels[0].startswith(f"#{10 - CHARTED + 1} ")  # oldest first, left to right


def test_more_than_ten_reflections_are_noted() -> None:
    facts = HomeFacts(tuple(led(n, 3, {0: 3}) for n in range(10, 0, -1)), total=14)
    assert "Showing your 10 most recent reflections of 14." in plain_text(
        home_reply(facts, "Europe/London")
    )


def test_a_chart_is_drawn_as_a_png() -> None:
    png = draw(Chart("Named contributions per question", (("#1 Q1", 3), ("#1 Q2", 5)), "…"))
    assert png.startswith(b"\x89PNG")


def test_starting_rounds_does_not_import_matplotlib() -> None:
    """matplotlib is imported when a chart is first drawn, never at start-up."""
    import subprocess

    code = "import sys, rounds.cli, bot.core, bot.chart; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


async def test_the_real_evaluations_are_shown_from_three_answers(world: World) -> None:
    await threads_with(world, people=3)
    await world.say("reflect close")
    found = await world.latest()
    evaluations = world.store.evaluations
    await evaluations.open(found.id)
    for n, score in enumerate((4, 5), 1):
        await evaluations.answer(found.id, f"console:T1:U-p{n}", score)
    assert "Evaluation:" not in plain_text(await world.say("home"))  # two answers: nothing
    await evaluations.answer(found.id, "console:T1:U-p3", 3)
    assert "Evaluation: 3 answers, mean 4.0 out of 5." in plain_text(await world.say("home"))


async def test_the_series_the_person_set_are_shown_with_their_next_opening(world: World) -> None:
    from bot.store.series import NewSeries

    new = NewSeries(
        CHANNEL.key, "console", "ops", "T1", 2, 3, ("13:00",), "Europe/London", "manager-medic",
        "what-so-what-now-what", dt.timedelta(days=3), False, None, "console:T1:U-fran",
    )  # fmt: skip
    await world.store.series.create(new, START)
    reply = await world.say("home")
    [item] = items(reply)
    assert item.title.startswith("Every 2 weeks on Thursdays at 13:00 (Europe/London)")
    assert item.meta == "Next opens Thursday 26 November 2026, 13:00 GMT"
    assert "Your series" in plain_text(reply)


async def test_a_chart_is_drawn_off_the_event_loop_once_for_its_data() -> None:
    import threading

    from bot import chart as charts

    one = Chart("Actions done and open", (("done", 2), ("open", 7)), "2 done, 7 open")
    on_loop = charts.draws.on_loop
    first = await charts.png(one)
    assert charts.draws.thread != threading.current_thread().name  # the worker's, not the loop's
    assert charts.draws.on_loop == on_loop
    drawn = charts.draws.count
    again = await charts.png(Chart(one.title, one.bars, one.alt))  # equal data: remembered
    assert again is first and charts.draws.count == drawn


def test_a_closed_reflection_lists_five_actions_and_counts_the_rest() -> None:
    done = tuple(Action(n, f"Action {n}", None, n <= 2) for n in range(1, 8))
    one = Led(reflection(1, 2), "Topic", 3, Named({0: 3}, 3), actions=done)
    text = plain_text(home_reply(HomeFacts((one,), 1), "Europe/London"))
    assert "Actions: 2 done, 5 open." in text and "○ 5. Action 5" in text
    assert "Action 6" not in text and "More actions, not listed: 2." in text
