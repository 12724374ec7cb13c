"""The command parser and suggestions, including property tests on arbitrary input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import NAMES
from bot.parser import clean, parse, suggest


def test_parse_command_and_args() -> None:
    parsed = parse("  Quote   winter pressures ", NAMES)
    assert (parsed.name, parsed.args, parsed.known) == ("quote", "winter pressures", True)


def test_aliases_map_to_lookup() -> None:
    assert parse("search a", NAMES).name == "lookup"
    assert parse("FIND a", NAMES).name == "lookup"


def test_prefix_and_invisible_characters_are_removed() -> None:
    parsed = parse("/rounds \u200bhelp\u200d  lookup", NAMES)
    assert (parsed.name, parsed.args) == ("help", "lookup")
    assert clean("a\x00b\u200fc") == "abc"


def test_unknown_command_is_reported_with_what_was_typed() -> None:
    parsed = parse("Qoute x", NAMES)
    assert not parsed.known and parsed.typed == "Qoute"


def test_suggestions_rank_prefix_and_typos() -> None:
    assert suggest("qoute", NAMES)[0] == "quote"
    assert suggest("look", NAMES)[0] == "lookup"
    assert suggest("topcis", NAMES)[0] == "topics"
    assert suggest("zzzzzz", NAMES) == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_never_raises(text: str) -> None:
    parsed = parse(text, NAMES)
    assert parsed.known or parsed.name == parsed.typed.lower()
    suggest(parsed.typed, NAMES)


def test_clean_is_idempotent_when_a_joiner_sits_before_an_accent() -> None:
    from bot.parser import clean

    once = clean("e\u200d\u0301")
    assert once == "é" and clean(once) == once
