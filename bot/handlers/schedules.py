"""`schedule …`: a channel's weekly discussion prompt. The database holds the schedule; the
scheduler posts it. Parse, decide and act are separate: bad input saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from bot import messages as m
from bot.context import Context
from bot.events import Command
from bot.format import topic_list, when
from bot.handlers.prompts import ROTATION, grounded, prompt_reply
from bot.identity import key_of
from bot.replies import Block, Heading, Note, Paragraph, Reply, Visibility
from bot.resolve import match_topic, topic_notes
from bot.store.schedules import NewSchedule, Schedule
from bot.weekly import (
    NATIONS,
    ScheduleState,
    Weekly,
    describe_next,
    parse_day,
    parse_time,
    parse_timezone,
)

Subcommand = Callable[[Context, Command, list[str]], Awaitable[Reply]]  # `schedule <verb> …`


def _say(text: str, *notes: str, kind: str = "schedule", public: bool = False) -> Reply:
    blocks: tuple[Block, ...] = (Paragraph.of(text), *(Note(n) for n in notes))
    visibility = Visibility.CHANNEL if public else Visibility.PRIVATE
    return Reply(kind=kind, blocks=blocks, visibility=visibility, summary=text)


def _problem(text: str) -> Reply:
    return _say(text, m.SCHEDULE_USAGE, kind="error")


def rule_of(schedule: Schedule) -> Weekly:
    hour, minute = (int(part) for part in schedule.at.split(":"))
    return Weekly(schedule.weekday, dt.time(hour, minute), schedule.timezone)


def state_of(schedule: Schedule) -> ScheduleState:
    return ScheduleState(
        rule=rule_of(schedule),
        since=schedule.since,
        paused=schedule.paused,
        skip=schedule.skip_slot,
        holidays=schedule.holidays,
    )


def describe_rule(schedule: Schedule) -> str:
    topics = ", ".join(schedule.topics) or m.SCHEDULE_ALL_TOPICS
    days = m.DAY_NAMES[schedule.weekday]
    return m.SCHEDULE_RULE.format(
        days=days, time=schedule.at, timezone=schedule.timezone, topics=topics
    )


async def schedule(ctx: Context, event: Command, args: str) -> list[Reply]:
    words = args.split()
    verb = words[0].lower() if words else "show"
    subcommand = SUBCOMMANDS.get(verb)
    if subcommand is None:
        return [_say(m.SCHEDULE_UNKNOWN, m.SCHEDULE_USAGE, kind="error")]
    if verb != "show" and not ctx.may_manage(event.conversation, event.person):
        return [_say(m.SCHEDULE_NOT_ALLOWED, kind="error")]
    return [await subcommand(ctx, event, words[1:])]


async def show(ctx: Context, event: Command, words: list[str]) -> Reply:
    found = await ctx.store.schedules.get(event.conversation.key)
    if found is None:
        return _say(m.SCHEDULE_NONE)
    blocks: list[Block] = [Heading(m.SCHEDULE_TITLE), Paragraph.of(describe_rule(found))]
    upcoming = describe_next(state_of(found), ctx.clock())
    if found.paused or upcoming is None:
        blocks.append(Note(m.SCHEDULE_PAUSED))
    else:
        blocks.append(Note(m.SCHEDULE_NEXT.format(when=when(upcoming, found.timezone))))
    if found.skip_slot is not None and found.skip_slot > ctx.clock():
        blocks.append(Note(m.SCHEDULE_SKIPPING.format(when=when(found.skip_slot, found.timezone))))
    if found.holidays:
        nation = m.NATION_NAMES.get(found.holidays, found.holidays)
        blocks.append(Note(m.SCHEDULE_HOLIDAYS.format(nation=nation)))
    preview = await next_prompt(ctx, found)
    if preview is not None:
        blocks += [Note(m.SCHEDULE_PREVIEW), *preview.blocks]
    return Reply(kind="schedule", blocks=tuple(blocks), summary=describe_rule(found))


async def next_prompt(ctx: Context, found: Schedule) -> Reply | None:
    """The prompt the next post will carry (the same choice the scheduler will make)."""
    pool = prompt_pool(ctx, found.topics)
    if not pool:
        return None
    chosen = await ctx.store.peek(found.conversation, ROTATION, pool)
    return prompt_reply(ctx, ctx.library.prompts[chosen])


def prompt_pool(ctx: Context, topics: tuple[str, ...]) -> list[str]:
    """Prompt ids of the schedule's topics (all topics when none are named); prompts added
    to the library later join automatically. Only prompts whose quote may be offered
    unasked today (see `grounded`)."""
    prompts = ctx.library.prompts.values()
    chosen = (p for p in prompts if not topics or p.topic in topics)
    return sorted(p.id for p in chosen if grounded(ctx, p))


class Rule(NamedTuple):
    weekday: int
    at: str
    timezone: str
    topics: tuple[str, ...]


class Setting(NamedTuple):
    rule: Rule
    notes: tuple[str, ...]  # topics guessed from typos, said back


def parse_weekly(ctx: Context, words: list[str]) -> tuple[Setting, None] | tuple[None, str]:
    """`<day> <HH:MM> [timezone] [topics…]`, or what is wrong with it."""
    if len(words) < 2:
        return None, m.SCHEDULE_USAGE
    day, at = parse_day(words[0]), parse_time(words[1])
    if day is None:
        return None, m.SCHEDULE_BAD_DAY.format(typed=words[0])
    if at is None:
        return None, m.SCHEDULE_BAD_TIME.format(typed=words[1])
    rest, timezone = words[2:], ctx.timezone
    if rest and ("/" in rest[0] or rest[0].upper() == "UTC"):
        zone = parse_timezone(rest[0])
        if zone is None:
            return None, m.SCHEDULE_BAD_TIMEZONE.format(typed=rest[0])
        timezone, rest = zone, rest[1:]
    topics: list[str] = []
    notes: list[str] = []
    for typed in rest:
        found = match_topic(ctx.library, typed)
        if found is None:
            return None, m.SCHEDULE_BAD_TOPIC.format(typed=typed, topics=topic_list(ctx.library))
        topics.append(found.topic.slug)
        notes.extend(topic_notes(found))
    rule = Rule(day, f"{at:%H:%M}", timezone, tuple(dict.fromkeys(topics)))
    return Setting(rule, tuple(notes)), None


async def weekly(ctx: Context, event: Command, words: list[str]) -> Reply:
    parsed, problem = parse_weekly(ctx, words)
    if parsed is None:
        return _problem(problem or m.SCHEDULE_USAGE)
    where = event.conversation
    who = key_of(where, event.person)
    rule = parsed.rule
    new = NewSchedule(where.key, where.platform, where.channel, where.workspace, *rule, who)
    saved = await ctx.store.schedules.save(new)
    upcoming = describe_next(state_of(saved), ctx.clock())
    notes = [m.SCHEDULE_SET_NEXT.format(when=when(upcoming, saved.timezone))] if upcoming else []
    said = m.SCHEDULE_SET.format(rule=describe_rule(saved))
    return _say(said, *parsed.notes, *notes, public=True)


async def _existing(ctx: Context, event: Command) -> Schedule | None:
    return await ctx.store.schedules.get(event.conversation.key)


async def pause(ctx: Context, event: Command, words: list[str]) -> Reply:
    if await _existing(ctx, event) is None:
        return _say(m.SCHEDULE_NONE)
    await ctx.store.schedules.change(event.conversation.key, paused=True)
    return _say(m.SCHEDULE_PAUSED_DONE, public=True)


async def resume(ctx: Context, event: Command, words: list[str]) -> Reply:
    """Slots missed while paused are not posted: the schedule starts again from now."""
    if await _existing(ctx, event) is None:
        return _say(m.SCHEDULE_NONE)
    key = event.conversation.key
    found = await ctx.store.schedules.change(key, paused=False, since=ctx.clock())
    assert found is not None
    upcoming = describe_next(state_of(found), ctx.clock())
    text = m.SCHEDULE_RESUMED.format(when=when(upcoming, found.timezone) if upcoming else "—")
    return _say(text, public=True)


async def skip(ctx: Context, event: Command, words: list[str]) -> Reply:
    found = await _existing(ctx, event)
    if found is None:
        return _say(m.SCHEDULE_NONE)
    upcoming = describe_next(state_of(found), ctx.clock())
    if upcoming is None:
        return _say(m.SCHEDULE_NOTHING_TO_SKIP)
    await ctx.store.schedules.change(event.conversation.key, skip_slot=upcoming)
    return _say(m.SCHEDULE_SKIP_DONE.format(when=when(upcoming, found.timezone)), public=True)


async def stop(ctx: Context, event: Command, words: list[str]) -> Reply:
    if not await ctx.store.schedules.remove(event.conversation.key):
        return _say(m.SCHEDULE_NONE)
    return _say(m.SCHEDULE_STOPPED, public=True)


async def holidays(ctx: Context, event: Command, words: list[str]) -> Reply:
    if await _existing(ctx, event) is None:
        return _say(m.SCHEDULE_NONE)
    switch = words[0].lower() if words else "on"
    key = event.conversation.key
    if switch == "off":
        await ctx.store.schedules.change(key, holidays=None)
        return _say(m.SCHEDULE_HOLIDAYS_OFF, public=True)
    nation = words[1].lower() if len(words) > 1 else "england-and-wales"
    if switch != "on" or nation not in NATIONS:
        return _problem(m.SCHEDULE_BAD_NATION.format(typed=" ".join(words[1:]) or switch))
    await ctx.store.schedules.change(key, holidays=nation)
    name = m.NATION_NAMES.get(nation, nation)
    return _say(m.SCHEDULE_HOLIDAYS_ON.format(nation=name), public=True)


SUBCOMMANDS: dict[str, Subcommand] = {
    "show": show,
    "weekly": weekly,
    "pause": pause,
    "resume": resume,
    "skip": skip,
    "stop": stop,
    "holidays": holidays,
}
