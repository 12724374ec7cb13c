"""When a reflection series opens: every `every_weeks` weeks on its weekday, from the first
such day after the series was set up, at its wall times in turn (the first opening at the
first time, the next at the second, and round again; a slot skipped for a bank holiday
still takes its turn). Nothing here reads the clock or does I/O: `now` is a parameter, and
the date rules are `bot.weekly`'s."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Literal

from bot.context import Context
from bot.events import Conversation, Person
from bot.identity import parse
from bot.outbox import DeliveryError
from bot.reflect import opening
from bot.replies import Reply
from bot.store.reflections import Reflection
from bot.store.series import Series
from bot.weekly import (
    LOOKBACK,
    WEEK,
    Weekly,
    as_utc,
    due_verdict,
    local_date,
    local_slot,
    next_slot,
    require_aware,
)

log = logging.getLogger("rounds.series")

Verdict = Literal["post", "skip-missed", "skip-holiday"]  # what a due slot gets


def rule_at(series: Series, turn: int) -> Weekly:
    """The weekly rule of the series' `turn`-th opening (0: the first)."""
    at = dt.time.fromisoformat(series.times[turn % len(series.times)])
    return Weekly(series.weekday, at, series.timezone)


def first_day(series: Series) -> dt.date:
    """The local date of the first opening: the first slot after the series was set up."""
    first = rule_at(series, 0)
    return local_date(first, next_slot(first, series.since))


def slots_after(series: Series, after: dt.datetime) -> Iterator[tuple[int, dt.datetime]]:
    """Every (turn, slot) with the slot strictly after `after`, ascending, without end."""
    start, step = first_day(series), WEEK * series.every_weeks
    days = (local_date(rule_at(series, 0), after) - start).days
    turn = max(0, days // step.days - 1)  # a turn early: a wall time's DST shift is not missed
    while True:
        slot = local_slot(rule_at(series, turn), start + step * turn)
        if slot > after:
            yield turn, slot
        turn += 1


def verdict(
    series: Series, turn: int, slot: dt.datetime, now: dt.datetime, grace: dt.timedelta
) -> Verdict:
    """What a due slot gets (`due_verdict`, with the rule of the slot's turn)."""
    return due_verdict(slot, rule_at(series, turn), series.holidays, now, grace)


def next_opening(series: Series, now: dt.datetime) -> dt.datetime | None:
    """When the series next opens a reflection, in UTC (bank holidays passed over when
    skipped); None when it is stopped or has no one to facilitate."""
    if series.stopped or series.creator is None:
        return None
    for turn, slot in slots_after(series, max(now, series.since)):
        if verdict(series, turn, slot, slot, dt.timedelta()) == "post":
            return slot
    return None  # pragma: no cover - the slots never end


@dataclass(frozen=True)
class Due:
    """A slot whose time has come, not yet in the ledger, and what it gets."""

    turn: int
    slot: dt.datetime
    verdict: Verdict


def due_openings(
    series: Series,
    now: dt.datetime,
    recorded: Collection[dt.datetime],
    grace: dt.timedelta,
    lookback: dt.timedelta = LOOKBACK,
) -> list[Due]:
    """The slots with max(since, now - lookback) < slot <= now not in `recorded`, ascending;
    none for a stopped series or one with no one to facilitate."""
    require_aware(now, "now")
    if series.stopped or series.creator is None:
        return []
    done, found = {as_utc(r) for r in recorded}, list[Due]()
    for turn, slot in slots_after(series, max(series.since, now - lookback)):
        if slot > now:
            return found
        if slot not in done:
            found.append(Due(turn, slot, verdict(series, turn, slot, now, grace)))
    return found  # pragma: no cover - the slots never end


def facilitator(series: Series) -> Person | None:
    """The series' creator, who facilitates each reflection it opens."""
    who = parse(series.creator) if series.creator else None
    return Person(who.user) if who else None


async def open_reflection(
    ctx: Context, series: Series, stored: Callable[[Reflection], Awaitable[None]]
) -> Reply | None:
    """Open the slot's reflection in the series' channel as `reflect start` by its creator
    would (`stored` is told of it before its post goes out), then send the creator the
    facilitator's controls privately: no one typed a command to be answered. A reply with
    `failed` set when the post did not go out; None when the series' topic or model is no
    longer in the library, or it has no facilitator."""
    topic, model = ctx.library.topics.get(series.topic), ctx.library.models.get(series.model)
    person = facilitator(series)
    if topic is None or model is None or person is None:
        return None
    where = Conversation(series.platform, series.channel, series.workspace)
    chosen = opening.Opening(topic, model, series.closes, series.anonymous)
    started = await opening.start(ctx, where, person, chosen, stored)
    outbox = ctx.outbox(series.platform)
    if started.failed is None and outbox is not None:
        try:
            await outbox.send_direct(where, person, started)
        except DeliveryError as exc:  # the thread is open; the typed commands still run it
            log.warning("series %d: controls not sent (%s)", series.id, exc.reason)
    return started
