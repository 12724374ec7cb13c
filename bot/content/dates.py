"""Dates an article's text mentions, checked against the article's own `date`.

Two checks, both quiet when the article is undated:

Names of days and months count only capitalised, so "may" and "march" are words.

* A weekday with a day and month but no year ("Thursday 24th November", "Thursday,
  November 24") is placed in the year that puts it nearest the article's date (the year
  before, the same year or the year after). If that day is not the named weekday, the
  mention is reported with the nearest year in which it is.
* A full date ("12 March 2024", "March 12, 2024") later than the article's date, in a
  clause that reports it as past (a cue such as "was", "took place" or "last" before it in
  the same sentence, and no cue such as "will", "next" or "by" that could make it future),
  is reported.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
YEARS_AROUND = 11  # how far from the article's year a fitting year is looked for

_MONTH = "|".join(name for name in calendar.month_name if name)
_WEEKDAY = "|".join(calendar.day_name)
_DAY = r"\b\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4})\b)?"
_DAY_MONTH = rf"(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH})\b"
_MONTH_DAY = rf"(?P<month>{_MONTH})\s+(?P<day>{_DAY})\b"
DATES = [
    re.compile(rf"(?:\b(?P<weekday>{_WEEKDAY}),?\s+(?:the\s+)?)?{order}{_YEAR}")
    for order in (_DAY_MONTH, _MONTH_DAY)
]
PAST = re.compile(
    r"\b(?:was|were|had|took place|held|happened|published|launched|began|started|"
    r"ended|closed|met|attended|spoke|said|wrote|last|ago)\b",
    re.IGNORECASE,
)
NOT_PAST = re.compile(
    r"\b(?:will|shall|next|upcoming|until|by|before|due|deadline|from|starts?|runs?)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?;]\s|\n")


def date_problems(text: str, dated: dt.date | None) -> list[str]:
    """What is inconsistent between the text's dates and the article's `dated`."""
    if dated is None:
        return []
    found = []
    for match in _mentions(text):
        said = " ".join(match[0].split())
        year = match["year"]
        day = _day_of(match["month"], match["day"], int(year) if year else None)
        if day is None:
            continue
        if match["weekday"] and not year:
            found += _wrong_weekday(said, WEEKDAYS[match["weekday"].lower()], day, dated)
        elif year and day > dated and _told_as_past(text, match.start()):
            found.append(
                f"the text reports “{said}” as past, but the article is dated {dated.isoformat()}"
            )
    return found


def _mentions(text: str) -> Iterator[re.Match[str]]:
    taken: set[int] = set()
    for pattern in DATES:
        for match in pattern.finditer(text):
            if match.start("day") not in taken:
                taken.add(match.start("day"))
                yield match


def _day_of(month: str, day: str, year: int | None) -> dt.date | None:
    """The mentioned day (in a leap year when no year is given); None if there is none."""
    try:
        return dt.date(year or 2000, MONTHS[month.lower()], int(day.rstrip("stndrh")))
    except ValueError:
        return None


def _wrong_weekday(said: str, weekday: int, day: dt.date, dated: dt.date) -> list[str]:
    placed = _nearest(day, dated)
    if placed is None or placed.weekday() == weekday:
        return []
    name = calendar.day_name[weekday]
    fits = _fitting_year(day, weekday, dated.year)
    where = f"in {fits}" if fits else "in no year near it"
    return [
        f"“{said}”: {_long(placed)} is a {calendar.day_name[placed.weekday()]}, not a {name}; "
        f"it is a {name} {where} (the article is dated {dated.isoformat()})"
    ]


def _nearest(day: dt.date, dated: dt.date) -> dt.date | None:
    """The day and month placed in the year nearest the article's date."""
    candidates = []
    for year in (dated.year - 1, dated.year, dated.year + 1):
        try:
            candidates.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda c: abs(c - dated), default=None)


def _fitting_year(day: dt.date, weekday: int, around: int) -> int | None:
    """The year nearest `around` (the earlier of two as near) whose `day` is `weekday`."""
    for distance in range(1, YEARS_AROUND + 1):
        for year in (around - distance, around + distance):
            try:
                if day.replace(year=year).weekday() == weekday:
                    return year
            except ValueError:
                continue
    return None


def _told_as_past(text: str, at: int) -> bool:
    """Whether the sentence up to the date reports it as past."""
    ends = [m.end() for m in SENTENCE_END.finditer(text, 0, at)]
    clause = text[ends[-1] if ends else 0 : at]
    return bool(PAST.search(clause)) and not NOT_PAST.search(clause)


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
