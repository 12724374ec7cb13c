"""Derived text never carries a name or an identifier: the summary's themes and actions, and
the words related reading is looked up by, are made only from what passed the guardrail,
whatever was planted in the replies and however it was typed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.loader import bundled_content_dir, load_library
from bot.guardrail import cleaned, nhs_number_valid
from bot.reflect import summary
from bot.store.reflections import Contribution, Reflection
from tests.conftest import text_of

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
LIBRARY = load_library([bundled_content_dir()]).library
MODEL = LIBRARY.models["what-so-what-now-what"]
TOPIC = LIBRARY.topics["manager-medic"]
THREAD = Reflection(
    id=1,
    conversation="c",
    platform="console",
    channel="ops",
    workspace="T",
    thread="t",
    topic=TOPIC.slug,
    model=MODEL.slug,
    facilitator="console:T:U1",
    anonymous=False,
    step=len(MODEL.steps) - 1,
    state="closed",
    opened_at=NOW,
    closes_at=NOW,
    remind_at=None,
    next_step_at=None,
    closed_at=NOW,
)

# Names with titles, as people type them; and the words of each that must never be posted.
NAMES = {
    "Mrs Jones": {"jones"},
    "mrs jones": {"jones"},
    "Mr John Smith": {"john", "smith"},
    "patient john smith": {"john", "smith"},
    "Patient John Smith": {"john", "smith"},
    "Dr Okafor": {"okafor"},
    "Miss Priya Patel": {"priya", "patel"},
    "Mr O'Brien": {"brien"},
    "MRS NOWAK": {"nowak"},
    "Ms Aisha Brennan": {"aisha", "brennan"},
    "mrs kowalski": {"kowalski"},
}
DATES = ["DOB 12/03/1945", "born 1945-03-12", "b. 12.03.45", "date of birth 12 March 1945"]
POSTCODES = ["SW1A 1AA", "ls1 4ap", "M1 1AE", "B33 8TH"]
ORDINARY_WORDS = """
    we the and was handover rota discharge plan bed meeting consultant listened team felt
    pressure winter staffing escalation night shift family worried delay theatre list
    cancelled support learning patient ward manager huddle
"""
VOCABULARY = ORDINARY_WORDS.split()
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def said(text: str, step: int, author: str | None = "U1") -> Contribution:
    return Contribution(0, 1, step, author, author, text, NOW)


@st.composite
def nhs_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A valid NHS number, typed with random separators, full-width or zero-width
    characters; (as typed, its digits)."""
    prefix = draw(
        st.text(alphabet="0123456789", min_size=9, max_size=9).filter(
            lambda p: any(nhs_number_valid(p + last) for last in "0123456789")
        )
    )
    digits = next(prefix + last for last in "0123456789" if nhs_number_valid(prefix + last))
    separator = draw(st.sampled_from(["", " ", ".", "-", "/", "\u200b", " \u200b", "\u00a0"]))
    typed = separator.join((digits[:3], digits[3:6], digits[6:]))
    return (typed.translate(FULL_WIDTH) if draw(st.booleans()) else typed), digits


@st.composite
def replies(draw: st.DrawFn) -> tuple[list[Contribution], list[str], set[str], list[str]]:
    """Replies of ordinary words with identifiers planted among them: (the contributions,
    the planted strings, the name words, the NHS numbers' digits)."""
    planted: list[str] = []
    names: set[str] = set()
    numbers: list[str] = []
    found: list[Contribution] = []
    for step in draw(st.lists(st.integers(0, len(MODEL.steps) - 1), min_size=1, max_size=8)):
        words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=14))
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["name", "number", "date", "postcode"]))
            if kind == "name":
                item = draw(st.sampled_from(sorted(NAMES)))
                names |= NAMES[item]
            elif kind == "number":
                item, digits = draw(nhs_numbers())
                numbers.append(digits)
            else:
                item = draw(st.sampled_from(DATES if kind == "date" else POSTCODES))
            planted.append(item)
            words.insert(draw(st.integers(0, len(words))), item)
        found.append(said(" ".join(words), step, draw(st.sampled_from(["U1", "U2", "U3", None]))))
    return found, planted, names, numbers


def readable(text: str) -> str:
    """Lower case, NFKC, without format characters: as a reader would take it in."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(c for c in normal if unicodedata.category(c) != "Cf").lower()


def assert_carries_none(text: str, planted: list[str], names: set[str], numbers: list[str]) -> None:
    seen = readable(text)
    for item in planted:
        assert readable(item) not in seen, item
    for word in names:
        assert not re.search(rf"\b{word}\b", seen), word
    digits = re.sub(r"[^0-9]", "", seen)
    for number in numbers:
        assert number not in digits, number


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_nothing_planted_in_replies_reaches_the_summary_themes_actions_or_lookup(
    planted_replies: tuple[list[Contribution], list[str], set[str], list[str]],
) -> None:
    contributions, planted, names, numbers = planted_replies
    texts = [c.text for c in contributions]
    made = summary.digest(MODEL, contributions)
    reply = summary.summary_reply(THREAD, TOPIC, MODEL, contributions, made, [], 30)
    derived = [
        text_of(reply),
        " ".join(summary.key_phrases(texts)),
        " ".join(summary.actions(MODEL, contributions)),
        summary.related_query(made.themes),
    ]
    for text in derived:
        assert_carries_none(text, planted, names, numbers)


def test_the_testers_replies_leave_no_name_or_identifier_in_the_themes() -> None:
    texts = [
        "Patient John Smith, NHS number 943 476 5919, waited on the discharge plan.",
        "Mrs Jones DOB 12/03/1945 waited on the discharge plan too.",
        "The discharge plan failed john smith and mrs jones.",
    ]
    themes = summary.key_phrases(texts)
    assert "discharge plan" in themes
    for word in ("john", "smith", "jones", "nhs", "dob", "removed", "mrs"):
        assert all(word not in theme.split() for theme in themes), (word, themes)


def test_a_name_found_once_is_left_out_wherever_it_appears_in_the_thread() -> None:
    contributions = [
        said("Mrs Jones was frightened on the ward.", 0),
        said("I will ring Jones's daughter and ask about JONES at home.", 2),
    ]
    [action] = summary.actions(MODEL, contributions)
    assert "jones" not in action.lower()
    assert action.startswith("I will ring … 's daughter")


def test_the_removed_placeholder_and_talk_of_identifiers_never_become_themes() -> None:
    texts = [
        "Her NHS number [removed] was wrong on the discharge plan.",
        "The NHS number [removed] again; the postcode [removed] too, discharge plan again.",
    ]
    themes = summary.key_phrases(texts)
    assert not any(w in theme for theme in themes for w in ("nhs number", "removed", "postcode")), (
        themes
    )


def test_cleaned_text_keeps_everything_but_the_identifiers() -> None:
    clean = cleaned(["Mrs Jones at SW1A 1AA, 943.476.5919, felt unheard"])
    assert [" ".join(text.split()) for text in clean.texts] == ["… at … , … , felt unheard"]
    assert clean.names == {"jones"}
    assert clean.allows("felt unheard") and not clean.allows("jones felt")
    assert not clean.allows("nhs number") and not clean.allows("sw1a 1aa")


def test_related_reading_is_found_by_words_that_say_something() -> None:
    """Short words of the themes would find, and bold, `us` and `use` in any passage."""
    query = summary.related_query(["use of rota", "let us plan discharge"])
    assert query.split() == ["rota", "plan", "discharge"]
