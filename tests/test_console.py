"""The console adapter: pure rendering, and the real `rounds console` over a pipe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from adapters.console.render import render, to_event
from bot import messages as m
from bot.events import Action, Command, Conversation, Message, Person
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


def test_a_reply_line_names_its_reflection_by_number() -> None:
    said = to_event(">#2  We agreed it.", PERSON, HERE, [])
    assert said == Message(HERE, PERSON, "We agreed it.", reflection=2)
    assert to_event("> We agreed it.", PERSON, HERE, []) == Message(HERE, PERSON, "We agreed it.")
    assert to_event(">#2", PERSON, HERE, []) == Message(HERE, PERSON, "", reflection=2)
    assert to_event(">#2nd try", PERSON, HERE, []) == Message(HERE, PERSON, "#2nd try")


def run_console(
    lines: str, tmp_path: Path, user: str = "sam", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", **env}
    return subprocess.run(
        [sys.executable, "-m", "rounds.cli", "console", "--user", user, "--channel", "ops"],
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
    assert "[1] Another   [2] Share   [3] Discuss" in out
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
    assert "Reflection: Manager–medic collaboration\nWhat? So what? Now what? · closes" in out
    # the facilitator's controls, numbered on from the opening's one button
    assert "[1] Contribute anonymously" in out
    assert "[2] Next question   [3] Close and sum up" in out
    assert "Your reply is in the thread of reflection #1, Manager–medic collaboration." in out
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
    lines = "reflect start manager-medic\n>\n>    \n>#1\n>#1   \nreflect close\n"
    done = run_console(lines, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("That reply was empty, so nothing was added to the thread.") == 4
    assert "Your reply is in the thread" not in out
    assert "[your reply is in the reflection thread" not in out
    assert "No one replied in this thread." in out  # nothing was stored


def transcript_of(out: str, number: int) -> str:
    return out.split(f"--- reflection-{number}-", 1)[1].split("\n---\n", 1)[0]


def test_a_reply_goes_to_the_reflection_it_names_and_says_which(tmp_path: Path) -> None:
    lines = [
        "reflect start wellbeing",
        "reflect start manager-medic",
        ">#1 Rest breaks keep getting skipped.",
        "> We agreed the discharge plan together.",
        ">#9 Nowhere to go.",
        "reflect close",  # the newest, #2
        "> Breaks are now on the rota.",  # the newest open one is #1 again
        ">#2 Too late for this one.",
        "reflect close #1",
    ]
    out = run_console("\n".join(lines) + "\n", tmp_path).stdout
    assert out.count("Your reply is in the thread of reflection #1, Staff wellbeing") == 2
    assert out.count("Your reply is in the thread of reflection #2, Manager–medic") == 1
    assert "There is no reflection #9 in this channel." in out
    assert "Reflection #2 has already closed." in out
    first, second = transcript_of(out, 1), transcript_of(out, 2)
    assert "Rest breaks keep getting skipped." in first and "Breaks are now on the rota." in first
    assert "We agreed the discharge plan together." in second
    assert "Too late" not in first + second and "Nowhere" not in first + second


def test_numbers_press_the_newest_buttons_and_say_when_they_cannot(tmp_path: Path) -> None:
    lines = ["7", "reflect start wellbeing", "quote", "4", "reflect start manager-medic"]
    lines += ["reflect close", "1", ""]  # the newest buttons are #2's evaluation: 1 to 5
    out = run_console("\n".join(lines) + "\n", tmp_path).stdout
    assert "There is no button [7]: no buttons have been shown yet." in out
    assert "There is no button [4]. Numbers press the newest buttons shown:\n[1] Another" in out
    assert "you> 1\nYour evaluation\nThanks — your answer is anonymous." in out
    assert out.rstrip().endswith(m.CONSOLE_FORM_CANCELLED)
    assert "I don't know the command" not in out


def test_cancel_or_an_empty_line_leaves_the_anonymous_form(tmp_path: Path) -> None:
    lines = ["reflect start wellbeing", "1", "cancel", "1", "", "1", "Cancel", "reflect close"]
    out = run_console("\n".join(lines) + "\n", tmp_path).stdout
    assert out.count("Cancelled: nothing was posted.") == 3
    assert "Anonymous contribution\n" not in out and "I don't know the command" not in out
    assert "- Contributions: 0" in transcript_of(out, 1)


def test_the_transcript_comes_with_its_chart_as_a_png_from_three_people(tmp_path: Path) -> None:
    """Three people reply (one console each, one after another, on one database); the
    facilitator's transcript says where the chart of named contributions per question was
    saved, a PNG. With two people it would carry no chart (the counts rule)."""
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    run_console("reflect start manager-medic\n> We agreed the plan.\n", tmp_path, user="ann")
    for person in ("bob", "cat"):
        said = run_console(f">#1 My view as {person}.\n", tmp_path, user=person)
        assert "Your reply is in the thread of reflection #1" in said.stdout, said.stderr
    done = run_console("reflect close #1\n", tmp_path, user="ann", TMPDIR=str(pictures))
    assert done.returncode == 0, done.stderr
    [saved] = re.findall(r"\[chart saved to (.+\.png)\]", done.stdout)
    assert Path(saved).read_bytes().startswith(b"\x89PNG") and Path(saved).parent.parent == pictures
    assert "Named contributions per question, reflection #1" in done.stdout
