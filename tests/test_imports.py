"""The direction of imports: adapters and scheduler depend on bot, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOT_FRAMEWORK = ("botbuilder", "botframework", "msrest")
FORBIDDEN_IN_BOT = ("adapters", "scheduler", "rounds", "slack_bolt", "slack_sdk", *BOT_FRAMEWORK)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_bot_imports_no_adapter_scheduler_or_sdk() -> None:
    assert offenders("bot", FORBIDDEN_IN_BOT) == []


def test_scheduler_imports_no_adapter_or_sdk() -> None:
    assert (
        offenders("scheduler", ("adapters", "rounds", "slack_bolt", "slack_sdk", "botbuilder"))
        == []
    )


def test_botbuilder_is_imported_only_in_the_teams_adapter() -> None:
    """A move to the Microsoft 365 Agents SDK must touch one folder."""
    found = [
        line
        for folder in ("bot", "adapters", "scheduler", "rounds")
        for line in offenders(folder, BOT_FRAMEWORK)
        if not line.startswith("adapters/teams/")
    ]
    assert found == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from adapters.console import render\nimport slack_sdk.web\n")
    assert imported_modules(bad) == {"adapters.console", "slack_sdk.web"}
