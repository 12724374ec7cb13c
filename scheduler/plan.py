"""Pure planning for weekly prompts: given a schedule, the ledger and now, what to do
about each due slot. Nothing here reads the clock or does I/O: `now` is a parameter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from bot.weekly import (
    LOOKBACK,
    ScheduleState,
    as_utc,
    due_verdict,
    is_skipped,
    require_aware,
    slots_between,
)

Verdict = Literal["post", "skip-missed", "skip-holiday", "skip-requested"]  # what a slot gets


@dataclass(frozen=True)
class Decision:
    """What to do about one slot."""

    slot: dt.datetime
    action: Verdict


def _action(
    state: ScheduleState, slot: dt.datetime, now: dt.datetime, grace: dt.timedelta
) -> Verdict:
    """The action for one due, unrecorded slot: a requested skip first, then `due_verdict`."""
    if is_skipped(state, slot):
        return "skip-requested"
    return due_verdict(slot, state.rule, state.holidays, now, grace)


def decide(
    state: ScheduleState,
    now: dt.datetime,
    recorded: Collection[dt.datetime],
    grace: dt.timedelta,
    lookback: dt.timedelta = LOOKBACK,
) -> list[Decision]:
    """Decisions for the due slots not yet in the ledger, ascending.

    Due: max(since, now - lookback) < s <= now and s not in `recorded`. A paused schedule
    gets nothing. Otherwise, in order: a slot on a skipped date (in the rule's timezone) is
    "skip-requested", a bank holiday (when on) is "skip-holiday", a slot more than `grace`
    old is "skip-missed" (exactly `grace` old still posts), and the rest are "post".
    """
    require_aware(now, "now")
    if state.paused:
        return []
    done = {as_utc(r) for r in recorded}
    start = max(state.since, now - lookback)
    return [
        Decision(slot, _action(state, slot, now, grace))
        for slot in slots_between(state.rule, start, now)
        if slot not in done
    ]
