"""`make cards`: every card and Block Kit message of a fixture run, rendered to PNGs for a
person to look at.

The fixture run (tests/card_fixture.py) uses Rounds in memory on each platform. Each reply is
rendered by the adapters (`adapters.teams.cards`, `adapters.slack.render`) to JSON in
build/cards/{teams,slack}/<name>.json, then tools/cards/shoot.mjs draws it in headless
Chromium at 500 and 320 px: Teams cards with Microsoft's Adaptive Cards renderer and the
Teams host config, Slack messages as an HTML likeness of Block Kit. It ends with a table of
the Teams buttons whose titles do not fit, and of a calibration set of button rows.

    python tools/cards/render.py            # build/cards/...
    python tools/cards/render.py --docs     # and the README's two pictures in docs/cards/

Needs node (18 or newer), npm and Chromium with the fonts it measures with; it says in one
line what to install when any is missing."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.content.loader import bundled_content_dir, load_library
from bot.lookup import LookupIndex
from tests.card_fixture import (
    Shown,
    form_title,
    quiet,
    shown,
    slack_messages,
    slack_modal,
    teams_cards,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "build" / "cards"
DOCS = ROOT / "docs" / "cards"
WIDTHS = (500, 320)
README_PICTURES = ("quote", "reflection-opening")  # Teams, at 320 px
README_WIDTH = 320
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# the fonts measured with: a stand-in for Segoe UI (Teams) with Arial's metrics, Slack's Lato
FONTS = {"Liberation Sans": "fonts-liberation2", "Lato": "fonts-lato"}
PACKAGES = {"node": "nodejs", "npm": "npm", "chromium": "chromium"}  # Debian's names

# Rows of Teams buttons alone, drawn at 320 px, to see which labels fit side by side; MORE
# stands for secondary actions (the card's overflow button).
MORE = "..."
LABELS = (
    "Another",
    "Share",
    "Discuss",
    "Next question",
    "Close and post summary",
    "Contribute anonymously",
    "More results",
    "Open article",
    "Pause",
    "Skip next",
)
CALIBRATION: tuple[tuple[str, ...], ...] = (
    *((label,) for label in LABELS),
    ("Another", "Share"),
    ("More results", "Share"),
    ("Open article", "Share"),
    ("Pause", "Skip next"),
    ("Next question", "Close"),
    ("Contribute anonymously", "Close"),
    ("Next question", "Close and post summary"),
    ("Contribute anonymously", "Next question"),
    ("Contribute anonymously", "Close and post summary"),
    ("Next question", MORE),
    ("Contribute anonymously", MORE),
    ("Close and post summary", MORE),
    ("Another", "Share", "Discuss"),
    ("More results", "Share", "Open article"),
    ("Pause", "Skip next", "Another"),
    ("Contribute anonymously", "Next question", "Close"),
    ("Next question", "Close and post summary", "Pause"),
    ("Another", "Share", "Discuss", MORE),
    ("More results", "Share", MORE),
    ("More results", "Share", "Open article", MORE),
    ("Pause", "Skip next", MORE),
    ("Next question", "Close", MORE),
)
CALIBRATION_WIDTHS = (320,)


class Missing(Exception):
    """Something `make cards` needs is not installed: the message says what to install."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", action="store_true", help="copy the README's pictures too")
    args = parser.parse_args(argv)
    try:
        chromium = prerequisites()
        install_node_modules()
    except Missing as missing:
        print(f"make cards: {missing}", file=sys.stderr)
        return 2
    runs = asyncio.run(fixture_runs())
    plan = write_json(runs, chromium)
    print(f"rendered {len(plan['teams'])} Teams and {len(plan['slack'])} Slack replies to JSON")
    done = subprocess.run(["node", str(HERE / "shoot.mjs"), str(OUT / "plan.json")], check=False)
    if done.returncode != 0:
        return done.returncode
    if args.docs:
        copy_docs()
    print(f"pictures in {OUT.relative_to(ROOT)}/teams and {OUT.relative_to(ROOT)}/slack")
    return 0


# What is needed


def prerequisites() -> str:
    """The Chromium to drive; Missing when node, npm, Chromium or the fonts are not there."""
    lacking = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    chromium = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if chromium is None:
        lacking.append("chromium")
    packages = [PACKAGES[tool] for tool in lacking]
    for font, package in FONTS.items():
        if not has_font(font):
            lacking.append(f"the font {font}")
            packages.append(package)
    if lacking:
        install = f"apt-get install -y {' '.join(packages)}"
        raise Missing(f"needs {', '.join(lacking)}: install with `{install}`")
    if node_major() < 18:
        found = node_version()
        raise Missing(f"needs node 18 or newer, found {found}: `apt-get install -y nodejs`")
    assert chromium is not None
    return chromium


def has_font(family: str) -> bool:
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", family], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def node_major() -> int:
    digits = node_version().lstrip("v").split(".")[0]
    return int(digits) if digits.isdigit() else 0


def install_node_modules() -> None:
    """`npm ci` when node_modules is missing or older than the lock file."""
    lock, installed = HERE / "package-lock.json", HERE / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    done = subprocess.run(["npm", "ci", "--no-fund", "--no-audit"], cwd=HERE, check=False)
    if done.returncode != 0:
        raise Missing(f"`npm ci` in {HERE.relative_to(ROOT)} failed (see above)")


# The run, as JSON


async def fixture_runs() -> dict[str, list[Shown]]:
    result = load_library([bundled_content_dir()])
    index = LookupIndex.from_library(result.library)
    with quiet():
        return {p: await shown(p, result.library, index) for p in ("teams", "slack")}


def write_json(runs: dict[str, list[Shown]], chromium: str) -> dict[str, Any]:
    shutil.rmtree(OUT, ignore_errors=True)
    teams = [teams_item(s) for s in runs["teams"]]
    slack = [slack_item(s) for s in runs["slack"]]
    for side, items, key in (("teams", teams, "cards"), ("slack", slack, "messages")):
        (OUT / side).mkdir(parents=True)
        for item in items:
            text = json.dumps(item[key], indent=2, ensure_ascii=False)
            (OUT / side / f"{item['name']}.json").write_text(text + "\n")
    plan = {
        "out": str(OUT),
        "chromium": chromium,
        "widths": list(WIDTHS),
        "scale": 1,
        "teams": teams,
        "slack": slack,
        "calibration": [list(row) for row in CALIBRATION],
        "calibrationWidths": list(CALIBRATION_WIDTHS),
    }
    (OUT / "plan.json").write_text(json.dumps(plan, ensure_ascii=False))
    return plan


def teams_item(seen: Shown) -> dict[str, Any]:
    """A reply's cards, and the title of the dialog a form opens in."""
    return {"name": seen.name, "cards": teams_cards(seen), "dialog": form_title("teams", seen)}


def slack_item(seen: Shown) -> dict[str, Any]:
    """A reply's messages, and the frame of the modal a form opens in."""
    item: dict[str, Any] = {"name": seen.name, "messages": slack_messages(seen), "modal": None}
    if seen.reply.form is not None:
        view = slack_modal(seen)
        item["modal"] = {key: view[key]["text"] for key in ("title", "submit", "close")}
    return item


def copy_docs() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in README_PICTURES:
        picture = f"{name}-{README_WIDTH}.png"
        shutil.copyfile(OUT / "teams" / picture, DOCS / picture)
        print(f"copied {picture} to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
