"""The commands' one declaration (bot/commands.py) and what must agree with it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands import SPECS
from bot.core import COMMANDS, IN_MEMORY, NAMES

README = Path(__file__).resolve().parents[1] / "README.md"
WORD = re.compile(r"^[a-z?][a-z-]*$")


def test_every_name_and_alias_is_one_lower_case_word_and_means_one_command() -> None:
    """The parser lower-cases the first word and looks it up: anything else never matches."""
    words = [word for c in SPECS for word in (c.name, *c.aliases)]
    assert len(words) == len(set(words)), f"said twice: {words}"
    assert all(WORD.match(word) for word in words), words
    assert {word: c.name for c in SPECS for word in (c.name, *c.aliases)} == NAMES


def test_the_dispatch_tables_are_the_declaration() -> None:
    assert list(COMMANDS) == [c.name for c in SPECS]
    assert all(COMMANDS[c.name] is c.handler for c in SPECS)
    assert {c.name for c in SPECS if c.in_memory} == IN_MEMORY


def test_every_example_and_hint_is_its_own_command() -> None:
    for command in SPECS:
        assert command.usage.split()[0] == command.name
        assert command.example.split()[0] == command.name
        assert command.hint is None or command.hint.split()[0] == command.name


def readme_commands() -> dict[str, set[str]]:
    """The README's command table: each command with the aliases its rows give."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| command | what it does |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    found: dict[str, set[str]] = {}
    for row in table.splitlines():
        first = row.split(" | ", 1)[0]
        name = re.findall(r"`([^`]+)`", first)[0].split()[0]
        also = re.search(r"\(also ([^)]*)\)", first)
        found.setdefault(name, set()).update(re.findall(r"`([^`]+)`", also[1]) if also else ())
    return found


def test_the_readme_table_lists_exactly_the_declared_commands_and_aliases() -> None:
    assert readme_commands() == {c.name: set(c.aliases) for c in SPECS}
