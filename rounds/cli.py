"""The `rounds` command line. The only place that reads the environment or exits."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rounds.settings import Settings, SettingsError, from_env


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="rounds", description="Rounds: NHS leadership conversations"
    )
    commands = root.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", default=os.environ.get("USER") or "you")
    console.add_argument("--channel", default="general")
    content = commands.add_parser("content", help="the content library")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate the content library")
    check.add_argument("dirs", nargs="*", type=Path, help="extra content folders to check")
    db = commands.add_parser("db", help="the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = from_env(os.environ)
    except SettingsError as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 2
    if args.command == "content":
        return content_check(settings, args.dirs)
    if args.command == "db":
        return asyncio.run(db_upgrade(settings))
    return asyncio.run(console(settings, args.user, args.channel))


def content_check(settings: Settings, dirs: list[Path]) -> int:
    from bot.content.loader import content_dirs, load_library

    result = load_library(content_dirs(dirs or list(settings.content_dirs)))
    for problem in result.problems:
        print(problem)
    library = result.library
    counts = (
        f"{len(library.articles)} articles, {len(library.topics)} topics, "
        f"{len(library.quotes)} quotes, {len(library.prompts)} prompts, "
        f"{len(library.models)} reflection models"
    )
    if result.problems:
        print(f"content check failed: {len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"content OK: {counts}")
    return 0


async def db_upgrade(settings: Settings) -> int:
    from bot.store import Store

    store = await Store.open(settings.database_url)
    await store.close()
    print("database is up to date")
    return 0


async def console(settings: Settings, user: str, channel: str) -> int:
    from adapters.console.adapter import ConsoleAdapter
    from rounds.app import build_bot, setup_logging

    setup_logging(settings)
    bot = await build_bot(settings)
    interactive = sys.stdin.isatty()
    if interactive:
        print("Rounds console. Type `help` to begin; Ctrl-D leaves.\n")
    try:
        await ConsoleAdapter(bot, user, channel, sys.stdout).run(sys.stdin, interactive)
    finally:
        await bot.ctx.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
