"""Releases, offline: the version has a CHANGELOG entry, and the lock files
(requirements/*.txt) agree with pyproject.toml: every dependency pinned with its hashes at
a version pyproject admits, the tests on the versions that ship, the floors past the
advisories they were raised for, and `make` and the Dockerfile installing from the lock
with --require-hashes. A dependency added to pyproject without `make lock` fails here, not
in someone's image. (/healthz reporting the version: tests/test_slack.py.)"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = ROOT / "requirements" / "runtime.txt"
DEV = ROOT / "requirements" / "dev.txt"
BUILD = ROOT / "requirements" / "build.in"

# The first release past a published advisory, for what pyproject and build.in name:
# their floors must not fall below these (CHANGELOG.md, 0.4.0).
ADVISORY_FLOORS = {
    "aiohttp": "3.14.5",  # GHSA-2g87-pp6c-29x5, GHSA-5wr8-gcqf-gqf3 and earlier ones
    "pytest": "9.0.3",  # CVE-2025-71176
    "setuptools": "78.1.1",  # CVE-2025-47273
    "pip": "25.3",  # CVE-2025-8869
}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
FLOOR = (">=", "==", "~=")


@dataclass(frozen=True)
class Pin:
    version: str
    hashes: frozenset[str]
    via: tuple[str, ...]


def pins(path: Path) -> dict[str, Pin]:
    """Package → its pin: version, hashes and what it is there for (uv's `# via` lines)."""
    found: dict[str, Pin] = {}
    name = version = ""
    hashes: set[str] = set()
    via: list[str] = []

    def close() -> None:
        if name:
            found[name] = Pin(version, frozenset(hashes), tuple(via))

    for line in path.read_text(encoding="utf-8").splitlines():
        pinned = PIN.match(line)
        if pinned:
            close()
            name, version = canonicalize_name(pinned[1]), pinned[2]
            hashes, via = set(HASH.findall(line)), []
        elif line.startswith("    --hash="):
            hashes.update(HASH.findall(line))
        elif line.lstrip().startswith("#"):
            words = line.lstrip(" #").removeprefix("via").strip()
            if name and words:
                via.append(words)
        elif line.strip():
            raise AssertionError(f"{path.name}: a line that is no pin, hash or comment: {line!r}")
    close()
    return found


def declared(extra: str | None = None) -> list[Requirement]:
    """What pyproject asks for (with an extra: that extra's too), and requirements/build.in."""
    project = PYPROJECT["project"]
    wanted = list(project["dependencies"])
    if extra is not None:
        wanted += project["optional-dependencies"][extra]
    tools = [
        line.strip() for line in BUILD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    wanted += [line for line in tools if not line.startswith("#")]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize(("lock", "extra"), [(RUNTIME, None), (DEV, "dev")])
def test_every_requirement_is_pinned_with_hashes_at_a_version_pyproject_admits(
    lock: Path, extra: str | None
) -> None:
    locked = pins(lock)
    assert locked, f"{lock.name} pins nothing"
    for name, pin in locked.items():
        assert pin.hashes, f"{lock.name}: {name}=={pin.version} has no --hash"
    for requirement in declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in {lock.name}: run make lock"
        version = locked[name].version
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside {requirement}: run make lock"
        )


@pytest.mark.parametrize(("lock", "extra"), [(RUNTIME, None), (DEV, "dev")])
def test_nothing_is_locked_for_a_requirement_that_is_gone(lock: Path, extra: str | None) -> None:
    """A package there only for pyproject or build.in must still be asked for there."""
    names = {canonicalize_name(r.name) for r in declared(extra)}
    for name, pin in pins(lock).items():
        direct = [v for v in pin.via if "pyproject.toml" in v or "build.in" in v]
        if direct and len(direct) == len(pin.via):
            assert name in names, f"{lock.name} still pins {name}: run make lock"


def test_the_tests_run_on_the_versions_that_ship() -> None:
    """The dev lock holds the runtime lock's every pin, at the same version and hashes."""
    runtime, dev = pins(RUNTIME), pins(DEV)
    for name, pin in runtime.items():
        assert name in dev, f"{name} is in runtime.txt only"
        assert (dev[name].version, dev[name].hashes) == (pin.version, pin.hashes), name


def test_the_lock_files_say_how_to_make_them() -> None:
    for lock in (RUNTIME, DEV):
        head = lock.read_text(encoding="utf-8").splitlines()[:2]
        assert head[-1].strip("# ") == "make lock", lock.name
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--generate-hashes --python-version 3.11" in makefile
    assert "--extra dev -o $(DEV_LOCK)" in makefile and "-o $(RUNTIME_LOCK)" in makefile


def floors(requirements: list[Requirement]) -> dict[str, Version]:
    """Package → the lowest version its requirement admits (from >=, == or ~=)."""
    found: dict[str, Version] = {}
    for requirement in requirements:
        lower = [Version(s.version) for s in requirement.specifier if s.operator in FLOOR]
        if lower:
            found[canonicalize_name(requirement.name)] = max(lower)
    return found


def test_floors_stay_past_the_advisories_they_were_raised_for() -> None:
    build = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]
    raised = floors(declared("dev") + build)
    for name, fixed in ADVISORY_FLOORS.items():
        assert raised[name] >= Version(fixed), f"{name}'s floor is below {fixed}"
    for name, fixed in ADVISORY_FLOORS.items():
        assert Version(pins(DEV)[name].version) >= Version(fixed), name


def test_the_build_backend_in_the_lock_is_the_one_pyproject_names() -> None:
    """`make` and the Dockerfile build Rounds without isolation, with the setuptools of the
    lock: build.in must ask for what [build-system] asks for."""
    build = {str(Requirement(text)) for text in PYPROJECT["build-system"]["requires"]}
    assert build <= {str(r) for r in declared()}


def test_make_and_the_dockerfile_install_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q --require-hashes -r" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    for target in ("$(VENV)/.installed:", "$(VENV)/.installed-dev:"):
        [rule] = [line for line in makefile.splitlines() if line.startswith(target)]
        assert "pyproject.toml" in rule and "_LOCK)" in rule, rule
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/runtime.txt" in dockerfile
    assert "--no-build-isolation" in dockerfile and "tomllib" not in dockerfile


def test_the_changelog_has_an_entry_for_this_version() -> None:
    version = PYPROJECT["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[?(\d+\.\d+\.\d+)\]? - ", changelog, re.MULTILINE)
    assert headings and headings[0] == version, f"CHANGELOG.md: no entry on top for {version}"
    assert headings == sorted(headings, key=Version, reverse=True), "newest first"
