"""When a reflection closes, when it reminds, when a timed model asks its next question.
Pure functions of the model and the clock."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.content.model import ReflectionModel

DEFAULT = dt.timedelta(days=3)
SHORTEST = dt.timedelta(minutes=10)
LONGEST = dt.timedelta(days=30)
REMIND_LONG = dt.timedelta(days=1)  # threads of two days or more: a day before closing
UNITS = {
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "week": "weeks",
    "weeks": "weeks",
}
_DURATION = re.compile(r"^(\d{1,4})\s*([a-z]+)$")


def parse_duration(text: str) -> dt.timedelta | None:
    """`90m`, `2h`, `3d`, `1w`, `3 days`; None when unreadable or out of range."""
    match = _DURATION.match(text.strip().lower())
    if match is None or match.group(2) not in UNITS:
        return None
    delta = dt.timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    return delta if SHORTEST <= delta <= LONGEST else None


def describe(delta: dt.timedelta) -> str:
    """`3 days`, `1 hour`, `50 minutes`: the largest whole unit."""
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((7 * 24 * 60, "week"), (24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{minutes} minutes"


def default_duration(model: ReflectionModel) -> dt.timedelta:
    """A timed model lasts one interval per question; others stay open three days."""
    if model.interval_minutes:
        return dt.timedelta(minutes=model.interval_minutes * len(model.steps))
    return DEFAULT


@dataclass(frozen=True)
class Timetable:
    closes_at: dt.datetime
    remind_at: dt.datetime | None
    next_step_at: dt.datetime | None


def timetable(model: ReflectionModel, opened: dt.datetime, duration: dt.timedelta) -> Timetable:
    """The reminder comes a day before closing (a fifth of the time for shorter threads);
    a timed model's second question one interval after opening."""
    lead = REMIND_LONG if duration >= 2 * REMIND_LONG else duration / 5
    following = None
    if model.interval_minutes and len(model.steps) > 1:
        following = opened + dt.timedelta(minutes=model.interval_minutes)
    return Timetable(opened + duration, opened + duration - lead, following)


def following_step(model: ReflectionModel, now: dt.datetime, step: int) -> dt.datetime | None:
    """When a timed model asks the question after `step` (None when there is none)."""
    if not model.interval_minutes or step + 1 >= len(model.steps):
        return None
    return now + dt.timedelta(minutes=model.interval_minutes)
