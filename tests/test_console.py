"""The console adapter: pure rendering, and the real `rounds console` over a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.console.render import render, to_event
from bot.events import Action, Command, Conversation, Person
from bot.replies import Button, Heading, Item, Note, Paragraph, QuoteBlock, Reply, Span, Visibility

PERSON = Person("U1", "alice")
HERE = Conversation("console", "general")


def test_quote_renders_in_curly_quotes_then_attribution() -> None:
    reply = Reply(
        kind="quote",
        blocks=(QuoteBlock("we’ve done it before, we can do it again.", "Emma McGuigan, in “T”"),),
        buttons=(Button("Another", "quote.another"), Button("Share in channel", "share.quote")),
    )
    lines = render(reply, "general").splitlines()
    assert lines[0] == "“we’ve done it before, we can do it again.”"
    assert lines[1] == "— Emma McGuigan, in “T”"
    assert lines[2] == "[1] Another   [2] Share in channel"


def test_long_quote_wraps_without_breaking_words() -> None:
    text = " ".join(["collaboration"] * 30)
    out = render(Reply(kind="quote", blocks=(QuoteBlock(text, "Someone"),)), "g")
    assert all(len(line) <= 88 for line in out.splitlines())
    assert " ".join(out.replace("“", "").replace("”", "").split()).startswith(text)


def test_every_block_kind_and_visibility_render() -> None:
    reply = Reply(
        kind="lookup",
        blocks=(
            Heading("Title"),
            Paragraph((Span("the "), Span("triumvirate", bold=True), Span(" model"))),
            Item("1. Article", "Author · 1 May 2023", (Span("snippet"),)),
            Note("small print"),
        ),
        visibility=Visibility.CHANNEL,
    )
    out = render(reply, "ops")
    assert out.splitlines()[0] == "[posted in #ops]"
    assert "the **triumvirate** model" in out
    assert "   Author · 1 May 2023" in out and "   snippet" in out and "small print" in out


def test_numbers_press_buttons_of_the_last_reply() -> None:
    buttons = [Button("Another", "quote.another", "winter")]
    assert to_event("1", PERSON, HERE, buttons) == Action(HERE, PERSON, "quote.another", "winter")
    assert to_event("2", PERSON, HERE, buttons) == Command(HERE, PERSON, "2")
    assert to_event("quote", PERSON, HERE, buttons) == Command(HERE, PERSON, "quote")
    assert to_event("   ", PERSON, HERE, buttons) is None


def run_console(lines: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", **env}
    return subprocess.run(
        [sys.executable, "-m", "rounds.cli", "console", "--user", "sam", "--channel", "ops"],
        input=lines,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_console_over_a_pipe(tmp_path: Path) -> None:
    done = run_console("/rounds quote winter\n2\nlookup triumverate\nqoute\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr  # the scheduler stops cleanly too
    out = done.stdout
    assert "you> /rounds quote winter" in out
    quote_line = next(line for line in out.splitlines() if line.startswith("“"))
    assert quote_line and "\n— " in out
    assert "[1] Another   [2] Share in channel   [3] Discuss" in out
    assert "[posted in #ops]" in out and "Shared by sam" in out
    assert "Showing results for “triumvirate”" in out and "**triumvirate**" in out.lower()
    assert "Did you mean `quote`" in out


def test_console_with_a_broken_extra_folder_still_answers(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "articles").mkdir(parents=True)
    (extra / "articles" / "broken.md").write_text("no front matter here\n")
    (extra / "quotes.toml").write_text("this is [not toml\n")
    done = run_console("topics\n", tmp_path, ROUNDS_CONTENT_DIRS=str(extra))
    assert done.returncode == 0
    assert "Manager–medic collaboration" in done.stdout
    assert "broken.md" in done.stderr and "quotes.toml" in done.stderr


def test_console_exits_cleanly_on_empty_input(tmp_path: Path) -> None:
    done = run_console("", tmp_path)
    assert done.returncode == 0 and done.stdout == ""


def test_a_reflection_from_start_to_summary_in_the_console(tmp_path: Path) -> None:
    lines = [
        "/rounds reflect start manager-medic closes 2h",
        "> The ops manager and I agreed the discharge plan together.",
        "reflect next",
        "> Patient 943 476 5919 waited, and the discharge plan slipped.",
        "1",  # Contribute anonymously, on the question just posted
        "I felt the discharge plan was mine alone.",
        "reflect next",
        "> I will ask the general manager to join our huddle.",
        "reflect close",
    ]
    done = run_console("\n".join(lines) + "\n", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Reflection: Manager–medic collaboration · What? So what? Now what?" in out
    assert "[your reply is in the reflection thread in #ops]" in out
    assert "So what? (Q2 of 3)" in out and "Now what? (Q3 of 3)" in out
    assert "looks like it contains an NHS number" in out
    assert "Type your contribution on the next line" in out
    assert "Anonymous contribution\nI felt the discharge plan was mine alone." in out
    assert "Summary: Manager–medic collaboration" in out and "Themes:" in out
    assert "• I will ask the general manager to join our huddle." in out
    transcript = out.split("--- reflection-1-manager-medic.md ---", 1)[1]
    assert "- **sam**: The ops manager and I agreed" in transcript
    assert "- **Anonymous**: I felt the discharge plan was mine alone." in transcript
    assert "Patient \\[removed\\] waited" in transcript and "943 476 5919" not in transcript


def test_a_bare_admin_is_warned_about_at_start_and_still_works(tmp_path: Path) -> None:
    done = run_console("schedule weekly monday 09:00\n", tmp_path, ROUNDS_ADMINS="slack:U0A, sam")
    assert done.returncode == 0, done.stderr
    warning = "rounds: warning: ROUNDS_ADMINS: 'sam' is taken as 'console:sam'; write it so\n"
    assert done.stderr.startswith(warning) and done.stderr.count("warning") == 1
    assert "Weekly prompt set" in done.stdout  # `sam` in the console is the admin


def test_the_deploy_kits_admin_placeholder_stops_the_console(tmp_path: Path) -> None:
    done = run_console("help\n", tmp_path, ROUNDS_ADMINS="slack:U0REPLACEME")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "ROUNDS_ADMINS still holds the deploy kit's placeholder" in line


def test_an_empty_reply_is_refused_not_confirmed(tmp_path: Path) -> None:
    done = run_console("reflect start manager-medic\n>\n>    \nreflect close\n", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("That reply was empty, so nothing was added to the thread.") == 2
    assert "[your reply is in the reflection thread" not in out
    assert "No one replied in this thread." in out  # nothing was stored
