"""Patient identifiers in free text: NHS numbers, dates of birth, postcodes and names.

A pure check, run on every reply recorded in a reflection thread, before an anonymous
contribution is posted, and on everything a summary is made from. It reports what it found
and where (offsets into the text as given); the words shown to people live in
bot/messages/, the word lists in bot/guardrail_words.py. Standard library only.

The text is read normalised: Unicode NFKC (full-width digits and letters become ASCII),
digits of every script made ASCII, format characters (zero-width spaces, direction marks)
dropped, dashes made hyphens; offsets are mapped back to the text as given. Every
pattern has bounded repetition or runs possessively over characters of one class, so the
check costs time in proportion to the length of the text.

- NHS number: ten digits whose modulus 11 check digit is right (a wrong one never counts):
  a run of exactly ten, or groups of 3-3-4, or a whole group of numbers of ten digits, with
  spaces, `.`, `-` or `/` between groups. Numbers may follow it (`943 476 5919 12/03/1945`);
  a 3-3-4 group after other digits of a phone number (one starting `+` or `0`, such as
  `0207 943 476 5919`) is part of that number and not checked. A slice of a longer unbroken
  run of digits is never one.
- Date of birth: a date (d/m/y with `/`, `.` or `-`, y-m-d, `12 March 1945`, `March 12th
  1945`) within CONTEXT_WINDOW characters of a name, a postcode, an NHS number, or "DOB",
  "born", "b.", "date of birth".
- Postcode: a UK postcode on its own, in either case (lower-case `2nd`, `3rd` are not one).
- Name: a title ("Mr", "mrs", "Dr", "patient", ...) followed by a name (a capitalised word,
  or a lower-case one where the title makes it one), or two capitalised words that are not
  ordinary (calendar, service or job words) within CONTEXT_WINDOW characters of a clinical
  word (bed, ward, admitted, ...) or of another identifier. Names over-trigger by design.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from bot import guardrail_words as words

NHS_NUMBER = "nhs-number"
DATE_OF_BIRTH = "date-of-birth"
POSTCODE = "postcode"
NAME = "name"
# What a stored reply has removed; a name is kept there (and its author warned).
REDACTED_KINDS = frozenset({NHS_NUMBER, DATE_OF_BIRTH, POSTCODE})

# A name, postcode or "DOB" at most this many characters before or after a date makes it one;
# a clinical word or identifier this near two capitalised words makes them a name.
CONTEXT_WINDOW = 60

Span = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    kind: str  # NHS_NUMBER, DATE_OF_BIRTH, POSTCODE or NAME
    start: int  # character offsets into the text checked
    end: int


# --- normalising, with a map back to the original --------------------------------------

_UNIFORM = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe58\ufe63", "-"),
        **dict.fromkeys("\u2028\u2029\x85", "\n"),
    }
)


@dataclass(frozen=True)
class Normalised:
    text: str
    starts: Sequence[int]  # for each character of `text`, where it came from in the original
    ends: Sequence[int]

    def original(self, start: int, end: int) -> Span:
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    """NFKC, format characters dropped, dashes made hyphens; each output character maps to
    the original characters it came from (a base character with its combining marks)."""
    if text.isascii():
        return Normalised(text, range(len(text)), range(1, len(text) + 1))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    start, length = 0, len(text)
    while start < length:
        end = start + 1
        while end < length and unicodedata.category(text[end])[0] == "M":
            end += 1
        piece = _normalised_piece(text[start:end])
        parts.append(piece)
        starts += [start] * len(piece)
        ends += [end] * len(piece)
        start = end
    return Normalised("".join(parts), starts, ends)


def _normalised_piece(piece: str) -> str:
    if piece.isascii():
        return piece
    if unicodedata.category(piece[0]) == "Cf":  # zero-width spaces, joiners, direction marks
        return ""
    digit = unicodedata.decimal(piece, None) if len(piece) == 1 else None
    if digit is not None:  # digits of any script: full-width, Arabic-Indic, Devanagari
        return str(digit)
    composed = unicodedata.normalize("NFKC", piece).translate(_UNIFORM)
    if len(piece) == 1:
        return composed
    # a base character and marks with no composed form: the marks go ("x̧" reads as "x")
    return "".join(c for c in composed if unicodedata.category(c)[0] != "M")


# --- NHS numbers ---------------------------------------------------------------------------

# Digit groups joined by spaces, `.`, `-` or `/` (each group taken whole: possessive).
_DIGIT_RUN = re.compile(
    r"(?<![0-9])(?P<plus>\+ ?)?[0-9]++(?:(?: {1,3}(?:[./-] ?)?|[./-] ?)[0-9]++)*+"
)
_DIGITS = re.compile(r"[0-9]++")


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


def _nhs_numbers(text: str) -> Iterator[Span]:
    for run in _DIGIT_RUN.finditer(text):
        groups = [g.span() for g in _DIGITS.finditer(text, run.start(), run.end())]
        phone = bool(run["plus"]) or text[groups[0][0]] == "0"
        for start, end in _candidates(groups, phone):
            if nhs_number_valid("".join(_DIGITS.findall(text, start, end))):
                yield start, end


def _candidates(groups: list[Span], phone: bool) -> Iterator[Span]:
    """Where ten digits could be one number: a group of ten; groups of 3-3-4 (not inside a
    phone number: after its start, within its first ten digits); all the groups of a run,
    when they hold ten digits."""
    lengths = [end - start for start, end in groups]
    before = 0  # the run's digits before group i
    for i, (start, end) in enumerate(groups):
        if lengths[i] == 10:
            yield start, end
        in_phone = phone and 0 < before < 10
        if lengths[i : i + 3] == [3, 3, 4] and not in_phone:
            yield start, groups[i + 2][1]
        before += lengths[i]
    if len(groups) > 1 and sum(lengths) == 10:
        yield groups[0][0], groups[-1][1]


# --- dates of birth ------------------------------------------------------------------------

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_GAP = r"(?:\s{1,3}|[ ]?[./-][ ]?)"  # between the parts of a date written with a month name
_NOT_AFTER_DATE = r"(?![0-9])(?![/.-][0-9])"
_DATE_NUMERIC = re.compile(
    r"(?<![0-9])(?<![0-9][/.-])"
    r"(?P<day>[0-9]{1,2})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})"
    + _NOT_AFTER_DATE
)
_DATE_ISO = re.compile(
    r"(?<![0-9])(?<![0-9][/.-])"
    r"(?P<year>[0-9]{4})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})"
    + _NOT_AFTER_DATE
)
_DATE_DAY_FIRST = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{1,2}}){_ORDINAL}(?:\s{{1,3}}of)?{_GAP}{_MONTH},?{_GAP}"
    r"(?P<year>[0-9]{4})(?![0-9])",
    re.IGNORECASE,
)
_DATE_MONTH_FIRST = re.compile(
    rf"(?<![a-z]){_MONTH}{_GAP}(?P<day>[0-9]{{1,2}}){_ORDINAL},?{_GAP}(?P<year>[0-9]{{4}})"
    r"(?![0-9])",
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
_DOB_WORDS = re.compile(
    r"(?<![a-z])(?:d\.? ?o\.? ?b|born|date of birth|birth ?date|birthday)(?![a-z])"
    r"|(?<![a-z])b\.(?=[ \t]{0,3}(?:[0-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)


def _date_spans(text: str) -> Iterator[Span]:
    for pattern in (_DATE_NUMERIC, _DATE_ISO):
        for match in pattern.finditer(text):
            year = match["year"]
            century_known = len(year) == 4
            day, month = int(match["day"]), int(match["month"])
            if _plausible(day, month, int(year) if century_known else None):
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


# --- postcodes ----------------------------------------------------------------------------

# Outward code (A9, A9A, A99, AA9, AA9A, AA99), an optional space or hyphen, inward code.
_POSTCODE = re.compile(
    r"(?<![a-z0-9])(?:[a-pr-uwyz][a-hk-y]?[0-9][a-z0-9]?|gir)[ -]?"
    r"(?P<inward>[0-9][abd-hjlnp-uw-z]{2})(?![a-z0-9])",
    re.IGNORECASE,
)
# Lower-case endings that make `A1 3rd` or `M4 2hr` ordinary words, not an inward code.
_NOT_INWARD = frozenset({"st", "nd", "rd", "th", "hr", "yr", "wk"})


def _postcodes(text: str) -> Iterator[Span]:
    for match in _POSTCODE.finditer(text):
        if match["inward"][1:] not in _NOT_INWARD:
            yield match.span()


# --- names ----------------------------------------------------------------------------------

_LETTERS = r"[^\W\d_]"
_NAME_WORD = rf"{_LETTERS}{{1,40}}(?:['’-]{_LETTERS}{{1,40}}){{0,2}}"
_NAME_WORD_RE = re.compile(_NAME_WORD)
_TITLES = "|".join(sorted(words.TITLES, key=len, reverse=True))
# A title and up to three words after it, looked at without being consumed, so that every
# title is seen ("patient Mrs Jones").
_TITLED = re.compile(
    rf"(?<![\w'’-])(?P<title>(?i:{_TITLES}))"
    rf"(?=\.?[ \t]{{1,3}}(?P<words>{_NAME_WORD}(?:[ \t]{{1,3}}{_NAME_WORD}){{0,2}}))"
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_PART = rf"[{_UPPER}][{_LOWER}]{{1,40}}"
# "Smith", "O'Brien", "McDonald", "Smith-Jones".
_WORD = rf"(?:[{_UPPER}]['’])?{_PART}(?:{_PART})?(?:-{_PART})?"
# Every capitalised word with the capitalised word after it (a lookahead, so pairs overlap).
_CAPITALISED_PAIR = re.compile(
    rf"(?<![\w'’-])(?P<first>{_WORD})(?=(?P<dot>\.)?[ \t]{{1,3}}(?P<second>{_WORD})(?!\w))"
)
_TOKEN = re.compile(rf"{_LETTERS}+")


def _titled_names(text: str) -> Iterator[Span]:
    for match in _TITLED.finditer(text):
        title = match["title"].lower()
        found = list(_NAME_WORD_RE.finditer(text, match.start("words"), match.end("words")))
        taken = _name_length(title, [word.group() for word in found])
        if taken:
            start = found[0].start() if title in words.TITLES_KEPT else match.start()
            yield start, found[taken - 1].end()


def _name_length(title: str, following: list[str]) -> int:
    """How many of the words after a title are its name."""
    taken = 0
    while taken < len(following) and _is_name(title, following[taken], following[:taken]):
        taken += 1
    return taken


def _is_name(title: str, word: str, before: list[str]) -> bool:
    lower = word.lower()
    if len(word) < 2 or lower in words.TITLES or lower in words.STOPWORDS:
        return False
    if word.isupper() and len(word) <= 3:  # an abbreviation: DOB, NHS, GP
        return False
    if word[0].isupper():
        strict = bool(before) or title in words.TITLES_NEEDING_A_GIVEN_NAME
        return not (strict and lower in words.NOT_NAMES)
    if not before:
        return title not in words.TITLES_NEEDING_A_GIVEN_NAME or lower in words.GIVEN_NAMES
    previous = before[-1]  # "patient john smith": a surname in lower case after a given name
    return previous.islower() and previous in words.GIVEN_NAMES and lower not in words.NOT_NAMES


def _ordinary(word: str) -> bool:
    lower = word.lower()
    return any(
        lower in listed
        for listed in (words.NOT_NAMES, words.STOPWORDS, words.CLINICAL, words.TITLES)
    )


def _name_pairs(text: str) -> Iterator[Span]:
    """Two capitalised words that may be a person's name."""
    for match in _CAPITALISED_PAIR.finditer(text):
        if match["dot"] is None and not (_ordinary(match["first"]) or _ordinary(match["second"])):
            yield match.start("first"), match.end("second")


def _clinical_words(text: str) -> Iterator[Span]:
    for match in _TOKEN.finditer(text):
        if match.group().lower() in words.CLINICAL:
            yield match.span()


# --- putting it together ------------------------------------------------------------------


class _Reach:
    """Which positions of a text lie within CONTEXT_WINDOW of some span, asked in O(1)."""

    def __init__(self, spans: Iterable[Span], length: int) -> None:
        marks = [0] * (length + 2)
        for start, end in spans:
            marks[max(0, start - CONTEXT_WINDOW)] += 1
            marks[min(length, end + CONTEXT_WINDOW) + 1] -= 1
        depths = accumulate(marks)
        self._covered = [0, *accumulate(depth > 0 for depth in depths)]

    def near(self, span: Span) -> bool:
        start, end = span
        return self._covered[end + 1] > self._covered[start]


def find_identifiers(text: str) -> list[Finding]:
    """Every NHS number, date of birth, postcode and name, sorted, none overlapping."""
    norm = normalise(text)
    found = _spans(norm.text)
    return _without_overlaps(
        Finding(kind, *norm.original(start, end)) for kind, start, end in found
    )


def _spans(text: str) -> list[tuple[str, int, int]]:
    numbers, postcodes = list(_nhs_numbers(text)), list(_postcodes(text))
    titled, pairs = list(_titled_names(text)), list(_name_pairs(text))
    dates = list(_date_spans(text))
    if dates:
        context = _Reach([*_dob_words(text), *postcodes, *numbers, *titled, *pairs], len(text))
        dates = [span for span in dates if context.near(span)]
    names = titled
    if pairs:
        clinical = _Reach([*_clinical_words(text), *numbers, *dates, *postcodes], len(text))
        names = titled + [span for span in pairs if clinical.near(span)]
    return [
        *((NHS_NUMBER, *span) for span in numbers),
        *((DATE_OF_BIRTH, *span) for span in dates),
        *((POSTCODE, *span) for span in postcodes),
        *((NAME, *span) for span in _merged(names)),
    ]


def _dob_words(text: str) -> Iterator[Span]:
    return (match.span() for match in _DOB_WORDS.finditer(text))


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping names as one ("John Paul Smith" from two pairs)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _without_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end, f.kind)):
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


# --- text that things are derived from ------------------------------------------------------

# Talk about identifiers, which says nothing a summary should repeat.
_IDENTIFIER_TALK = re.compile(
    r"\bnhs\s?(?:no|num|number)s?\b|\bd\.?o\.?b\b|\bdate of birth\b|\bpost ?codes?\b"
    r"|\bhospital (?:no|number)\b|\bmrn\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cleaned:
    """Texts with every identifier found in them cut out, and every word of a name found in
    any of them: what themes, actions and look-ups are made from."""

    texts: list[str]
    names: frozenset[str]  # the lower-cased words of every name found

    def allows(self, phrase: str) -> bool:
        """A phrase made from the texts that holds no identifier, name word or talk of one."""
        tokens = {token.lower() for token in _TOKEN.findall(normalise(phrase).text)}
        return not (
            tokens & self.names or _IDENTIFIER_TALK.search(phrase) or find_identifiers(phrase)
        )


def cleaned(texts: Sequence[str], gap: str = " … ") -> Cleaned:
    """`gap` stands where something was cut, so that no phrase joins across it."""
    found = [find_identifiers(text) for text in texts]
    names = frozenset(
        word
        for text, findings in zip(texts, found, strict=True)
        for word in _name_words(text, findings)
    )
    return Cleaned(
        [_cut(text, findings, names, gap) for text, findings in zip(texts, found, strict=True)],
        names,
    )


def _name_words(text: str, findings: list[Finding]) -> Iterator[str]:
    for finding in findings:
        if finding.kind == NAME:
            found = _TOKEN.findall(normalise(text[finding.start : finding.end]).text)
            yield from (w.lower() for w in found if len(w) > 1 and w.lower() not in words.TITLES)


def _cut(text: str, findings: list[Finding], names: frozenset[str], gap: str) -> str:
    pieces, at = [], 0
    for finding in findings:
        pieces.append(text[at : finding.start])
        at = finding.end
    pieces.append(text[at:])
    return gap.join(_without_names(piece, names, gap) for piece in pieces)


def _without_names(text: str, names: frozenset[str], gap: str) -> str:
    def keep(match: re.Match[str]) -> str:
        return gap if match.group().lower() in names else match.group()

    return _TOKEN.sub(keep, normalise(text).text)
