"""`schedule …`: a channel's weekly discussion prompt. The database holds the schedule; the
scheduler posts it. Parse, decide and act are separate: bad input saves nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from bot import actions
from bot import messages as m
from bot.context import Context
from bot.events import Action, Command, Conversation
from bot.format import topic_list, when
from bot.handlers.prompts import ROTATION, grounded, prompt_reply
from bot.identity import key_of
from bot.replies import Block, Button, Heading, Note, Paragraph, Question, Reply, Visibility
from bot.resolve import match_topic, topic_notes
from bot.store.schedules import NewSchedule, Schedule
from bot.weekly import (
    LONDON,
    LOOKBACK,
    NATIONS,
    ScheduleState,
    Weekly,
    describe_next,
    local_date,
    local_slot,
    parse_date,
    parse_day,
    parse_time,
    parse_timezone,
    uk_time,
    zone_for_abbreviation,
)

Subcommand = Callable[[Context, Command, list[str]], Awaitable[Reply]]  # `schedule <verb> …`


def _say(text: str, *notes: str, kind: str = "schedule", public: bool = False) -> Reply:
    blocks: tuple[Block, ...] = (Paragraph.of(text), *(Note(n) for n in notes))
    visibility = Visibility.CHANNEL if public else Visibility.PRIVATE
    return Reply(kind=kind, blocks=blocks, visibility=visibility, summary=text)


def _problem(text: str, *notes: str) -> Reply:
    return _say(text, *notes, kind="error")


def rule_of(schedule: Schedule) -> Weekly:
    hour, minute = (int(part) for part in schedule.at.split(":"))
    return Weekly(schedule.weekday, dt.time(hour, minute), schedule.timezone)


def state_of(schedule: Schedule) -> ScheduleState:
    return ScheduleState(
        rule=rule_of(schedule),
        since=schedule.since,
        paused=schedule.paused,
        skips=frozenset(schedule.skips),
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
    looks = verb == "show" or words == ["holidays"]  # anyone may look; admins change
    if not looks and not ctx.may_manage(event.conversation, event.person):
        return [_say(m.SCHEDULE_NOT_ALLOWED, kind="error")]
    return [await subcommand(ctx, event, words[1:])]


async def show(ctx: Context, event: Command, words: list[str]) -> Reply:
    """The schedule at a glance: when the next prompt goes out (the thing to know), the rule
    in small print, what is skipped, the prompt it will carry; and, for whoever may change
    it, Pause (or Resume) and Skip next. Where only admins may, the card with the buttons
    goes to the admin alone (a Teams 1:1 chat)."""
    found = await ctx.store.schedules.get(event.conversation.key)
    if found is None:
        return _say(m.SCHEDULE_NONE)
    upcoming = describe_next(state_of(found), ctx.clock())
    blocks: list[Block] = [Heading(m.SCHEDULE_TITLE)]
    if found.paused or upcoming is None:
        blocks += [Question(m.SCHEDULE_PAUSED_NOW), Note(m.SCHEDULE_PAUSED)]
    else:
        blocks.append(Question(m.SCHEDULE_NEXT.format(when=when(upcoming, found.timezone))))
    blocks.append(Note(describe_rule(found)))
    if skipped := skipped_slots(found, ctx.clock()):
        dates = "; ".join(when(slot, found.timezone) for slot in skipped)
        blocks.append(Note(m.SCHEDULE_SKIPPING.format(dates=dates)))
    if found.holidays:
        nation = m.NATION_NAMES.get(found.holidays, found.holidays)
        blocks.append(Note(m.SCHEDULE_HOLIDAYS.format(nation=nation)))
    preview = await next_prompt(ctx, found)
    if preview is not None:
        blocks += [Note(m.SCHEDULE_PREVIEW), *_previewed(preview)]
    buttons = _buttons(found, upcoming) if ctx.may_manage(event.conversation, event.person) else ()
    return Reply(
        kind="schedule",
        blocks=tuple(blocks),
        buttons=buttons,
        summary=describe_rule(found),
        discreet=bool(buttons) and bool(ctx.admins),
    )


def _buttons(found: Schedule, upcoming: dt.datetime | None) -> tuple[Button, ...]:
    """Pause and Skip next while it runs, Resume while it is paused: each names the
    channel's schedule, and is checked again when pressed."""
    key = found.conversation
    if found.paused:
        return (Button(m.BUTTON_RESUME, actions.SCHEDULE_RESUME, key),)
    skip = (Button(m.BUTTON_SKIP_NEXT, actions.SCHEDULE_SKIP, key),) if upcoming else ()
    return (Button(m.BUTTON_PAUSE, actions.SCHEDULE_PAUSE, key), *skip)


async def _pressed(ctx: Context, event: Action, run: Subcommand) -> list[Reply]:
    """A schedule card's button: for the schedule it names, on the presser's own platform and
    in their workspace or tenant, if they may change it (as when typed); the card may have
    gone to an admin's 1:1 chat, so it is pressed away from the channel."""
    found = await ctx.store.schedules.get(event.value)
    here = event.conversation
    if found is None or (found.platform, found.workspace) != (here.platform, here.workspace):
        return [_say(m.SCHEDULE_BUTTON_GONE)]
    if not ctx.may_manage(here, event.person):
        return [_say(m.SCHEDULE_NOT_ALLOWED, kind="error")]
    channel = Conversation(found.platform, found.channel, found.workspace)
    return [await run(ctx, Command(channel, event.person, ""), [])]


async def pressed_pause(ctx: Context, event: Action) -> list[Reply]:
    return await _pressed(ctx, event, pause)


async def pressed_resume(ctx: Context, event: Action) -> list[Reply]:
    return await _pressed(ctx, event, resume)


async def pressed_skip(ctx: Context, event: Action) -> list[Reply]:
    return await _pressed(ctx, event, skip)


def _previewed(prompt: Reply) -> list[Block]:
    """The prompt as the schedule card shows it: its question and quote, at body size (the
    card's own question is when it goes out), without its heading or its invitation."""
    kept = (b for b in prompt.blocks if not isinstance(b, Heading | Note))
    return [Paragraph.of(b.text) if isinstance(b, Question) else b for b in kept]


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


def skipped_slots(found: Schedule, now: dt.datetime) -> list[dt.datetime]:
    """The future slots on the dates the channel asked to skip, ascending."""
    rule = rule_of(found)
    slots = (local_slot(rule, day) for day in found.skips if day.weekday() == rule.weekday)
    return [slot for slot in slots if slot > now]


class Rule(NamedTuple):
    weekday: int
    at: str
    timezone: str
    topics: tuple[str, ...]


class Setting(NamedTuple):
    rule: Rule
    notes: tuple[str, ...]  # topics guessed from typos, said back


class Zone(NamedTuple):
    name: str  # IANA
    rest: list[str]  # the words after it
    note: str | None  # how an alias was read, said back


def parse_zone(words: list[str], default: str) -> Zone | str:
    """The timezone the words start with (else `default`), or what is wrong with it. UK
    time by any usual name is Europe/London; other abbreviations are answered with the
    IANA name to use."""
    if taken := uk_time(words):
        typed = " ".join(words[:taken])
        return Zone(LONDON, words[taken:], m.SCHEDULE_UK_TIME.format(typed=typed))
    first = words[0] if words else ""
    if "/" in first or first.upper() == "UTC":
        zone = parse_timezone(first)
        return Zone(zone, words[1:], None) if zone else m.SCHEDULE_BAD_TIMEZONE.format(typed=first)
    if suggestion := zone_for_abbreviation(first):
        return m.SCHEDULE_ZONE_ABBREVIATION.format(typed=first, zone=suggestion)
    return Zone(default, words, None)


def parse_weekly(ctx: Context, words: list[str]) -> tuple[Setting, None] | tuple[None, str]:
    """`<day> <HH:MM> [timezone] [topics…]`, or what is wrong with it."""
    if len(words) < 2:
        return None, m.SCHEDULE_WEEKLY_NEEDS
    day, at = parse_day(words[0]), parse_time(words[1])
    if day is None:
        return None, m.SCHEDULE_BAD_DAY.format(typed=words[0])
    if at is None:
        return None, m.SCHEDULE_BAD_TIME.format(typed=words[1])
    zone = parse_zone(words[2:], ctx.timezone)
    if isinstance(zone, str):
        return None, zone
    topics: list[str] = []
    notes = [zone.note] if zone.note else []
    for typed in zone.rest:
        found = match_topic(ctx.library, typed)
        if found is None:
            return None, m.SCHEDULE_BAD_TOPIC.format(typed=typed, topics=topic_list(ctx.library))
        topics.append(found.topic.slug)
        notes.extend(topic_notes(found))
    rule = Rule(day, f"{at:%H:%M}", zone.name, tuple(dict.fromkeys(topics)))
    return Setting(rule, tuple(notes)), None


async def weekly(ctx: Context, event: Command, words: list[str]) -> Reply:
    parsed, problem = parse_weekly(ctx, words)
    if parsed is None:
        return _problem(problem or m.SCHEDULE_WEEKLY_NEEDS, m.SCHEDULE_USAGE)
    where = event.conversation
    who = key_of(where, event.person)
    rule = parsed.rule
    new = NewSchedule(where.key, where.platform, where.channel, where.workspace, *rule, who)
    previous = await _existing(ctx, event)
    saved = await ctx.store.schedules.save(new)
    notes = list(parsed.notes)
    if previous is not None:
        notes.append(m.SCHEDULE_REPLACED.format(rule=describe_rule(previous)))
    upcoming = describe_next(state_of(saved), ctx.clock())
    if upcoming is None and saved.paused:
        notes.append(m.SCHEDULE_PAUSED)
    said = m.SCHEDULE_SET.format(rule=describe_rule(saved))
    reply = _say(said, *notes, public=True)
    if upcoming is None:
        return reply
    first = Question(m.SCHEDULE_SET_NEXT.format(when=when(upcoming, saved.timezone)))
    return dataclasses.replace(reply, blocks=(Heading(m.SCHEDULE_SET_TITLE), first, *reply.blocks))


async def _existing(ctx: Context, event: Command) -> Schedule | None:
    return await ctx.store.schedules.get(event.conversation.key)


async def pause(ctx: Context, event: Command, words: list[str]) -> Reply:
    if await _existing(ctx, event) is None:
        return _say(m.SCHEDULE_NONE)
    if not await ctx.store.schedules.switch(event.conversation.key, paused=True):
        return _say(m.SCHEDULE_ALREADY_PAUSED)
    return _say(m.SCHEDULE_PAUSED_DONE, public=True)


async def resume(ctx: Context, event: Command, words: list[str]) -> Reply:
    """Slots missed while paused are not posted: the schedule starts again from now."""
    if await _existing(ctx, event) is None:
        return _say(m.SCHEDULE_NONE)
    switched = await ctx.store.schedules.switch(event.conversation.key, paused=False)
    found = await _existing(ctx, event)
    assert found is not None
    upcoming = describe_next(state_of(found), ctx.clock())
    moment = when(upcoming, found.timezone) if upcoming else "—"
    if not switched:
        return _say(m.SCHEDULE_ALREADY_RUNNING.format(when=moment))
    return _say(m.SCHEDULE_RESUMED.format(when=moment), public=True)


def slot_on(found: Schedule, typed: str, now: dt.datetime) -> dt.datetime | str:
    """The schedule's future slot on the date typed, or what is wrong with it."""
    rule = rule_of(found)
    day = parse_date(typed, now.astimezone(rule.zone).date())
    if day is None:
        return m.SCHEDULE_BAD_DATE.format(typed=typed)
    if day.weekday() != rule.weekday:
        named = f"{day:%A} {day.day} {day:%B %Y}"
        return m.SCHEDULE_NOT_A_PROMPT_DAY.format(date=named, days=m.DAY_NAMES[rule.weekday])
    slot = local_slot(rule, day)
    if slot <= now:
        return m.SCHEDULE_DATE_PAST.format(when=when(slot, found.timezone))
    return slot


async def skip(ctx: Context, event: Command, words: list[str]) -> Reply:
    """`skip` the next post, or `skip <date>` a given one; skips add up."""
    found, now = await _existing(ctx, event), ctx.clock()
    if found is None:
        return _say(m.SCHEDULE_NONE)
    chosen = slot_on(found, " ".join(words), now) if words else describe_next(state_of(found), now)
    if chosen is None:
        return _say(m.SCHEDULE_NOTHING_TO_SKIP)
    if isinstance(chosen, str):
        return _problem(chosen)
    day, moment = local_date(rule_of(found), chosen), when(chosen, found.timezone)
    if not await ctx.store.schedules.skip(found.id, day, keep_from=(now - LOOKBACK).date()):
        return _say(m.SCHEDULE_SKIP_ALREADY.format(when=moment))
    said = (m.SCHEDULE_SKIP_DATE_DONE if words else m.SCHEDULE_SKIP_DONE).format(when=moment)
    return _say(said, *_skipping(found, day, now), public=True)


def _skipping(found: Schedule, added: dt.date, now: dt.datetime) -> list[str]:
    """The note listing every skipped post, when there is more than the one just added."""
    both = dataclasses.replace(found, skips=tuple(sorted({*found.skips, added})))
    slots = skipped_slots(both, now)
    dates = "; ".join(when(slot, found.timezone) for slot in slots)
    return [m.SCHEDULE_SKIPPING.format(dates=dates)] if len(slots) > 1 else []


async def unskip(ctx: Context, event: Command, words: list[str]) -> Reply:
    """`unskip <date>`, or with no date the next skipped post: posted after all."""
    found, now = await _existing(ctx, event), ctx.clock()
    if found is None:
        return _say(m.SCHEDULE_NONE)
    skipped = skipped_slots(found, now)
    chosen = slot_on(found, " ".join(words), now) if words else next(iter(skipped), None)
    if chosen is None:
        return _say(m.SCHEDULE_UNSKIP_NONE)
    if isinstance(chosen, str):
        return _problem(chosen)
    moment = when(chosen, found.timezone)
    if not await ctx.store.schedules.unskip(found.id, local_date(rule_of(found), chosen)):
        return _say(m.SCHEDULE_UNSKIP_NOT_SKIPPED.format(when=moment))
    return _say(m.SCHEDULE_UNSKIP_DONE.format(when=moment), public=True)


async def stop(ctx: Context, event: Command, words: list[str]) -> Reply:
    if not await ctx.store.schedules.remove(event.conversation.key):
        return _say(m.SCHEDULE_NONE)
    return _say(m.SCHEDULE_STOPPED, public=True)


async def holidays(ctx: Context, event: Command, words: list[str]) -> Reply:
    """Bare: the setting, changing nothing. `on [nation]` (England and Wales unless
    named) or `off`."""
    found = await _existing(ctx, event)
    if found is None:
        return _say(m.SCHEDULE_NONE)
    if not words:
        return _holidays_shown(found)
    switch, key = words[0].lower(), event.conversation.key
    if switch == "off":
        await ctx.store.schedules.change(key, holidays=None)
        return _say(m.SCHEDULE_HOLIDAYS_OFF, public=True)
    if switch != "on":
        return _problem(m.SCHEDULE_HOLIDAYS_USAGE)
    nation = words[1].lower() if len(words) > 1 else "england-and-wales"
    if nation not in NATIONS:
        return _problem(m.SCHEDULE_BAD_NATION.format(typed=" ".join(words[1:])))
    await ctx.store.schedules.change(key, holidays=nation)
    name = m.NATION_NAMES.get(nation, nation)
    return _say(m.SCHEDULE_HOLIDAYS_ON.format(nation=name), public=True)


def _holidays_shown(found: Schedule) -> Reply:
    if found.holidays is None:
        return _say(m.SCHEDULE_HOLIDAYS_NOT_SHOWN)
    nation = m.NATION_NAMES.get(found.holidays, found.holidays)
    return _say(m.SCHEDULE_HOLIDAYS_SHOWN.format(nation=nation))


SUBCOMMANDS: dict[str, Subcommand] = {
    "show": show,
    "weekly": weekly,
    "pause": pause,
    "resume": resume,
    "skip": skip,
    "unskip": unskip,
    "stop": stop,
    "holidays": holidays,
}
