"""`reflect every …` and `reflect series [stop <id>]`: reflective practice on a cadence. A
series opens a reflection in the channel every n weeks, as `reflect start` by whoever set it
up; the scheduler opens them (`scheduler/series.py`). Parse, decide and act are separate:
bad input saves nothing."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.format import when
from bot.identity import key_of
from bot.reflect.opening import Opening
from bot.reflect.thread import listing, say
from bot.reflect.timing import describe
from bot.replies import Block, Heading, Item, Note, Question, Reply, Visibility
from bot.series import next_opening
from bot.store.series import NewSeries, Series
from bot.weekly import NATIONS, WEEK, parse_day, parse_time

MOST_WEEKS = 12
EVERY = re.compile(r"(\d{1,2})w(?:eeks?)?", re.IGNORECASE)


class Cadence(NamedTuple):
    every_weeks: int
    weekday: int
    times: tuple[str, ...]  # "HH:MM", taking turns
    holidays: str | None


def _taken(words: list[str], name: str) -> tuple[str | None, list[str]]:
    """The word after `name` (or "" when none follows), and the words without both; None
    when `name` is not there."""
    lowered = [w.lower() for w in words]
    if name not in lowered:
        return None, words
    at = lowered.index(name)
    return " ".join(words[at + 1 : at + 2]), words[:at] + words[at + 2 :]


def _times(first: str, typed: str | None) -> tuple[str, ...] | str:
    """`first` and then the times of `times 08:00,20:00`, each once; or what is wrong."""
    if typed is None:
        return (first,)
    parsed = [parse_time(t) for t in typed.split(",")]
    if not typed or None in parsed:
        return m.SERIES_BAD_TIMES.format(typed=typed or "times")
    return tuple(dict.fromkeys([first, *(f"{t:%H:%M}" for t in parsed if t is not None)]))


def _nation(typed: str | None) -> tuple[str | None, str]:
    """The nation of `holidays <nation>` (None: off), and what is wrong with it."""
    if typed is None or typed.lower() == "off":
        return None, ""
    if typed.lower() not in NATIONS:
        return None, m.SCHEDULE_BAD_NATION.format(typed=typed)
    return typed.lower(), ""


def parse_cadence(words: list[str]) -> tuple[Cadence, list[str]] | str:
    """`<n>w <day> <HH:MM> … [times …] [holidays <nation>]`, and the words left for the
    reflection (`<topic> [model] [closes <duration>] [anonymous]`); or what is wrong."""
    if len(words) < 4:
        return m.SERIES_NEEDS
    every = EVERY.fullmatch(words[0])
    if every is None or not 1 <= int(every[1]) <= MOST_WEEKS:
        return m.SERIES_BAD_EVERY.format(typed=words[0], most=MOST_WEEKS)
    day, at = parse_day(words[1]), parse_time(words[2])
    if day is None:
        return m.SCHEDULE_BAD_DAY.format(typed=words[1])
    if at is None:
        return m.SCHEDULE_BAD_TIME.format(typed=words[2])
    typed_times, rest = _taken(words[3:], "times")
    times = _times(f"{at:%H:%M}", typed_times)
    if isinstance(times, str):
        return times
    typed_nation, rest = _taken(rest, "holidays")
    nation, problem = _nation(typed_nation)
    return problem or (Cadence(int(every[1]), day, times, nation), rest)


def parse_series(ctx: Context, words: list[str]) -> tuple[Cadence, Opening] | str:
    """The whole of `reflect every …`, or what is wrong with it."""
    from bot.handlers.reflect import parse_start  # reflect registers this module's verbs

    cadence = parse_cadence(words)
    if isinstance(cadence, str):
        return cadence
    opening = parse_start(ctx, cadence[1])
    if isinstance(opening, str):
        return opening
    most = WEEK * cadence[0].every_weeks
    if opening.duration > most:
        return m.SERIES_TOO_LONG.format(most=describe(most))
    return cadence[0], opening


def describe_series(ctx: Context, found: Series) -> str:
    """`Every 2 weeks on Thursdays at 13:00, 08:00 (Europe/London) · topic · model`."""
    topic, model = ctx.library.topics.get(found.topic), ctx.library.models.get(found.model)
    rule = m.SERIES_RULE.format(
        every=describe(WEEK * found.every_weeks),
        day=m.DAY_NAMES[found.weekday],
        times=", ".join(found.times),
        timezone=found.timezone,
        topic=topic.title if topic else found.topic,
        model=model.title if model else found.model,
    )
    return m.SERIES_RULE_ANONYMOUS.format(rule=rule) if found.anonymous else rule


async def every(ctx: Context, event: Command, words: list[str]) -> Reply:
    """`reflect every …`: set up a series; its creator facilitates each reflection."""
    if not ctx.may_manage(event.conversation, event.person):
        return say(m.SERIES_NOT_ALLOWED, kind="error")
    parsed = parse_series(ctx, words)
    if isinstance(parsed, str):
        return say(parsed, m.REFLECT_USAGE, kind="error")
    (cadence, opening), where = parsed, event.conversation
    new = NewSeries(
        where.key,
        where.platform,
        where.channel,
        where.workspace,
        every_weeks=cadence.every_weeks,
        weekday=cadence.weekday,
        times=cadence.times,
        timezone=ctx.timezone,
        topic=opening.topic.slug,
        model=opening.model.slug,
        closes=opening.duration,
        anonymous=opening.anonymous,
        holidays=cadence.holidays,
        creator=key_of(where, event.person),
    )
    saved = await ctx.store.series.create(new, ctx.clock())
    return _set_up(ctx, saved, event)


def _set_up(ctx: Context, saved: Series, event: Command) -> Reply:
    upcoming = next_opening(saved, ctx.clock())
    blocks: list[Block] = [Heading(m.SERIES_SET_TITLE.format(id=saved.id))]
    if upcoming is not None:
        blocks.append(Question(m.SERIES_SET_NEXT.format(when=when(upcoming, saved.timezone))))
    person = event.person.display
    said = m.SERIES_SET.format(person=person, closes=describe(saved.closes))
    notes = [describe_series(ctx, saved), said]
    if len(saved.times) > 1:
        notes.append(m.SERIES_TIMES)
    if saved.holidays:
        notes.append(m.SERIES_HOLIDAYS.format(nation=m.NATION_NAMES[saved.holidays]))
    notes.append(m.SERIES_CONTROLS.format(id=saved.id))
    return Reply(
        kind="series",
        blocks=(*blocks, *map(Note, notes)),
        visibility=Visibility.CHANNEL,
        summary=describe_series(ctx, saved),
    )


async def series(ctx: Context, event: Command, words: list[str]) -> Reply:
    """`reflect series`: the channel's running series; `reflect series stop <id>`."""
    if words and words[0].lower() in ("stop", "end"):
        return await stop(ctx, event, words[1:])
    found = await ctx.store.series.in_channel(event.conversation.key)
    items = [_listed(ctx, s) for s in found]
    return listing("series", m.SERIES_LIST_TITLE, m.SERIES_LIST_NONE, items)


def _listed(ctx: Context, found: Series) -> Item:
    upcoming = next_opening(found, ctx.clock())
    moment = when(upcoming, found.timezone) if upcoming else m.SERIES_LIST_NO_NEXT
    title = m.SERIES_LIST_ITEM.format(id=found.id, when=moment)
    return Item(title=title, meta=describe_series(ctx, found), key=str(found.id))


async def stop(ctx: Context, event: Command, words: list[str]) -> Reply:
    """Whoever set the series up, or an admin, stops it; the threads open now carry on."""
    if not words:
        return say(m.SERIES_STOP_USAGE, kind="error")
    ident = words[0].lstrip("#")
    found = await ctx.store.series.get(int(ident)) if ident.isdigit() else None
    if found is None or found.stopped or found.conversation != event.conversation.key:
        return say(m.SERIES_NOT_FOUND.format(id=ident), kind="error")
    who = key_of(event.conversation, event.person)
    if who != found.creator and not ctx.is_admin(event.conversation, event.person):
        return say(m.SERIES_STOP_NOT_ALLOWED.format(id=found.id), kind="error")
    if not await ctx.store.series.stop(found.id):
        return say(m.SERIES_NOT_FOUND.format(id=ident), kind="error")
    topic = ctx.library.topics.get(found.topic)
    said = m.SERIES_STOPPED.format(id=found.id, topic=topic.title if topic else found.topic)
    return Reply(
        kind="series",
        blocks=say(said).blocks,
        visibility=Visibility.CHANNEL,
        summary=said,
    )
