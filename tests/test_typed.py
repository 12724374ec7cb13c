"""Commands typed as they must be where a reply is read (issue 22): `/rounds …` in Slack,
`@Rounds …` in a Teams channel, as they are in a 1:1 chat; other code is left alone."""

from __future__ import annotations

from bot.content.model import Library
from bot.replies import Heading, Item, Note, Paragraph, Reply, Span, plain
from bot.typed import as_typed, command_words, is_command, typed


def test_commands_get_the_invocation_and_other_code_does_not() -> None:
    text = "Try `help lookup`, `lookup topic:<slug>`, `manager-medic` or `closes 3d`."
    assert typed(text, "/rounds ") == (
        "Try `/rounds help lookup`, `/rounds lookup topic:<slug>`, `manager-medic` or `closes 3d`."
    )
    assert typed(text, "") == text


def test_every_text_of_a_reply_is_typed_but_its_heading() -> None:
    reply = Reply(
        kind="help",
        blocks=(
            Heading("Help"),
            Paragraph((Span("Type "), Span("`quote`", bold=True))),
            Note("Or `read 3`."),
            Item(title="read", meta="Example: `read 3`", body=plain("then `articles`")),
        ),
        summary="Type `help`.",
    )
    said = as_typed(reply, "@Rounds ")
    assert said.blocks[0] == Heading("Help")
    assert said.blocks[1] == Paragraph((Span("Type "), Span("`@Rounds quote`", bold=True)))
    assert said.blocks[2] == Note("Or `@Rounds read 3`.")
    assert said.blocks[3] == Item(
        "read", "Example: `@Rounds read 3`", plain("then `@Rounds articles`")
    )
    assert said.summary == "Type `@Rounds help`."
    assert as_typed(reply, "") is reply


def test_no_topic_or_model_is_named_like_a_command(library: Library) -> None:
    """A topic's slug in code is never taken for a command."""
    names = {*library.topics, *(a for t in library.topics.values() for a in t.aliases)}
    names |= set(library.models)
    assert not {n.lower() for n in names} & command_words()
    assert is_command("forget-me confirm") and not is_command("wellbeing")
