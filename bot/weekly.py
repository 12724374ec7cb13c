"""Weekly rules: when slots fall, bank holidays, and parsing days, times and timezones.

Nothing here reads the clock or does I/O (beyond zoneinfo and holidays loading their data):
`now` is always a parameter. Every datetime taken or returned is timezone-aware, and every
slot returned is in UTC.

Rules:

* A `Weekly` rule names a weekday, a local wall-clock time and an IANA timezone.
* A wall time that does not exist on a day (the spring-forward gap) is moved forward by the
  length of the gap: 01:30 Europe/London on the last Sunday of March is 02:30 BST.
* A wall time that happens twice (autumn fall-back) means its first occurrence (fold=0).
* Slots are compared as instants, whatever zone they are expressed in.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

import holidays

UTC = dt.UTC

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}

# Nation keys to `holidays.UK` subdivision codes. Wales ("WLS") shares England's bank
# holidays, so one key covers both.
NATIONS: dict[str, str] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


WEEK = dt.timedelta(weeks=1)
LOOKBACK = dt.timedelta(days=35)  # slots older than this are not looked at (nor their skips)


def require_aware(value: dt.datetime, name: str) -> None:
    """Raise ValueError unless `value` is timezone-aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class Weekly:
    """Once a week on `weekday` (0 = Monday) at local wall time `at` in `timezone`."""

    weekday: int
    at: dt.time
    timezone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if self.at.tzinfo is not None:
            raise ValueError("at is a local wall-clock time and must not carry a tzinfo")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        """The rule's timezone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ScheduleState:
    """A schedule as `decide` sees it.

    `since`: slots at or before it are never considered (creation or last resume).
    `skips`: the dates the channel asked to skip, in the rule's timezone. `holidays`: a
    NATIONS key when bank holidays are skipped.
    """

    rule: Weekly
    since: dt.datetime
    paused: bool = False
    skips: frozenset[dt.date] = frozenset()
    holidays: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.since, "since")
        if self.holidays is not None and self.holidays not in NATIONS:
            raise ValueError(f"unknown nation {self.holidays!r}; expected one of {list(NATIONS)}")


def local_slot(rule: Weekly, day: dt.date) -> dt.datetime:
    """The UTC instant of the rule's wall time on `day` (which must be the rule's weekday).

    fold=0 gives both DST rules: in a gap, zoneinfo applies the offset from before the
    transition, which moves the wall time forward by the gap's length; in a repeated hour it
    picks the first occurrence.
    """
    if day.weekday() != rule.weekday:
        raise ValueError(f"{day} is not on weekday {rule.weekday}")
    local = dt.datetime.combine(day, rule.at, tzinfo=rule.zone).replace(fold=0)
    return local.astimezone(UTC)


def _slots_after(rule: Weekly, after: dt.datetime) -> Iterator[dt.datetime]:
    """Every slot strictly after `after`, ascending, without end."""
    require_aware(after, "after")
    local_day = after.astimezone(rule.zone).date()
    # Start a week before the latest rule weekday on or before `after`'s local date, so a
    # slot whose wall time was shifted by DST can never be missed.
    day = local_day - dt.timedelta(days=(local_day.weekday() - rule.weekday) % 7 + 7)
    while True:
        slot = local_slot(rule, day)
        if slot > after:
            yield slot
        day += WEEK


def local_date(rule: Weekly, slot: dt.datetime) -> dt.date:
    """The slot's date in the rule's timezone: the date people name when they skip it."""
    require_aware(slot, "slot")
    return slot.astimezone(rule.zone).date()


def is_skipped(state: ScheduleState, slot: dt.datetime) -> bool:
    """Whether the channel asked to skip the slot's date."""
    return local_date(state.rule, slot) in state.skips


def slots_between(rule: Weekly, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every slot s with start < s <= end, ascending, in UTC."""
    require_aware(end, "end")
    found: list[dt.datetime] = []
    for slot in _slots_after(rule, start):
        if slot > end:
            break
        found.append(slot)
    return found


def next_slot(rule: Weekly, after: dt.datetime) -> dt.datetime:
    """The first slot strictly after `after`, in UTC."""
    return next(_slots_after(rule, after))


def slot_id(schedule_id: str, slot: dt.datetime) -> str:
    """A stable id for a (schedule, slot): "42@2026-11-23T09:00Z" (UTC, minute precision)."""
    require_aware(slot, "slot")
    return f"{schedule_id}@{slot.astimezone(UTC):%Y-%m-%dT%H:%M}Z"


@functools.lru_cache(maxsize=64)
def _bank_holidays(subdiv: str, year: int) -> frozenset[dt.date]:
    """The bank holiday dates (observed substitutes included) of a UK subdivision in a year."""
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=year).keys())


def is_bank_holiday(slot: dt.datetime, rule: Weekly, nation: str) -> bool:
    """Whether the slot's local date, in the rule's timezone, is a bank holiday in `nation`."""
    require_aware(slot, "slot")
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}; expected one of {list(NATIONS)}")
    day = slot.astimezone(rule.zone).date()
    return day in _bank_holidays(NATIONS[nation], day.year)


def due_verdict(
    slot: dt.datetime, rule: Weekly, holidays: str | None, now: dt.datetime, grace: dt.timedelta
) -> Literal["post", "skip-missed", "skip-holiday"]:
    """What a due slot gets; the first matching rule wins: a bank holiday (when `holidays`
    names a nation) is skipped, a slot more than `grace` old is skipped as missed (exactly
    `grace` old still posts), the rest post."""
    if holidays is not None and is_bank_holiday(slot, rule, holidays):
        return "skip-holiday"
    if now - slot > grace:
        return "skip-missed"
    return "post"


def as_utc(value: dt.datetime) -> dt.datetime:
    """`value` as a UTC datetime, so that equal instants compare and hash equal."""
    require_aware(value, "recorded slot")
    return value.astimezone(UTC)


def describe_next(state: ScheduleState, now: dt.datetime) -> dt.datetime | None:
    """The next slot after `now` (and after `since`) that would be posted; None when paused.

    Requested skips and, when on, bank holidays are passed over.
    """
    require_aware(now, "now")
    if state.paused:
        return None
    return next(s for s in _slots_after(state.rule, max(now, state.since)) if _posts(state, s))


def _posts(state: ScheduleState, slot: dt.datetime) -> bool:
    """Whether a future slot would be posted: not a requested skip, not a bank holiday."""
    if is_skipped(state, slot):
        return False
    return state.holidays is None or not is_bank_holiday(slot, state.rule, state.holidays)


_TIME_24H = re.compile(r"(\d{1,2})[:.](\d{2})")
_TIME_12H = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?")


def parse_time(text: str) -> dt.time | None:
    """A wall time from "09:00", "9:00", "17:30", "9am", "5pm", "5.30pm"; None if invalid."""
    text = text.strip().lower()
    if match := _TIME_24H.fullmatch(text):
        hour, minute = int(match[1]), int(match[2])
    elif match := _TIME_12H.fullmatch(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_day(text: str) -> int | None:
    """A weekday number (0 = Monday) from a name or abbreviation in WEEKDAYS; else None."""
    return WEEKDAYS.get(text.strip().lower())


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    """Every available IANA name, keyed by its lower-case spelling."""
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(text: str) -> str | None:
    """The canonical IANA name for `text`, matched case-insensitively against the names
    zoneinfo reports available (each one `ZoneInfo` accepts); None otherwise."""
    return _zones_by_lower().get(text.strip().lower())


# What people type for UK time. Each means Europe/London: GMT in winter, BST in summer.
LONDON = "Europe/London"
UK_TIME = frozenset({"gmt", "bst", "uk"})

# Abbreviations people type for other zones, each with the IANA name to use instead: an
# abbreviation is ambiguous (IST) or names only half the year (EST is not New York in July).
ZONE_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("est", "edt", "et"), "America/New_York"),
    **dict.fromkeys(("cst", "cdt", "ct"), "America/Chicago"),
    **dict.fromkeys(("mst", "mdt"), "America/Denver"),
    **dict.fromkeys(("pst", "pdt", "pt"), "America/Los_Angeles"),
    **dict.fromkeys(("akst", "akdt"), "America/Anchorage"),
    "hst": "Pacific/Honolulu",
    **dict.fromkeys(("ast", "adt"), "America/Halifax"),
    **dict.fromkeys(("wet", "west"), "Europe/Lisbon"),
    **dict.fromkeys(("cet", "cest"), "Europe/Paris"),
    **dict.fromkeys(("eet", "eest"), "Europe/Athens"),
    "msk": "Europe/Moscow",
    "ist": "Europe/Dublin or Asia/Kolkata",
    "pkt": "Asia/Karachi",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "awst": "Australia/Perth",
    **dict.fromkeys(("acst", "acdt"), "Australia/Adelaide"),
    **dict.fromkeys(("aest", "aedt"), "Australia/Sydney"),
    **dict.fromkeys(("nzst", "nzdt"), "Pacific/Auckland"),
    "sast": "Africa/Johannesburg",
}


def uk_time(words: Sequence[str]) -> int:
    """How many leading `words` name UK time: 2 for `UK time`, 1 for `GMT`, `BST` or `UK`."""
    lowered = [word.lower() for word in words[:2]]
    if lowered == ["uk", "time"]:
        return 2
    return 1 if lowered and lowered[0] in UK_TIME else 0


def zone_for_abbreviation(text: str) -> str | None:
    """The IANA name to suggest for a timezone abbreviation such as EST; None otherwise."""
    return ZONE_ABBREVIATIONS.get(text.strip().lower())


_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
MONTHS: dict[str, int] = {
    name: number
    for number, month in enumerate(_MONTH_NAMES, start=1)
    for name in (month, month[:3])
} | {"sept": 9}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
_UK_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?")


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A date in UK order: "2026-12-14", "14/12", "14/12/2026", "14 Dec", "14th December
    2026". Without a year, the first such date on or after `today`. None if invalid."""
    text = " ".join(text.strip().lower().split())
    if match := _ISO_DATE.fullmatch(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _UK_NUMERIC.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), match[3]
    elif (match := _UK_WORDS.fullmatch(text)) and match[2] in MONTHS:
        day, month, year = int(match[1]), MONTHS[match[2]], match[3]
    else:
        return None
    if year is not None:
        return _date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    for candidate in range(today.year, today.year + 9):  # 29 February waits for a leap year
        found = _date(candidate, month, day)
        if found is not None and found >= today:
            return found
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
