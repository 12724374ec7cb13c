"""The content library: the shipped one is sound, a broken one is reported clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.content.loader import bundled_content_dir, load_library
from bot.content.model import Library, normalise_space

# the seed articles the library was made from (copied from the shared seeds: the articles' source)
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
CHROME = (
    "Contact us today",
    "Registered in England and Wales",
    "Apply Now",
    "To learn more about",
    "min read",
    "intended for healthcare professionals only",
    "@",
)


def test_shipped_library_has_what_the_product_needs(library: Library) -> None:
    assert len(library.articles) == 13
    assert len(library.topics) >= 8
    assert len(library.quotes) >= 40
    assert len(library.prompts) >= 48
    assert {"what-so-what-now-what", "gibbs", "tweet-chat"} <= set(library.models)
    assert library.topics["manager-medic"].flagship
    assert len(library.models["gibbs"].steps) == 6
    assert library.models["tweet-chat"].interval_minutes


def test_every_topic_has_articles_quotes_and_at_least_four_prompts(library: Library) -> None:
    per_topic = Counter(p.topic for p in library.prompts.values())
    for slug, topic in library.topics.items():
        assert topic.description and topic.aliases, slug
        assert library.articles_for_topic(slug), slug
        assert library.quotes_for_topic(slug), slug
        assert per_topic[slug] >= 4, slug


def test_blog_roll_is_split_into_nine_dated_articles(library: Library) -> None:
    roll = [a for a in library.articles.values() if a.date and a.date.year == 2023]
    # the ninth, the first BMJ Leader blog, is undated: its listing date is a later repost's
    assert len(roll) >= 8 and library.articles["managers-value-you"].date is None
    assert len({a.title for a in library.articles.values()}) == 13


def test_named_speakers_are_credited(library: Library) -> None:
    speakers = {q.speaker for q in library.quotes.values()}
    assert {"Rachna Vyas", "Emma McGuigan", "Charlotte Williams"} <= speakers


def test_every_article_is_clean_and_quoted(library: Library) -> None:
    quoted = {q.article for q in library.quotes.values()}
    for article in library.articles.values():
        for chrome in CHROME:
            assert chrome not in article.body, f"{article.id}: {chrome!r}"
        assert article.id in quoted, f"{article.id} has no quote"


def test_article_paragraphs_come_from_the_seeds(library: Library) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert files, f"no seed articles in {SEEDS}"
    seeds = normalise_space(" ".join(p.read_text() for p in files))
    for article in library.articles.values():
        for paragraph in article.paragraphs:
            assert paragraph in seeds, f"{article.id}: {paragraph[:60]!r}"


def test_quotes_are_verbatim(library: Library) -> None:
    for quote in library.quotes.values():
        body = normalise_space(library.articles[quote.article].body)
        assert normalise_space(quote.text) in body, quote.id


BROKEN_ARTICLE = """+++
id = "broken-article"
title = "A broken article"
authors = "not a list"
date = "last tuesday"
source = "Nowhere"
topics = ["no-such-topic"]
summary = "x"
+++
Some text.
"""

GOOD_ARTICLE = """+++
id = "local-article"
title = "Our own article"
authors = ["A Writer"]
date = 2024-02-01
source = "Our trust intranet"
topics = ["manager-medic"]
summary = "An article an organisation adds."
+++
Managers and medics meet every Tuesday to plan the week together.
"""


def write_broken(folder: Path) -> None:
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "broken-article.md").write_text(BROKEN_ARTICLE)
    (folder / "articles" / "local-article.md").write_text(GOOD_ARTICLE)
    (folder / "articles" / "no-front-matter.md").write_text("Just text.\n")
    (folder / "quotes.toml").write_text(
        '[[quote]]\nid = "q-local"\narticle = "local-article"\nspeaker = "A Writer"\n'
        'text = "Managers and medics meet every Wednesday"\ntopics = ["manager-medic"]\n'
        '[[quote]]\nid = "q-ghost"\narticle = "no-such-article"\nspeaker = "X"\n'
        'text = "x"\ntopics = ["manager-medic"]\n'
    )
    (folder / "prompts.toml").write_text(
        '[[prompt]]\nid = "p-local"\ntopic = "manager-medic"\nquote = "q-local"\n'
        'text = "What do you plan together?"\n'
        '[[prompt]]\nid = "p-no-text"\ntopic = "manager-medic"\nquote = "q-local"\n'
    )
    (folder / "topics.toml").write_text("[[topic]\nslug = ")


def test_broken_folder_reports_each_problem_with_file_and_field(tmp_path: Path) -> None:
    write_broken(tmp_path)
    result = load_library([bundled_content_dir(), tmp_path])
    lines = [str(p) for p in result.problems]
    expected = [
        ("broken-article.md", "authors"),
        ("no-front-matter.md", "front matter"),
        ("quotes.toml", "quote q-local: text: not found verbatim"),
        ("quotes.toml", "quote q-ghost: article"),
        ("prompts.toml", "prompt p-no-text: text: missing"),
        ("prompts.toml", "prompt p-local: quote"),
        ("topics.toml", "file: cannot be read"),
    ]
    for file, field in expected:
        assert any(file in line and field in line for line in lines), (file, field, lines)
    assert len(lines) == len(expected), lines
    library = result.library
    assert "local-article" in library.articles  # the good article still loads
    assert "q-local" not in library.quotes and "p-local" not in library.prompts
    assert len(library.quotes) >= 40  # the bundled library is untouched


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    source = next((bundled_content_dir() / "articles").glob("*.md"))
    (tmp_path / "articles" / source.name).write_text(source.read_text())
    result = load_library([bundled_content_dir(), tmp_path])
    [problem] = result.problems
    assert "duplicate" in problem.message and source.name in problem.file


def check(*dirs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rounds.cli", "content", "check", *map(str, dirs)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "ROUNDS_CONTENT_DIRS"},
    )


def test_content_check_command_passes_on_shipped_library() -> None:
    done = check()
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("content OK: 13 articles")


def test_content_check_command_fails_with_one_line_per_problem(tmp_path: Path) -> None:
    write_broken(tmp_path)
    done = check(tmp_path)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 7 and all(str(tmp_path) in line for line in lines)
    assert "7 problem(s)" in done.stderr


def test_content_check_names_a_missing_folder(tmp_path: Path) -> None:
    done = check(tmp_path / "nope")
    assert done.returncode == 1 and "not found" in done.stdout


def test_an_undated_article_says_so() -> None:
    from bot.content.model import Quote
    from bot.format import attribution

    result = load_library([bundled_content_dir()])
    undated = [a for a in result.library.articles.values() if a.date is None]
    assert [a.id for a in undated] == ["digital-leadership-diversity", "managers-value-you"]
    quote = Quote("q", undated[0].id, "x", "Helen Marshall and Andrew Gillen")
    assert attribution(quote, undated[0]).endswith(", undated")


def test_the_server_logs_a_folder_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A folder on ROUNDS_CONTENT_DIRS with a file Rounds does not read is named in the log
    when the bot starts (not only by `rounds content check`)."""
    from rounds.assembly import load_content
    from rounds.settings import Settings

    (tmp_path / "notes.txt").write_text("not content")
    with caplog.at_level("WARNING", logger="rounds"):
        result = load_content(Settings(content_dirs=(tmp_path,)))
    assert result.library.articles  # the bundled library still loads
    assert any("content warning" in r.message and "notes.txt" in r.message for r in caplog.records)
