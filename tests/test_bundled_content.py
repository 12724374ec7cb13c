"""Licence and content rights: the code's LICENSE, content/NOTICE naming whose each bundled
article is, and ROUNDS_BUNDLED_CONTENT=off, which leaves the bundled library out."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.content.loader import bundled_content_dir, load_library
from rounds import cli
from rounds.assembly import load_content
from rounds.settings import NO_LIBRARY, SettingsError, from_env
from tests.test_content_rules import library_folder

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_ARTICLE, BUNDLED_TOPIC = "dark-side-managers", "manager-medic"


def test_bundled_content_is_on_by_default() -> None:
    settings = from_env({})
    assert settings.bundled_content is True
    assert settings.library_dirs() == [bundled_content_dir()]
    library = load_content(settings).library
    assert BUNDLED_ARTICLE in library.articles and BUNDLED_TOPIC in library.topics


def test_on_adds_an_organisations_folders_after_the_bundled_library(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    settings = from_env({"ROUNDS_BUNDLED_CONTENT": "on", "ROUNDS_CONTENT_DIRS": str(ours)})
    assert settings.library_dirs() == [bundled_content_dir(), ours]


def test_off_loads_only_the_organisations_own_folders(tmp_path: Path) -> None:
    ours = library_folder(tmp_path / "ours")
    env = {"ROUNDS_BUNDLED_CONTENT": "off", "ROUNDS_CONTENT_DIRS": str(ours)}
    settings = from_env(env)
    assert settings.bundled_content is False
    assert settings.library_dirs() == [ours]
    result = load_content(settings)
    assert result.ok, result.problems
    assert set(result.library.articles) == {"good"}
    assert BUNDLED_ARTICLE not in result.library.articles
    assert BUNDLED_TOPIC not in result.library.topics
    assert not any(q.article == BUNDLED_ARTICLE for q in result.library.quotes.values())


def test_content_check_honours_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = library_folder(tmp_path / "ours")
    monkeypatch.setenv("ROUNDS_BUNDLED_CONTENT", "off")
    monkeypatch.setenv("ROUNDS_CONTENT_DIRS", str(ours))
    assert cli.main(["content", "check"]) == 0
    assert capsys.readouterr().out.startswith("content OK: 1 articles, 1 topics")
    monkeypatch.delenv("ROUNDS_CONTENT_DIRS")
    assert cli.main(["content", "check", str(ours)]) == 0  # folders named on the command line
    assert capsys.readouterr().out.startswith("content OK: 1 articles, 1 topics")


@pytest.mark.parametrize("command", [["content", "check"], ["console"], ["serve"]])
def test_off_with_no_folder_stops_in_one_clear_line(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROUNDS_BUNDLED_CONTENT", "off")
    monkeypatch.delenv("ROUNDS_CONTENT_DIRS", raising=False)
    assert cli.main(command) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"rounds: {NO_LIBRARY}\n"
    assert "ROUNDS_CONTENT_DIRS" in err and "ROUNDS_BUNDLED_CONTENT=on" in err


def test_off_with_no_folder_is_refused_by_load_content_too() -> None:
    settings = from_env({"ROUNDS_BUNDLED_CONTENT": "off"})
    with pytest.raises(SettingsError, match="no content library"):
        load_content(settings)


@pytest.mark.parametrize("value", [" Off ", "OFF"])
def test_off_is_read_in_any_case(value: str) -> None:
    assert from_env({"ROUNDS_BUNDLED_CONTENT": value}).bundled_content is False


@pytest.mark.parametrize("value", ["false", "no", "maybe"])
def test_other_values_are_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        from_env({"ROUNDS_BUNDLED_CONTENT": value})
    assert str(refused.value) == f"ROUNDS_BUNDLED_CONTENT: must be one of on, off, got {value!r}"


def test_the_code_is_apache_2_licensed() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"


def test_the_notice_names_every_bundled_article_and_whose_it_is() -> None:
    notice = (bundled_content_dir() / "NOTICE").read_text(encoding="utf-8")
    library = load_library([bundled_content_dir()]).library
    assert library.articles
    for article in library.articles.values():
        entry = notice.split(f"content/articles/{article.id}.md\n", 1)[1].split("\n\n", 1)[0]
        assert f"Title:     {article.title}\n" in entry
        assert all(author in entry for author in article.authors), article.id
        assert (article.source or "not named in the source") in entry, article.id
        assert (article.url or "none given in the source text") in entry, article.id
        date = article.date.isoformat() if article.date else "undated in the source"
        assert f"Date:      {date}" in entry, article.id
    assert "ROUNDS_BUNDLED_CONTENT=off" in notice
    assert "No permission from the rights holders is held in this repository" in notice


def test_the_notice_is_not_taken_for_a_stray_file() -> None:
    """content/NOTICE is a note for people, like README.md: no warning for it."""
    assert not load_library([bundled_content_dir()]).warnings
