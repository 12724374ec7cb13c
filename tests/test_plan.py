"""The scheduler's pure planning: weekly slots through DST, decisions, bank holidays, parsing.

Dates pinned here: Europe/London springs forward on Sunday 29 March 2026 (01:00 GMT -> 02:00
BST) and falls back on Sunday 25 October 2026 (02:00 BST -> 01:00 GMT). 2026 starts on a
Thursday. England's summer bank holiday is Monday 31 August 2026, Scotland's is Monday
3 August; Boxing Day 2026 is a Saturday, observed on Monday 28 December.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import weekly as plan
from bot.weekly import (
    NATIONS,
    WEEKDAYS,
    ScheduleState,
    Weekly,
    describe_next,
    is_bank_holiday,
    local_slot,
    next_slot,
    parse_day,
    parse_time,
    parse_timezone,
    slot_id,
    slots_between,
)
from scheduler.plan import Decision, Verdict, decide

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
MONDAY_9 = Weekly(0, dt.time(9, 0), "Europe/London")
SUNDAY_0130 = Weekly(6, dt.time(1, 30), "Europe/London")
HOUR = dt.timedelta(hours=1)
GRACE = dt.timedelta(hours=2)
NEW_YEAR = dt.datetime(2026, 1, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def state(
    *,
    since: dt.datetime = NEW_YEAR,
    paused: bool = False,
    skips: tuple[dt.date, ...] = (),
    holidays: str | None = None,
) -> ScheduleState:
    """The Monday 09:00 London schedule, created at the start of 2026 unless told otherwise."""
    return ScheduleState(MONDAY_9, since, paused=paused, skips=frozenset(skips), holidays=holidays)


# --- local_slot and DST ---------------------------------------------------------------------


def test_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    slot = local_slot(SUNDAY_0130, dt.date(2026, 3, 29))
    assert slot == utc(2026, 3, 29, 1, 30)
    assert slot.tzinfo is UTC
    local = slot.astimezone(LONDON)
    assert (local.date(), local.time()) == (dt.date(2026, 3, 29), dt.time(2, 30))
    assert local.tzname() == "BST"


def test_repeated_wall_time_at_fall_back_is_its_first_occurrence() -> None:
    slot = local_slot(SUNDAY_0130, dt.date(2026, 10, 25))
    assert slot == utc(2026, 10, 25, 0, 30)
    local = slot.astimezone(LONDON)
    assert (local.time(), local.tzname(), local.fold) == (dt.time(1, 30), "BST", 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 5), utc(2026, 1, 5, 9)),
        (dt.date(2026, 3, 23), utc(2026, 3, 23, 9)),
        (dt.date(2026, 3, 30), utc(2026, 3, 30, 8)),
        (dt.date(2026, 7, 6), utc(2026, 7, 6, 8)),
        (dt.date(2026, 10, 19), utc(2026, 10, 19, 8)),
        (dt.date(2026, 10, 26), utc(2026, 10, 26, 9)),
    ],
)
def test_monday_nine_in_london_is_nine_utc_in_winter_and_eight_in_summer(
    day: dt.date, expected: dt.datetime
) -> None:
    assert local_slot(MONDAY_9, day) == expected


def test_local_slot_rejects_a_day_off_the_rules_weekday() -> None:
    with pytest.raises(ValueError, match="weekday"):
        local_slot(MONDAY_9, dt.date(2026, 1, 6))


def test_weekly_rejects_bad_fields() -> None:
    with pytest.raises(ValueError):
        Weekly(7, dt.time(9), "Europe/London")
    with pytest.raises(ValueError):
        Weekly(0, dt.time(9, tzinfo=UTC), "Europe/London")
    with pytest.raises(KeyError):  # zoneinfo.ZoneInfoNotFoundError
        Weekly(0, dt.time(9), "Mars/Olympus_Mons")


# --- slots_between and next_slot ------------------------------------------------------------


@pytest.mark.parametrize("weekday", range(7))
def test_one_slot_a_week_through_2026_across_both_changes(weekday: int) -> None:
    rule = Weekly(weekday, dt.time(1, 30), "Europe/London")
    slots = slots_between(rule, london(2026, 1, 1), london(2027, 1, 1))
    assert len(slots) == (53 if weekday == 3 else 52)  # 2026 has 53 Thursdays
    assert all(s.tzinfo is UTC for s in slots)
    assert all(a < b for a, b in itertools.pairwise(slots))
    locals_ = [s.astimezone(LONDON) for s in slots]
    days = [local.date() for local in locals_]
    assert all(
        later - earlier == dt.timedelta(days=7) for earlier, later in itertools.pairwise(days)
    )
    assert all(day.weekday() == weekday and day.year == 2026 for day in days)
    off_time = [local for local in locals_ if local.time() != dt.time(1, 30)]
    if weekday == 6:  # only the spring-forward Sunday, shifted out of the gap
        assert [(o.date(), o.time()) for o in off_time] == [(dt.date(2026, 3, 29), dt.time(2, 30))]
    else:
        assert off_time == []


def test_slots_between_excludes_start_and_includes_end() -> None:
    slot = utc(2026, 1, 5, 9)
    assert slots_between(MONDAY_9, slot, slot + dt.timedelta(days=6)) == []
    assert slots_between(MONDAY_9, slot - dt.timedelta(microseconds=1), slot) == [slot]
    assert slots_between(MONDAY_9, slot, slot) == []
    assert slots_between(MONDAY_9, utc(2026, 1, 1), utc(2026, 1, 15)) == [
        utc(2026, 1, 5, 9),
        utc(2026, 1, 12, 9),
    ]


def test_slots_between_accepts_bounds_in_any_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    start = dt.datetime(2026, 1, 5, 4, 0, tzinfo=new_york)  # 09:00 UTC, excluded
    end = dt.datetime(2026, 1, 12, 4, 0, tzinfo=new_york)  # 09:00 UTC, included
    assert slots_between(MONDAY_9, start, end) == [utc(2026, 1, 12, 9)]


def test_next_slot_is_a_week_later_in_local_terms_across_spring_forward() -> None:
    before = local_slot(MONDAY_9, dt.date(2026, 3, 23))
    after = next_slot(MONDAY_9, before)
    assert after == utc(2026, 3, 30, 8)
    assert after - before == dt.timedelta(days=7) - HOUR
    assert after.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2026, 3, 30, 9)


def test_next_slot_is_strictly_after() -> None:
    slot = utc(2026, 1, 5, 9)
    assert next_slot(MONDAY_9, slot - dt.timedelta(microseconds=1)) == slot
    assert next_slot(MONDAY_9, slot) == utc(2026, 1, 12, 9)
    assert next_slot(MONDAY_9, utc(2026, 1, 1)) == slot


def test_next_slot_from_the_gap_sunday_to_the_next() -> None:
    gap = local_slot(SUNDAY_0130, dt.date(2026, 3, 29))
    assert next_slot(SUNDAY_0130, gap) == utc(2026, 4, 5, 0, 30)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_slot(MONDAY_9, dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        slots_between(MONDAY_9, utc(2026, 1, 1), dt.datetime(2026, 2, 1))
    with pytest.raises(ValueError, match="aware"):
        ScheduleState(rule=MONDAY_9, since=dt.datetime(2026, 1, 1))


# --- slot_id --------------------------------------------------------------------------------


def test_slot_id_is_utc_at_minute_precision_whatever_the_zone() -> None:
    assert slot_id("42", utc(2026, 11, 23, 9)) == "42@2026-11-23T09:00Z"
    assert slot_id("42", london(2026, 7, 6, 9)) == "42@2026-07-06T08:00Z"
    new_york = ZoneInfo("America/New_York")
    assert slot_id("42", dt.datetime(2026, 11, 23, 4, tzinfo=new_york)) == "42@2026-11-23T09:00Z"
    assert (
        slot_id("7", dt.datetime(2026, 11, 23, 9, 5, 59, 999, tzinfo=UTC)) == "7@2026-11-23T09:05Z"
    )


# --- bank holidays --------------------------------------------------------------------------


def test_nations_map_to_subdivisions_the_holidays_package_supports() -> None:
    assert NATIONS == {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
    assert set(NATIONS.values()) <= set(holidays.country_holidays("GB").subdivisions)


@pytest.mark.parametrize(
    ("day", "nation", "expected"),
    [
        (dt.date(2026, 8, 31), "england-and-wales", True),
        (dt.date(2026, 8, 31), "scotland", False),
        (dt.date(2026, 8, 31), "northern-ireland", True),
        (dt.date(2026, 8, 3), "scotland", True),
        (dt.date(2026, 8, 3), "england-and-wales", False),
        (dt.date(2026, 12, 28), "england-and-wales", True),  # Boxing Day observed
        (dt.date(2026, 12, 28), "scotland", True),
        (dt.date(2026, 4, 6), "england-and-wales", True),  # Easter Monday
        (dt.date(2026, 4, 6), "scotland", False),
        (dt.date(2027, 12, 27), "england-and-wales", True),  # Christmas Day observed
        (dt.date(2026, 9, 7), "england-and-wales", False),
    ],
)
def test_is_bank_holiday(day: dt.date, nation: str, expected: bool) -> None:
    assert is_bank_holiday(local_slot(MONDAY_9, day), MONDAY_9, nation) is expected


def test_bank_holiday_uses_the_local_date_not_the_utc_one() -> None:
    rule = Weekly(0, dt.time(0, 30), "Europe/London")
    slot = local_slot(rule, dt.date(2026, 8, 31))
    assert slot == utc(2026, 8, 30, 23, 30)  # Sunday in UTC
    assert is_bank_holiday(slot, rule, "england-and-wales")
    sunday_rule = Weekly(6, dt.time(23, 30), "UTC")
    assert not is_bank_holiday(slot, sunday_rule, "england-and-wales")


def test_bank_holiday_sets_are_cached_per_subdivision_and_year() -> None:
    plan._bank_holidays.cache_clear()
    for day in (dt.date(2026, 8, 31), dt.date(2026, 9, 7), dt.date(2026, 12, 28)):
        is_bank_holiday(local_slot(MONDAY_9, day), MONDAY_9, "england-and-wales")
    info = plan._bank_holidays.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_unknown_nation_is_refused() -> None:
    with pytest.raises(ValueError, match="nation"):
        is_bank_holiday(utc(2026, 1, 5, 9), MONDAY_9, "wales")
    with pytest.raises(ValueError, match="nation"):
        ScheduleState(rule=MONDAY_9, since=utc(2026, 1, 1), holidays="england")


# --- decide ---------------------------------------------------------------------------------

SLOT = utc(2026, 1, 12, 9)  # a winter Monday, 09:00 London


def test_decide_posts_within_grace() -> None:
    assert decide(state(since=SLOT - HOUR), SLOT + HOUR, [], GRACE) == [Decision(SLOT, "post")]


def test_decide_posts_a_slot_exactly_grace_old() -> None:
    assert decide(state(since=SLOT - HOUR), SLOT + GRACE, [], GRACE) == [Decision(SLOT, "post")]


def test_decide_skips_a_slot_older_than_grace() -> None:
    now = SLOT + GRACE + dt.timedelta(microseconds=1)
    assert decide(state(since=SLOT - HOUR), now, [], GRACE) == [Decision(SLOT, "skip-missed")]


def test_decide_returns_nothing_before_the_slot() -> None:
    assert decide(state(since=SLOT - HOUR), SLOT - dt.timedelta(microseconds=1), [], GRACE) == []


def test_decide_covers_every_due_week_ascending() -> None:
    now = utc(2026, 1, 26, 9, 10)
    assert decide(state(), now, [], GRACE) == [
        Decision(utc(2026, 1, 5, 9), "skip-missed"),
        Decision(utc(2026, 1, 12, 9), "skip-missed"),
        Decision(utc(2026, 1, 19, 9), "skip-missed"),
        Decision(utc(2026, 1, 26, 9), "post"),
    ]


def test_decide_leaves_out_recorded_slots_in_any_zone() -> None:
    now = utc(2026, 1, 26, 9, 10)
    new_york = ZoneInfo("America/New_York")
    recorded = [london(2026, 1, 12, 9), dt.datetime(2026, 1, 26, 4, tzinfo=new_york)]
    assert [d.slot for d in decide(state(), now, recorded, GRACE)] == [
        utc(2026, 1, 5, 9),
        utc(2026, 1, 19, 9),
    ]
    assert decide(state(since=SLOT - HOUR), SLOT + HOUR, {SLOT}, GRACE) == []


def test_decide_skip_requested_applies_to_that_date_only() -> None:
    now = utc(2026, 1, 26, 9, 10)
    actions = [d.action for d in decide(state(skips=(dt.date(2026, 1, 26),)), now, [], GRACE)]
    assert actions == ["skip-missed", "skip-missed", "skip-missed", "skip-requested"]
    old_skip = dt.date(2026, 1, 12)
    actions = [d.action for d in decide(state(skips=(old_skip,)), now, [], GRACE)]
    assert actions == ["skip-missed", "skip-requested", "skip-missed", "post"]


@pytest.mark.parametrize(
    ("nation", "day", "expected"),
    [
        ("england-and-wales", 31, "skip-holiday"),
        ("scotland", 31, "post"),
        ("scotland", 3, "skip-holiday"),
        ("england-and-wales", 3, "post"),
        (None, 31, "post"),
    ],
)
def test_decide_skips_bank_holidays_of_the_chosen_nation(
    nation: str | None, day: int, expected: Verdict
) -> None:
    slot = london(2026, 8, day, 9)
    decisions = decide(state(since=slot - HOUR, holidays=nation), slot + HOUR, [], GRACE)
    assert decisions == [Decision(slot.astimezone(UTC), expected)]


def test_decide_skips_the_observed_boxing_day() -> None:
    slot = utc(2026, 12, 28, 9)
    decisions = decide(state(since=slot - HOUR, holidays="scotland"), slot + HOUR, [], GRACE)
    assert decisions == [Decision(slot, "skip-holiday")]


def test_decide_precedence_requested_then_holiday_then_missed() -> None:
    slot = utc(2026, 12, 28, 9)
    late = slot + dt.timedelta(days=1)
    on = state(since=slot - HOUR, holidays="england-and-wales")
    assert decide(on, late, [], GRACE) == [Decision(slot, "skip-holiday")]
    both = state(since=slot - HOUR, holidays="england-and-wales", skips=(slot.date(),))
    assert decide(both, slot, [], GRACE) == [Decision(slot, "skip-requested")]


def test_decide_returns_nothing_when_paused() -> None:
    paused = state(paused=True)
    assert decide(paused, utc(2026, 1, 26, 9, 10), [], GRACE) == []


def test_decide_ignores_slots_at_or_before_since() -> None:
    assert decide(state(since=SLOT), SLOT + HOUR, [], GRACE) == []
    since = SLOT - dt.timedelta(microseconds=1)
    assert decide(state(since=since), SLOT + HOUR, [], GRACE) == [Decision(SLOT, "post")]
    now = utc(2026, 1, 26, 9, 10)
    assert [d.slot for d in decide(state(since=utc(2026, 1, 13)), now, [], GRACE)] == [
        utc(2026, 1, 19, 9),
        utc(2026, 1, 26, 9),
    ]


def test_decide_looks_back_no_further_than_lookback() -> None:
    long_ago = state(since=utc(2025, 1, 1))
    now = utc(2026, 1, 26, 9, 10)  # 35 days earlier is 22 December 09:10
    default = decide(long_ago, now, [], GRACE)
    assert [d.slot for d in default] == [utc(2025, 12, 29, 9)] + [
        utc(2026, 1, day, 9) for day in (5, 12, 19, 26)
    ]
    edge = now - utc(2026, 1, 19, 9)  # a slot exactly `lookback` ago is excluded
    assert [d.slot for d in decide(long_ago, now, [], GRACE, lookback=edge)] == [
        utc(2026, 1, 26, 9)
    ]
    assert len(decide(long_ago, now, [], GRACE, lookback=dt.timedelta(weeks=10))) == 10


# --- describe_next --------------------------------------------------------------------------


def test_describe_next_is_the_next_slot() -> None:
    assert describe_next(state(), utc(2026, 8, 25)) == utc(2026, 8, 31, 8)
    assert describe_next(state(), utc(2026, 8, 31, 8)) == utc(2026, 9, 7, 8)


def test_describe_next_passes_over_bank_holidays_when_on() -> None:
    england = state(holidays="england-and-wales")
    assert describe_next(england, utc(2026, 8, 25)) == utc(2026, 9, 7, 8)
    scotland = state(holidays="scotland")
    assert describe_next(scotland, utc(2026, 8, 25)) == utc(2026, 8, 31, 8)
    assert describe_next(scotland, utc(2026, 7, 28)) == utc(2026, 8, 10, 8)


def test_describe_next_passes_over_the_requested_skip() -> None:
    skipping = state(skips=(dt.date(2026, 8, 31),))
    assert describe_next(skipping, utc(2026, 8, 25)) == utc(2026, 9, 7, 8)
    both = state(skips=(dt.date(2026, 9, 7),), holidays="england-and-wales")
    assert describe_next(both, utc(2026, 8, 25)) == utc(2026, 9, 14, 8)


def test_describe_next_passes_over_every_skipped_date() -> None:
    skipping = state(skips=(dt.date(2026, 12, 7), dt.date(2026, 12, 14), dt.date(2026, 12, 28)))
    assert describe_next(skipping, utc(2026, 12, 1)) == utc(2026, 12, 21, 9)
    assert describe_next(skipping, utc(2026, 12, 21, 10)) == utc(2027, 1, 4, 9)


def test_decide_honours_every_skipped_date_and_posts_the_rest() -> None:
    skips = (dt.date(2026, 12, 7), dt.date(2026, 12, 14), dt.date(2026, 12, 28))
    decided: dict[dt.datetime, Verdict] = {}
    for week in range(5):  # one pass each Monday at 09:05, as the timer would run it
        now = utc(2026, 12, 7, 9, 5) + week * dt.timedelta(weeks=1)
        done = list(decided)
        for d in decide(state(since=utc(2026, 12, 1), skips=skips), now, done, GRACE):
            decided[d.slot] = d.action
    assert [(s.date().isoformat(), a) for s, a in decided.items()] == [
        ("2026-12-07", "skip-requested"),
        ("2026-12-14", "skip-requested"),
        ("2026-12-21", "post"),
        ("2026-12-28", "skip-requested"),
        ("2027-01-04", "post"),
    ]


def test_a_skipped_date_is_the_local_date_in_the_rules_timezone() -> None:
    """Tuesday 00:30 in Sydney is still Monday in UTC: the skip names Sydney's date."""
    rule = Weekly(1, dt.time(0, 30), "Australia/Sydney")
    slot = local_slot(rule, dt.date(2026, 6, 9))
    assert slot.date() == dt.date(2026, 6, 8)  # Monday, in UTC
    sydney = ScheduleState(rule, slot - HOUR, skips=frozenset({dt.date(2026, 6, 9)}))
    assert decide(sydney, slot, [], GRACE) == [Decision(slot, "skip-requested")]
    assert describe_next(sydney, slot - HOUR) == slot + dt.timedelta(weeks=1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-14", dt.date(2026, 12, 14)),
        ("14 Dec", dt.date(2026, 12, 14)),
        ("14 december", dt.date(2026, 12, 14)),
        ("14th Dec 2027", dt.date(2027, 12, 14)),
        ("14/12", dt.date(2026, 12, 14)),  # UK order: day first
        ("4/1", dt.date(2027, 1, 4)),  # 4 January: already past this year, so next year's
        ("23/11", dt.date(2026, 11, 23)),  # today counts
        ("14/12/26", dt.date(2026, 12, 14)),
        ("29 Feb", dt.date(2028, 2, 29)),
        ("12/14", None),  # no 14th month
        ("31/11", None),
        ("14 Decembr", None),
        ("next monday", None),
    ],
)
def test_parse_date_reads_uk_dates(typed: str, expected: dt.date | None) -> None:
    assert plan.parse_date(typed, dt.date(2026, 11, 23)) == expected


@pytest.mark.parametrize(
    ("words", "taken"),
    [(["GMT"], 1), (["bst", "wellbeing"], 1), (["UK"], 1), (["uk", "time", "x"], 2), (["EST"], 0)],
)
def test_uk_time_is_gmt_bst_uk_or_uk_time(words: list[str], taken: int) -> None:
    assert plan.uk_time(words) == taken


def test_other_abbreviations_suggest_an_iana_name_that_exists() -> None:
    assert plan.zone_for_abbreviation("EST") == "America/New_York"
    assert plan.zone_for_abbreviation("cet") == "Europe/Paris"
    assert plan.zone_for_abbreviation("wellbeing") is None
    for suggestion in plan.ZONE_ABBREVIATIONS.values():
        for name in suggestion.split(" or "):
            assert parse_timezone(name) == name


def test_describe_next_is_none_when_paused() -> None:
    assert describe_next(state(paused=True), utc(2026, 8, 25)) is None


def test_describe_next_waits_for_since() -> None:
    resumed = state(since=utc(2026, 9, 10))
    assert describe_next(resumed, utc(2026, 8, 25)) == utc(2026, 9, 14, 8)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", dt.time(9)),
        ("9:00", dt.time(9)),
        ("17:30", dt.time(17, 30)),
        ("00:00", dt.time(0)),
        ("23:59", dt.time(23, 59)),
        ("9am", dt.time(9)),
        ("9AM", dt.time(9)),
        ("5pm", dt.time(17)),
        ("5.30pm", dt.time(17, 30)),
        ("5:30 PM", dt.time(17, 30)),
        ("12am", dt.time(0)),
        ("12pm", dt.time(12)),
        (" 9:15 ", dt.time(9, 15)),
    ],
)
def test_parse_time_accepts(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "9:60", "abc", "", "9", "13pm", "0am", "9:5", "9:00:00", "-1:00"]
)
def test_parse_time_rejects(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday", 0),
        ("Mon", 0),
        ("TUES", 1),
        ("tue", 1),
        ("weds", 2),
        ("Wednesday", 2),
        ("thur", 3),
        ("thurs", 3),
        ("thu", 3),
        ("friday", 4),
        ("sat", 5),
        ("Sunday", 6),
        ("sun", 6),
    ],
)
def test_parse_day_accepts(text: str, expected: int) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["funday", "", "m", "mondays", "7"])
def test_parse_day_rejects(text: str) -> None:
    assert parse_day(text) is None


def test_weekdays_cover_every_day_by_full_name() -> None:
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert [WEEKDAYS[name] for name in names] == list(range(7))
    assert all(WEEKDAYS[name[:3]] == i for i, name in enumerate(names))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_parse_timezone_accepts(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "", "abc", "Europe", "../etc/passwd", "/"])
def test_parse_timezone_rejects(text: str) -> None:
    assert parse_timezone(text) is None


# --- properties -----------------------------------------------------------------------------

ZONES = ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney", "UTC"]
ZONES.append("Asia/Kolkata")

rules = st.builds(
    Weekly,
    weekday=st.integers(0, 6),
    at=st.builds(dt.time, hour=st.integers(0, 23), minute=st.integers(0, 59)),
    timezone=st.sampled_from(ZONES),
)
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(UTC)
)


def _in_gap(rule: Weekly, day: dt.date) -> bool:
    """Whether the rule's wall time does not exist on `day` (it does not round-trip)."""
    wall = dt.datetime.combine(day, rule.at)
    return (
        wall.replace(tzinfo=rule.zone).astimezone(UTC).astimezone(rule.zone).replace(tzinfo=None)
        != wall
    )


@settings(max_examples=100, deadline=None)
@given(rule=rules, start=instants, weeks=st.integers(1, 60))
def test_slots_are_weekly_on_the_local_weekday(
    rule: Weekly, start: dt.datetime, weeks: int
) -> None:
    slots = slots_between(rule, start, start + dt.timedelta(weeks=weeks))
    assert weeks - 1 <= len(slots) <= weeks + 1
    assert all(start < s <= start + dt.timedelta(weeks=weeks) for s in slots)
    assert all(a < b for a, b in itertools.pairwise(slots))
    for s in slots:
        local = s.astimezone(rule.zone)
        assert local.weekday() == rule.weekday
        assert local.time() == rule.at or _in_gap(rule, local.date())
        assert local_slot(rule, local.date()) == s


@settings(max_examples=100, deadline=None)
@given(rule=rules, start=instants)
def test_next_slot_is_the_first_of_slots_between(rule: Weekly, start: dt.datetime) -> None:
    first = next_slot(rule, start)
    assert first == slots_between(rule, start, start + dt.timedelta(days=8))[0]
    assert start < first <= start + dt.timedelta(days=7, hours=1)
    following = next_slot(rule, first)
    local_first, local_next = first.astimezone(rule.zone), following.astimezone(rule.zone)
    assert local_next.date() - local_first.date() == dt.timedelta(days=7)


@settings(max_examples=100, deadline=None)
@given(rule=rules, since=instants, ago=st.integers(0, 60 * 24 * 40))
def test_decide_partitions_the_due_slots(rule: Weekly, since: dt.datetime, ago: int) -> None:
    now = since + dt.timedelta(minutes=ago)
    decisions = decide(ScheduleState(rule=rule, since=since), now, [], GRACE)
    assert [d.slot for d in decisions] == slots_between(
        rule, max(since, now - dt.timedelta(days=35)), now
    )
    assert all((d.action == "post") == (now - d.slot <= GRACE) for d in decisions)
    assert (
        decide(ScheduleState(rule=rule, since=since), now, [d.slot for d in decisions], GRACE) == []
    )
