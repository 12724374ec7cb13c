"""The pure parts of reflection threads: durations and timetables, key phrases, counting
people, actions and the transcript."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Library
from bot.context import Context
from bot.events import Conversation, Person
from bot.handlers.reflect import parse_start
from bot.identity import identity_of, key_of, parse
from bot.reflect.opening import Opening
from bot.reflect.summary import actions, counts, key_phrases, people, shorten, transcript
from bot.reflect.timing import LONGEST, SHORTEST, describe, parse_duration, timetable
from bot.store.reflections import Contribution, Reflection

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
LIBRARY = load_library([bundled_content_dir()]).library


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("90m", dt.timedelta(minutes=90)),
        ("2h", dt.timedelta(hours=2)),
        ("3d", dt.timedelta(days=3)),
        ("1w", dt.timedelta(weeks=1)),
        ("3 days", dt.timedelta(days=3)),
        ("1 HOUR", dt.timedelta(hours=1)),
        ("5m", None),  # shorter than ten minutes
        ("31d", None),  # longer than thirty days
        ("soon", None),
        ("3x", None),
        ("", None),
    ],
)
def test_durations(typed: str, expected: dt.timedelta | None) -> None:
    assert parse_duration(typed) == expected


@given(st.text(max_size=20))
def test_any_duration_text_is_read_or_refused_within_bounds(typed: str) -> None:
    found = parse_duration(typed)
    assert found is None or SHORTEST <= found <= LONGEST


def test_durations_are_described_in_their_largest_whole_unit() -> None:
    assert describe(dt.timedelta(days=3)) == "3 days"
    assert describe(dt.timedelta(hours=1)) == "1 hour"
    assert describe(dt.timedelta(minutes=90)) == "90 minutes"
    assert describe(dt.timedelta(weeks=2)) == "2 weeks"


def test_timetables(library: Library) -> None:
    rolfe, chat = library.models["what-so-what-now-what"], library.models["tweet-chat"]
    long = timetable(rolfe, NOW, dt.timedelta(days=3))
    assert (long.closes_at, long.remind_at, long.next_step_at) == (
        NOW + dt.timedelta(days=3),
        NOW + dt.timedelta(days=2),
        None,
    )
    live = timetable(chat, NOW, dt.timedelta(minutes=50))
    assert live.remind_at == NOW + dt.timedelta(minutes=40)
    assert live.next_step_at == NOW + dt.timedelta(minutes=10)


def said(text: str, author: str | None = "U1", step: int = 0) -> Contribution:
    return Contribution(0, 1, step, author, author and author.lower(), text, NOW)


def test_people_are_the_named_authors_anonymous_words_prove_no_one_more() -> None:
    assert people([]) == 0
    assert people([said("a", "U1"), said("b", "U1"), said("c", "U2")]) == 2
    assert people([said("a", None), said("b", None), said("c", "U2")]) == 1
    assert counts([said("a", "U1"), said("b", "U2"), said("c", None)]) is None


@given(
    st.lists(
        st.tuples(st.sampled_from(["U1", "U2", "U3", "U4", None]), st.text(min_size=1)),
        max_size=30,
    )
)
def test_counts_never_name_more_people_than_can_be_told_apart(
    replies: list[tuple[str | None, str]],
) -> None:
    """For any mix of named and anonymous replies: the people said are the distinct named
    authors, at least three of them, and anonymous replies are never counted as people."""
    found = [said(text, author) for author, text in replies]
    sentence = counts(found)
    distinct = {author for author, _ in replies if author}
    if len(distinct) < 3:
        assert sentence is None
        return
    assert sentence is not None
    named = sum(1 for author, _ in replies if author)
    assert sentence.startswith(f"{named} named contributions from {len(distinct)} people.")
    anonymous = len(replies) - named
    assert ("anonymous" in sentence) is bool(anonymous)


def test_key_phrases_prefer_what_several_people_said() -> None:
    replies = [
        "The discharge plan slipped because nobody owned the bed meeting.",
        "The bed meeting is where managers get blamed.",
        "Our discharge plan works when the consultant joins the bed meeting.",
    ]
    found = key_phrases(replies)
    assert found[0] == "bed meeting" and "discharge plan" in found
    assert len({w for phrase in found for w in phrase.split()}) == sum(
        len(p.split()) for p in found
    )  # no word repeated across themes
    assert key_phrases([]) == [] and key_phrases(["   "]) == []


def test_redacted_identifiers_never_become_themes() -> None:
    found = key_phrases(["Patient [removed] waited.", "Patient [removed] was moved."])
    assert not any("removed" in phrase for phrase in found)


def test_actions_are_the_answers_to_the_last_question(library: Library) -> None:
    model = library.models["what-so-what-now-what"]
    contributions = [said("What happened.", step=0), said("I will call the ward.", step=2)]
    assert actions(model, contributions) == ["I will call the ward."]
    assert shorten("word " * 100, 20) == "word word word word…"


def test_the_transcript_names_no_one_behind_anonymous_contributions(library: Library) -> None:
    thread = Reflection(
        1, "c", "console", "ops", "T", "t", "manager-medic", "what-so-what-now-what",
        "U1", False, 1, "closed", NOW, NOW, None, None, NOW,
    )  # fmt: skip
    text = transcript(
        thread,
        library.topics["manager-medic"],
        library.models["what-so-what-now-what"],
        [said("Named.", "U1"), said("Unnamed.", None, step=1)],
        "Europe/London",
    )
    assert "- **u1**: Named." in text and "- **Anonymous**: Unnamed." in text
    assert "- Opened: Monday 23 November 2026, 10:00" in text  # as every time is shown
    assert "## Q2 (So what?)" in text and "## Q3" not in text  # not asked yet


WORDS = st.sampled_from(
    ["manager-medic", "gibbs", "tweet-chat", "closes", "3d", "2", "hours", "anonymous", "x", ""]
)


@given(st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=6))
def test_reflect_start_arguments_are_read_or_refused_never_crash(words: list[str]) -> None:
    ctx = Context(LIBRARY, index=None, store=None)  # type: ignore[arg-type]  # parsing only
    parsed = parse_start(ctx, [w for w in words if w.strip()])
    assert isinstance(parsed, str | Opening)
    if isinstance(parsed, Opening):
        assert SHORTEST <= parsed.duration <= LONGEST
        assert parsed.topic.slug in LIBRARY.topics and parsed.model.slug in LIBRARY.models


def test_a_transcript_shows_peoples_markdown_as_typed() -> None:
    """A spoofed link, an image, emphasis or HTML someone typed is text in the transcript."""
    spoof = "See [NHS login](https://evil.example/) ![x](https://evil.example/p.png) <b>*hi*</b>"
    reflection = Reflection(
        1, "console:local:ops", "console", "ops", "local", "t", "manager-medic", "gibbs",
        "console:local:sam", False, 0, "closed", NOW, NOW, None, None, NOW,
    )  # fmt: skip
    library = load_library([bundled_content_dir()]).library
    model = library.models["gibbs"]
    topic = library.topics["manager-medic"]
    found = [said(spoof, "console:local:sam_[x](y)")]
    text = transcript(reflection, topic, model, found, "Europe/London")
    line = next(line for line in text.splitlines() if "NHS login" in line)
    assert "](" not in line.replace("\\](", "")  # no link or image is formed
    assert "\\[NHS login\\]" in line and "\\<b\\>\\*hi\\*\\</b\\>" in line
    assert line.startswith("- **console:local:sam\\_\\[x\\](y)**: ")  # the name too


@given(st.sampled_from(["slack", "teams", "console"]), st.text(max_size=12), st.text(max_size=12))
def test_a_persons_key_is_their_identity_key(platform: str, workspace: str, user: str) -> None:
    where, who = Conversation(platform, "C1", workspace), Person(user)
    found = identity_of(where, who)
    assert key_of(where, who) == (found.key if found else None)
    assert found is None or parse(found.key) == found or ":" in workspace
