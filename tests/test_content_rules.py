"""`rounds content check`'s rules for an organisation's own library: credits the article
supports, titles without bylines, dates that fit the text, nothing promotional grounding what
is offered unasked, and folders holding only what Rounds reads. Each fixture is a small,
self-contained content folder, so the rules are tested apart from the bundled library."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import LoadResult, load_library
from bot.content.validate import fold, split_names

ARTICLE = """+++
id = "{id}"
title = "{title}"
authors = {authors}
date = {date}
source = "Our trust intranet"
topics = ["teams"]
summary = "Our own summary."
{extra}
+++
Ann Writer met Sam O’Neil‑Smith on Monday. One of the medically trained participants in the
chat said the managers they had met were the most patient-focused people.

“We plan the week together,” said Sam O’Neil‑Smith.

{more}
"""

TOPICS = """[[topic]]
slug = "teams"
title = "Teams"
description = "Working together."
aliases = ["teamwork"]
framing_quote = "{framing}"
"""

QUOTE = """[[quote]]
id = "{id}"
article = "{article}"
speaker = "{speaker}"
text = "{text}"
topics = ["teams"]
{extra}
"""

PROMPT = """[[prompt]]
id = "p-plan"
topic = "teams"
quote = "{quote}"
text = "What do you plan together?"
"""

PLAN = "We plan the week together,"


def article(
    folder: Path,
    id: str = "good",
    title: str = "Why teams need managers",
    authors: str = '["Ann Writer", "Bo Author"]',
    date: str = "2023-11-02",
    extra: str = "",
    more: str = "",
) -> None:
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    text = ARTICLE.format(id=id, title=title, authors=authors, date=date, extra=extra, more=more)
    (folder / "articles" / f"{id}.md").write_text(text)


def library_folder(
    folder: Path,
    quotes: list[str] | None = None,
    grounding: str = "q-plan",
    framing: str = "q-plan",
) -> Path:
    """A sound folder (unless told otherwise): one article, quotes, a topic, a prompt."""
    if not (folder / "articles" / "good.md").exists():
        article(folder)
    plan = QUOTE.format(
        id="q-plan", article="good", speaker="Sam O'Neil-Smith", text=PLAN, extra=""
    )
    (folder / "quotes.toml").write_text("\n".join([plan, *(quotes or [])]))
    (folder / "topics.toml").write_text(TOPICS.format(framing=framing))
    (folder / "prompts.toml").write_text(PROMPT.format(quote=grounding))
    return folder


def quote(
    speaker: str, id: str = "q-x", text: str = PLAN, article: str = "good", extra: str = ""
) -> str:
    return QUOTE.format(id=id, article=article, speaker=speaker, text=text, extra=extra)


def lines(result: LoadResult) -> list[str]:
    return [str(p) for p in result.problems]


def only_problem(result: LoadResult, file: str, where: str) -> str:
    [line] = lines(result)
    assert file in line and f": {where}: " in line, line
    return line


def test_the_fixture_is_sound(tmp_path: Path) -> None:
    result = load_library([library_folder(tmp_path)])
    assert result.ok and not result.warnings, lines(result)
    assert set(result.library.prompts) == {"p-plan"}


# a. the speaker is named (or described) by the article; reporters are authors or named


def test_names_are_split_and_folded() -> None:
    assert split_names("Ann, Bo and Cy") == ["Ann", "Bo", "Cy"]
    assert split_names("Dan Hughes and Paul St. Georges") == ["Dan Hughes", "Paul St. Georges"]
    assert fold("Sam  O’Neil‑Smith") == fold("sam o'neil-smith")


@pytest.mark.parametrize(
    "speaker",
    [
        "Sam O'Neil-Smith",  # in the text, with typographic apostrophe and hyphen
        "SAM O’NEIL‑SMITH",
        "Ann Writer",  # an author (and named in the text)
        "Bo Author and Ann Writer",  # the byline, in either order
        "Ann Writer, Bo Author and Sam O'Neil-Smith",
    ],
)
def test_a_speaker_the_article_names_passes(tmp_path: Path, speaker: str) -> None:
    result = load_library([library_folder(tmp_path, [quote(speaker)])])
    assert result.ok, lines(result)


@pytest.mark.parametrize(
    ("speaker", "missing"),
    [
        ("Jo Nobody", "Jo Nobody"),
        ("Ann Writer, Jo Nobody and Bo Author", "Jo Nobody"),
        ("Ann Writ", "Ann Writ"),  # part of a name is not the name
        ("Distilled Post", "Distilled Post"),
    ],
)
def test_a_speaker_the_article_does_not_name_is_refused(
    tmp_path: Path, speaker: str, missing: str
) -> None:
    result = load_library([library_folder(tmp_path, [quote(speaker)])])
    line = only_problem(result, "quotes.toml", "quote q-x: speaker")
    assert f"'{missing}' is not named in article good" in line
    assert "described = true" in line
    assert "q-x" not in result.library.quotes  # it would mislead: left out


def test_a_described_speaker_must_be_described_by_the_article(tmp_path: Path) -> None:
    good = quote(
        "a medically trained participant in the chat",
        extra='described = true\nreported_by = ["Ann Writer", "Bo Author"]',
    )
    assert load_library([library_folder(tmp_path, [good])]).ok
    bad = quote("a nursing participant in the chat", extra="described = true")
    result = load_library([library_folder(tmp_path, [bad])])
    line = only_problem(result, "quotes.toml", "quote q-x: speaker")
    assert "the description is not in article good: no “nursing”" in line


def test_a_description_without_described_is_refused_as_a_name(tmp_path: Path) -> None:
    result = load_library([library_folder(tmp_path, [quote("a medically trained participant")])])
    only_problem(result, "quotes.toml", "quote q-x: speaker")


def test_every_reporter_is_an_author_or_named(tmp_path: Path) -> None:
    ok = quote("Sam O'Neil-Smith", extra='reported_by = ["Bo Author"]')
    assert load_library([library_folder(tmp_path, [ok])]).ok
    bad = quote("Sam O'Neil-Smith", extra='reported_by = ["Ann Writer", "Carl Reporter"]')
    result = load_library([library_folder(tmp_path, [bad])])
    line = only_problem(result, "quotes.toml", "quote q-x: reported_by")
    assert "'Carl Reporter' is neither an author of article good nor named in it" in line


# b. no byline at the end of a title


@pytest.mark.parametrize(
    "title",
    [
        "Why teams need managers? by Ann Writer and Bo Author",
        "No more silos. By Bo Author and Ann Writer",
        "“Managers value you?” by Ann Writer",  # one of the authors is a byline too
    ],
)
def test_a_title_ending_with_its_byline_is_refused(tmp_path: Path, title: str) -> None:
    article(tmp_path, title=title.replace('"', '\\"'))
    result = load_library([library_folder(tmp_path)])
    line = only_problem(result, "good.md", "title")
    assert "ends with its byline “" in line and "Ann Writer" in line


@pytest.mark.parametrize(
    "title",
    ["Stand by me", "Led by Jo Nobody", "Ann Writer on teams", "Written by hand by Ann"],
)
def test_a_title_that_merely_says_by_passes(tmp_path: Path, title: str) -> None:
    article(tmp_path, title=title)
    assert load_library([library_folder(tmp_path)]).ok


# c. dates that fit what the text says


def test_a_weekday_that_does_not_fit_the_articles_year_names_the_year_it_fits(
    tmp_path: Path,
) -> None:
    # 24 November 2023 was a Friday; it was a Thursday in 2022
    article(tmp_path, more="Join us on Thursday 24th November, 12:30-13:45.")
    result = load_library([library_folder(tmp_path)])
    line = only_problem(result, "good.md", "date")
    assert "“Thursday 24th November”: 24 November 2023 is a Friday, not a Thursday" in line
    assert "it is a Thursday in 2022 (the article is dated 2023-11-02)" in line


@pytest.mark.parametrize(
    ("date", "text"),
    [
        ("2022-11-01", "Join us on Thursday 24th November."),  # fits the article's year
        ("2023-01-10", "We met on Thursday 24th November."),  # last November: 2022
        ("2022-12-20", "See you on Thursday, January 5th."),  # next January: 2023
        ("undated", "Join us on Friday 24th November."),  # no date to compare with
        ("2023-11-02", "Join us on Thursday 24th November 2022."),  # a year is given
    ],
)
def test_a_weekday_that_fits_passes(tmp_path: Path, date: str, text: str) -> None:
    article(tmp_path, date=date if date != "undated" else '"undated"', more=text)
    result = load_library([library_folder(tmp_path)])
    assert result.ok, lines(result)


def test_a_later_date_reported_as_past_is_refused(tmp_path: Path) -> None:
    article(tmp_path, more="The summit took place on 12 March 2024 in Leeds.")
    result = load_library([library_folder(tmp_path)])
    line = only_problem(result, "good.md", "date")
    assert "the text reports “12 March 2024” as past, but the article is dated 2023-11-02" in line


@pytest.mark.parametrize(
    "text",
    [
        "The summit will take place on 12 March 2024.",
        "Applications were open until 12 March 2024.",
        "The summit took place on 12 March 2023.",
        "We may 12 people in March 2024 meet.",
    ],
)
def test_a_later_date_not_reported_as_past_passes(tmp_path: Path, text: str) -> None:
    article(tmp_path, more=text)
    assert load_library([library_folder(tmp_path)]).ok


# d. nothing promotional grounds what is offered unasked

NOT_GROUNDS = "only an article's own words are offered unasked"


@pytest.mark.parametrize(
    ("kind", "quote_extra"),
    [
        ('kind = "promotional"', ""),
        ('kind = "advert"\nexpires = 2030-01-31', ""),
        ("expires = 2030-01-31", ""),  # an article with a last day is an advert in effect
        ("", 'kind = "promotional"'),  # the quote's own kind
    ],
)
def test_a_prompt_or_framing_quote_from_promotional_material_is_refused(
    tmp_path: Path, kind: str, quote_extra: str
) -> None:
    article(tmp_path, id="course", extra=kind)
    promo = quote("Ann Writer", id="q-course", article="course", extra=quote_extra)
    folder = library_folder(tmp_path, [promo], grounding="q-course", framing="q-course")
    result = load_library([folder])
    found = lines(result)
    assert len(found) == 2, found
    prompt, framing = sorted(found)
    assert "prompts.toml: prompt p-plan: quote: " in prompt and NOT_GROUNDS in prompt
    assert "topics.toml: topic teams: framing_quote: " in framing and NOT_GROUNDS in framing
    library = result.library
    assert "p-plan" not in library.prompts and library.topics["teams"].framing_quote is None
    assert "q-course" in library.quotes  # still there to be found when asked for


def test_expires_on_an_article_that_grounds_nothing_is_fine(tmp_path: Path) -> None:
    article(tmp_path, id="course", extra='kind = "promotional"\nexpires = 2024-01-31')
    promo = quote("Ann Writer", id="q-course", article="course")
    result = load_library([library_folder(tmp_path, [promo])])
    assert result.ok, lines(result)


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    article(tmp_path, id="course", extra='kind = "sponsored"')
    result = load_library([library_folder(tmp_path)])
    line = only_problem(result, "course.md", "kind")
    assert "'sponsored' must be one of article, promotional, advert" in line


# e. files Rounds does not read, and empty folders


def test_unknown_files_are_warned_about_by_name(tmp_path: Path) -> None:
    folder = library_folder(tmp_path / "ours")
    (folder / "notes.txt").write_text("to do")
    (folder / "articles" / "draft.docx").write_text("x")
    (folder / "README.md").write_text("Our own material.")
    result = load_library([folder])
    assert result.ok
    warned = [str(w) for w in result.warnings]
    assert len(warned) == 2, warned
    assert all("file: not a content file (expected articles/*.md, topics.toml" in w for w in warned)
    assert any(w.startswith(str(folder / "notes.txt")) for w in warned)
    assert any(w.startswith(str(folder / "articles" / "draft.docx")) for w in warned)


def test_an_empty_folder_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "empty" / "articles").mkdir(parents=True)
    result = load_library([tmp_path / "empty"])
    [warning] = [str(w) for w in result.warnings]
    assert warning.startswith(f"{tmp_path / 'empty'}: folder: has no content")


def test_content_check_says_ok_with_warnings_and_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.content import loader
    from rounds.cli import main

    bundled = library_folder(tmp_path / "bundled")  # stands in for the bundled library
    monkeypatch.setattr(loader, "bundled_content_dir", lambda: bundled)
    monkeypatch.delenv("ROUNDS_CONTENT_DIRS", raising=False)
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "quotes.txt").write_text("x")
    assert main(["content", "check", str(tmp_path / "ours")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("content OK with 2 warnings: 1 articles")
    assert out[1] == (
        f"warning: {tmp_path / 'ours' / 'quotes.txt'}: file: not a content file (expected "
        "articles/*.md, topics.toml, quotes.toml, prompts.toml, models.toml, README.md, NOTICE); "
        "ignored"
    )
    assert out[2].startswith(f"warning: {tmp_path / 'ours'}: folder: has no content")
    assert main(["content", "check"]) == 0
    assert capsys.readouterr().out.startswith("content OK: 1 articles")
