"""`home`: what a person runs, at a glance — the reflections they facilitate (open ones with
their question and deadline, closed ones with their actions and evaluation), the weekly
prompts and series they set, and two charts. Shown to them alone. Gathering (`gather`) reads
the store; building the reply (`home_reply`) is a pure function of what was gathered.

Counts keep to the summaries' rule (`bot.reflect.summary.SHOW_COUNTS_FROM`): a thread's
counts, and its bars on the participation chart, only when three or more distinct named
people took part. The store parts of other features (actions, evaluations, series) are
read when the store has them, through the small protocols below."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.format import long_date, when
from bot.handlers.schedules import describe_rule, state_of
from bot.identity import key_of
from bot.reflect.summary import SHOW_COUNTS_FROM
from bot.reflect.thread import model_of, topic_of
from bot.replies import Block, Chart, Heading, Item, Note, Paragraph, Reply, plain
from bot.store.reflections import OPEN, Named, Reflection
from bot.store.schedules import Schedule
from bot.weekly import describe_next

if TYPE_CHECKING:  # the series feature's store part (read when the store has one)
    from bot.store.series import Series

SHOWN = 10  # the most recent reflections Home lists
CHARTED = 5  # of those, the most recent with enough people on the participation chart
ACTIONS_LISTED = 5  # a closed reflection's actions listed one by one; the rest counted


class ActionLike(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def done(self) -> bool: ...


class EvaluationLike(Protocol):
    @property
    def answers(self) -> int: ...
    @property
    def mean(self) -> float: ...


@runtime_checkable
class ActionsPart(Protocol):
    async def of_reflection(self, reflection_id: int) -> Sequence[ActionLike]: ...


@runtime_checkable
class EvaluationsPart(Protocol):
    async def result(self, reflection_id: int) -> EvaluationLike | None: ...


@runtime_checkable
class SeriesPart(Protocol):
    async def by_creator(self, identity_key: str) -> Sequence[Series]: ...


@dataclass(frozen=True)
class Led:
    """One reflection the person facilitates, with what Home says about it. `actions` is
    None when the store keeps no actions (as `evaluation` when it keeps no evaluations, or
    the thread has too few answers)."""

    reflection: Reflection
    topic: str
    steps: int  # the model's questions
    named: Named
    actions: tuple[ActionLike, ...] | None = None
    evaluation: EvaluationLike | None = None

    @property
    def counted(self) -> bool:
        """Whether its counts may be shown (enough distinct named people)."""
        return self.named.people >= SHOW_COUNTS_FROM


@dataclass(frozen=True)
class Planned:
    """Something the person set that posts by itself: a weekly prompt, a series."""

    title: str
    upcoming: dt.datetime | None  # None: paused, or nothing more to post
    timezone: str


@dataclass(frozen=True)
class HomeFacts:
    led: tuple[Led, ...]  # newest first, at most SHOWN
    total: int  # all the threads they facilitate
    schedules: tuple[Planned, ...] = ()
    series: tuple[Planned, ...] = ()


async def home(ctx: Context, event: Command, args: str) -> list[Reply]:
    who = key_of(event.conversation, event.person)
    facts = await gather(ctx, who) if who else HomeFacts((), 0)
    return [home_reply(facts, ctx.timezone)]


async def gather(ctx: Context, person: str) -> HomeFacts:
    """What Home shows the person (their identity key), read from the store."""
    now = ctx.clock()
    found, total = await ctx.store.reflections.by_facilitator(person, SHOWN)
    named, mine, series = await asyncio.gather(
        ctx.store.reflections.named_counts([r.id for r in found]),
        ctx.store.schedules.by_creator(person),
        _series(ctx, person, now),
    )
    # each thread's actions and evaluation, the threads side by side (one connection each)
    led = await asyncio.gather(*(_led(ctx, r, named.get(r.id, Named({}, 0))) for r in found))
    schedules = tuple(_schedule(s, now) for s in mine)
    return HomeFacts(tuple(led), total, schedules, series)


async def _led(ctx: Context, reflection: Reflection, named: Named) -> Led:
    steps = len(model_of(ctx, reflection).steps)
    led = Led(reflection, topic_of(ctx, reflection).title, steps, named)
    if reflection.state == OPEN:
        return led
    actions = getattr(ctx.store, "actions", None)
    evaluations = getattr(ctx.store, "evaluations", None)
    done = None
    if isinstance(actions, ActionsPart):
        done = tuple(await actions.of_reflection(reflection.id))
    rated = None
    if isinstance(evaluations, EvaluationsPart):
        rated = await evaluations.result(reflection.id)
    return Led(led.reflection, led.topic, steps, named, done, rated)


def _schedule(schedule: Schedule, now: dt.datetime) -> Planned:
    upcoming = None if schedule.paused else describe_next(state_of(schedule), now)
    return Planned(describe_rule(schedule), upcoming, schedule.timezone)


async def _series(ctx: Context, person: str, now: dt.datetime) -> tuple[Planned, ...]:
    """The series the person set, with their next opening, when the store keeps series."""
    part = getattr(ctx.store, "series", None)
    if not isinstance(part, SeriesPart):
        return ()
    from bot.handlers.series import describe_series  # the series feature's own wording
    from bot.series import next_opening

    found = await part.by_creator(person)
    return tuple(Planned(describe_series(ctx, s), next_opening(s, now), s.timezone) for s in found)


# the reply


def home_reply(facts: HomeFacts, timezone: str) -> Reply:
    blocks: list[Block] = [Heading(m.HOME_TITLE), Paragraph.of(m.HOME_INTRO)]
    if not (facts.led or facts.schedules or facts.series):
        blocks.append(Paragraph.of(m.HOME_NOTHING))
    opened = [led for led in facts.led if led.reflection.state == OPEN]
    closed = [led for led in facts.led if led.reflection.state != OPEN]
    if opened:
        blocks += [Heading(m.HOME_OPEN), *(_open_item(led, timezone) for led in opened)]
    if closed:
        blocks += [Heading(m.HOME_CLOSED), *(_closed_item(led, timezone) for led in closed)]
    if len(facts.led) < facts.total:
        blocks.append(Note(m.HOME_MORE.format(shown=len(facts.led), total=facts.total)))
    blocks += charts(facts.led)
    blocks += _planned(
        m.HOME_SCHEDULES, facts.schedules, m.HOME_SCHEDULE_META, m.HOME_SCHEDULE_PAUSED
    )
    blocks += _planned(m.HOME_SERIES, facts.series, m.HOME_SERIES_NEXT, m.HOME_SERIES_STOPPED)
    return Reply(kind="home", blocks=tuple(blocks), summary=m.HOME_TITLE, discreet=True)


def _title(led: Led) -> str:
    return m.HOME_OPEN_ITEM.format(id=led.reflection.id, topic=led.topic)


def _counts(led: Led) -> str:
    if not led.counted:
        return m.HOME_FEWER
    said = sum(led.named.per_step.values())
    return m.HOME_CONTRIBUTIONS.format(contributions=said, people=led.named.people)


def _open_item(led: Led, timezone: str) -> Item:
    r = led.reflection
    reached = min(r.step + 1, led.steps)
    closes = when(r.closes_at, timezone)
    meta = m.HOME_OPEN_META.format(step=reached, steps=led.steps, when=closes)
    return Item(title=_title(led), meta=meta, body=plain(_counts(led)))


def _closed_item(led: Led, timezone: str) -> Item:
    closed = led.reflection.closed_at or led.reflection.closes_at
    day = closed.astimezone(ZoneInfo(timezone)).date()
    lines = [_counts(led), *_action_lines(led.actions)]
    if led.evaluation is not None:
        rated = led.evaluation
        mean = f"{rated.mean:.1f}"
        lines.append(m.HOME_EVALUATION.format(answers=rated.answers, mean=mean))
    meta = m.HOME_CLOSED_META.format(date=long_date(day))
    return Item(title=_title(led), meta=meta, body=plain("\n".join(lines)))


def _action_lines(actions: tuple[ActionLike, ...] | None) -> list[str]:
    if not actions:
        return []
    done = sum(a.done for a in actions)
    lines = [m.HOME_ACTIONS.format(done=done, open=len(actions) - done)]
    for action in actions[:ACTIONS_LISTED]:
        mark = m.HOME_ACTION_DONE if action.done else m.HOME_ACTION_OPEN
        lines.append(m.HOME_ACTION_LINE.format(mark=mark, number=action.number, text=action.text))
    if len(actions) > ACTIONS_LISTED:
        lines.append(m.HOME_ACTIONS_MORE.format(count=len(actions) - ACTIONS_LISTED))
    return lines


def _planned(title: str, planned: Sequence[Planned], meta: str, idle: str) -> list[Block]:
    """A heading and an item each, saying when it next posts (`idle` when it does not)."""
    if not planned:
        return []
    items = [
        Item(title=p.title, meta=meta.format(when=when(p.upcoming, p.timezone)))
        if p.upcoming
        else Item(title=p.title, meta=idle)
        for p in planned
    ]
    return [Heading(title), *items]


# the charts


def participation(led: Sequence[Led]) -> tuple[tuple[str, int], ...]:
    """Named contributions per question reached, for the CHARTED most recent threads with
    three or more named people: never a bar drawn from fewer."""
    counted = [one for one in led if one.counted][:CHARTED]
    return tuple(
        (f"#{one.reflection.id} Q{n + 1}", one.named.per_step.get(n, 0))
        for one in reversed(counted)  # oldest first, left to right
        for n in range(min(one.reflection.step + 1, one.steps))
    )


def charts(led: Sequence[Led]) -> list[Block]:
    """The participation chart (when any thread may be counted) and the actions chart
    (when the threads shown have actions)."""
    blocks: list[Block] = []
    bars = participation(led)
    if bars:
        alt = ", ".join(f"{label}: {value}" for label, value in bars)
        blocks += [Chart(m.HOME_CHART_PARTICIPATION, bars, alt), Note(m.HOME_CHART_NOTE)]
    actions = [a for one in led for a in (one.actions or ())]
    if actions:
        done = sum(a.done for a in actions)
        done_open = ((m.HOME_CHART_DONE, done), (m.HOME_CHART_OPEN, len(actions) - done))
        alt = m.HOME_ACTIONS.format(done=done, open=len(actions) - done)
        blocks.append(Chart(m.HOME_CHART_ACTIONS, done_open, alt))
    return blocks
