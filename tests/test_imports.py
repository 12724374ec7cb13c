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


def imported_names(path: Path) -> set[str]:
    """`imported_modules`, and each name taken from a module as `module.name`: so that
    `from bot import handlers` counts as importing `bot.handlers`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = imported_modules(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def inside(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == module or name.startswith(f"{module}.") for module in modules)


def imports_under(folders: tuple[str, ...]) -> list[tuple[str, str]]:
    """(file, imported name) for every file under `folders`."""
    return [
        (str(path.relative_to(ROOT)), name)
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imported_names(path))
    ]


def reaching(folders: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """Each import, under `folders`, of a module in `forbidden` or inside one."""
    return [f"{f} imports {name}" for f, name in imports_under(folders) if inside(name, forbidden)]


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return reaching((folder,), forbidden)


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


# The handlers are what the core's dispatch tables call: the reflection threads, the
# adapters and the scheduler never reach into them. Adapters and the scheduler reach the core
# through bot.core (the Bot), bot.scheduled (the scheduler's work), bot.typed (commands as
# typed where a reply is read), the neutral types and the
# store, and the few small leaf modules they share with it.
THE_CORES_SURFACE = (
    "bot.core",
    "bot.scheduled",
    "bot.events",
    "bot.replies",
    "bot.outbox",
    "bot.actions",
    "bot.messages",
    "bot.store",
    "bot.typed",
)
LEAVES = ("bot.context", "bot.durations", "bot.identity", "bot.limits", "bot.memo", "bot.weekly")
EDGES = ("adapters", "scheduler")


def test_no_reflection_thread_adapter_or_scheduler_imports_a_handler() -> None:
    assert reaching(("bot/reflect", *EDGES), ("bot.handlers",)) == []


def test_adapters_and_scheduler_do_not_import_the_reflection_threads() -> None:
    assert reaching(EDGES, ("bot.reflect",)) == []


def test_adapters_and_scheduler_use_only_the_cores_surface() -> None:
    allowed = THE_CORES_SURFACE + LEAVES
    beyond = [
        f"{f} imports {name}"
        for f, name in imports_under(EDGES)
        if name.startswith("bot.") and not inside(name, allowed)
    ]
    assert beyond == []


def test_the_rule_sees_every_form_of_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from bot import handlers\nfrom bot.reflect import opening\nimport bot.handlers.info\n"
    )
    assert {"bot.handlers", "bot.reflect.opening", "bot.handlers.info"} <= imported_names(bad)
