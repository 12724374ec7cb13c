"""How Rounds is installed and what the checkout ignores: `rounds --version`, package
discovery that ships the code, the migrations and the bundled content library, and the
SQLite files git should never see."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import rounds
from rounds import cli

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"rounds {metadata.version('rounds')}"


def test_the_version_comes_from_the_project_metadata() -> None:
    assert rounds.version() == PYPROJECT["project"]["version"]


def test_package_discovery_is_explicit() -> None:
    """A flat layout said as such (package dir "."), and a list of what to ship: setuptools
    then warns about nothing at install, editable or not."""
    assert SETUPTOOLS["package-dir"] == {"": "."}
    include = SETUPTOOLS["packages"]["find"]["include"]
    top = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests", "bench"}
    assert top <= {name.rstrip("*") for name in include}
    assert not {"tests*", "bench*", "deploy*", "docs*"} & set(include)


def shipped(package: str, path: Path) -> bool:
    globs = SETUPTOOLS["package-data"].get(package, [])
    return any(fnmatch.fnmatch(path.name, glob) for glob in globs)


def test_the_content_library_ships_with_the_package() -> None:
    """`rounds content check` on an installed copy reads the bundled library beside `bot/`."""
    assert "content*" in SETUPTOOLS["packages"]["find"]["include"]
    content = ROOT / "content"
    files = [p for p in content.rglob("*") if p.is_file()]
    assert files
    for path in files:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        assert shipped(package, path), f"{path.relative_to(ROOT)} would not be installed"


def test_the_migrations_ship_with_the_package() -> None:
    globs = SETUPTOOLS["package-data"]["bot.store"]
    migrations = ROOT / "bot" / "store" / "migrations"
    for path in (p for p in migrations.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(ROOT / "bot" / "store").as_posix()
        assert any(fnmatch.fnmatch(relative, glob) for glob in globs), relative


@pytest.mark.parametrize(
    "name", ["rounds.db", "rounds.db-wal", "rounds.db-shm", "rounds.db-journal", "x.db-journal"]
)
def test_sqlite_files_are_ignored(name: str) -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
