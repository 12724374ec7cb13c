"""Patient identifiers in free text: NHS numbers and dates of birth.

A pure check, run before an anonymous contribution is posted and on every recorded reply in a
reflection thread. It reports what it found and where; the words shown to people live in
bot/messages.py. Standard library only.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

NHS_NUMBER = "nhs-number"
DATE_OF_BIRTH = "date-of-birth"

# A name, postcode or "DOB" at most this many characters before or after a date makes it one.
CONTEXT_WINDOW = 60


@dataclass(frozen=True)
class Finding:
    kind: str  # NHS_NUMBER or DATE_OF_BIRTH
    start: int  # character offsets into the text checked
    end: int


# One character for one character, so offsets into the normalised text are offsets into the
# original: no-break, figure, thin and narrow no-break spaces; hyphens, dashes and minus.
_NORMALISE = str.maketrans(
    {
        **dict.fromkeys("\u00a0\u2007\u2009\u202f", " "),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-"),
    }
)

# Ten ASCII digits as one run (not a slice of a longer run), or grouped 3-3-4 (not a slice
# of longer digits-with-separators, such as a phone number). An unbroken run may be followed
# by other numbers ("9434765919 12/03/1956").
_NHS_CANDIDATE = re.compile(
    r"(?<![0-9])[0-9]{10}(?![0-9])"
    r"|(?<![0-9])(?<![0-9][ -])[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}(?![0-9])(?![ -][0-9])"
)

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_NUMERIC = re.compile(
    r"(?<![0-9])(?<![0-9][/.-])"
    r"(?P<day>[0-9]{1,2})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})"
    r"(?![0-9])(?![/.-][0-9])"
)
_DATE_DAY_FIRST = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{1,2}}){_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+(?P<year>[0-9]{{4}})"
    r"(?![0-9])",
    re.IGNORECASE,
)
_DATE_MONTH_FIRST = re.compile(
    rf"(?<![a-z]){_MONTH}\s+(?P<day>[0-9]{{1,2}}){_ORDINAL},?\s+(?P<year>[0-9]{{4}})(?![0-9])",
    re.IGNORECASE,
)
_MONTH_NUMBER = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Day limits when the century is unknown (d/m/yy): 29 February is allowed.
_MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# UK postcodes: outward code (A9, A9A, A99, AA9, AA9A, AA99), optional space, inward code.
_POSTCODE = re.compile(
    r"(?<![a-z0-9])(?:[a-pr-uwyz][a-hk-y]?[0-9][a-z0-9]?|gir) ?[0-9][abd-hjlnp-uw-z]{2}"
    r"(?![a-z0-9])",
    re.IGNORECASE,
)
_DOB_WORDS = re.compile(
    r"(?<![a-z])(?:d\.?o\.?b|born|date of birth|birth ?date|birthday)(?![a-z])",
    re.IGNORECASE,
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_PART = rf"[{_UPPER}][{_LOWER}]+"
# "Smith", "O'Brien", "McDonald", "Smith-Jones".
_WORD = rf"(?:[{_UPPER}]['’])?{_PART}(?:{_PART})?(?:-{_PART})?"
# Every capitalised word with the capitalised word after it (a lookahead, so pairs overlap).
_CAPITALISED_PAIR = re.compile(
    rf"(?<![\w'’-])(?P<first>{_WORD})(?=(?P<dot>\.)?[ \t]+(?P<second>{_WORD})(?!\w))"
)
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame"})
# Capitalised words that do not make a name pair: calendar words, sentence openers, places
# of work.
_NOT_NAMES_TEXT = """
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri
    Sat Sun Today Yesterday Tomorrow Morning Afternoon Evening Night Week Weekend Month Year
    Last Next This That These Those The An And But Or So If When While After Before Since Until
    On In At By For From To Of With Without About Over Under Into As Then Also Just Only
    We Our Us You Your He His Him She Her It Its They Them Their My Me Who What Why How Where
    Happy New Christmas Easter Bank Holiday Dear Hi Hello Thanks Thank Please Good Best Kind
    Trust Trusts Ward Wards Hospital Hospitals Teaching Foundation Health Healthcare Care Clinic
    Centre Center Unit Team Service Services Board Council Practice Surgery University Royal
    General Infirmary Department Network System Integrated Primary Mental Community Emergency
    Acute Medical Medicine Nursing Staff Group England Scotland Wales Ireland Rounds
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


def nhs_number_valid(digits: str) -> bool:
    """Ten ASCII digits whose last is the modulus 11 check digit of the first nine."""
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return False
    check = _check_digit(digits[:9])
    return check is not None and check == int(digits[9])


def _check_digit(first_nine: str) -> int | None:
    """Weights 10 down to 2; 11 minus the remainder; 11 means 0 and 10 means no valid number."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def find_identifiers(text: str) -> list[Finding]:
    """Valid NHS numbers and dates near a name, postcode or "DOB", sorted, none overlapping."""
    text = text.translate(_NORMALISE)
    found = [
        Finding(NHS_NUMBER, match.start(), match.end())
        for match in _NHS_CANDIDATE.finditer(text)
        if nhs_number_valid(match.group().replace(" ", "").replace("-", ""))
    ]
    context = list(_context_spans(text))
    found += [
        Finding(DATE_OF_BIRTH, start, end)
        for start, end in _date_spans(text)
        if _near(start, end, context)
    ]
    return _without_overlaps(found)


def _date_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _DATE_NUMERIC.finditer(text):
        year = match["year"]
        century_known = len(year) == 4
        if _plausible(int(match["day"]), int(match["month"]), int(year) if century_known else None):
            yield match.span()
    for pattern in (_DATE_DAY_FIRST, _DATE_MONTH_FIRST):
        for match in pattern.finditer(text):
            month = _MONTH_NUMBER[match["month"][:3].lower()]
            if _plausible(int(match["day"]), month, int(match["year"])):
                yield match.span()


def _plausible(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:
        return day <= _MAX_DAY[month]
    return 1900 <= year <= 2099 and day <= calendar.monthrange(year, month)[1]


def _context_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the text has a UK postcode, a "DOB"-like word or a person's name."""
    for pattern in (_POSTCODE, _DOB_WORDS):
        yield from (match.span() for match in pattern.finditer(text))
    for match in _CAPITALISED_PAIR.finditer(text):
        first, second = match["first"], match["second"]
        if second in _NOT_NAMES or second in _TITLES:
            continue
        if first in _TITLES or (first not in _NOT_NAMES and match["dot"] is None):
            yield match.start("first"), match.end("second")


def _near(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(
        span_end >= start - CONTEXT_WINDOW and span_start <= end + CONTEXT_WINDOW
        for span_start, span_end in spans
    )


def _without_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end, f.kind)):
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept
