"""The `rounds` command line. The only place that reads the environment or exits."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rounds import version
from rounds.settings import Settings, SettingsError, from_env

if TYPE_CHECKING:
    from rounds.assembly import Assembly
    from rounds.teams_listing import Options

# `rounds teams-package`'s flags for the manifest, with what each defaults to.
PACKAGE_OPTIONS = (
    ("--host", "HOST", "public host name of rounds serve (ROUNDS_PUBLIC_URL's)"),
    ("--developer-name", "NAME", "the publisher Teams shows (ROUNDS_ORGANISATION)"),
    ("--privacy-url", "URL", "ROUNDS_PRIVACY_URL, else https://HOST/privacy"),
    ("--terms-url", "URL", "ROUNDS_TERMS_URL, else https://HOST/terms"),
    ("--website-url", "URL", "ROUNDS_PUBLIC_URL, else https://HOST/"),
    ("--app-name", "NAME", "the app's name in Teams, 30 characters at most (Rounds)"),
)
DATABASE_AWAY = (
    "the database cannot be reached; nothing was changed. "
    "Check ROUNDS_DATABASE_URL and that the server is up"
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="rounds", description="Rounds: NHS leadership conversations"
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = root.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", default=os.environ.get("USER") or "you")
    console.add_argument("--channel", default="general")
    serve = commands.add_parser("serve", help="the HTTP server for Slack and Teams")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for all)",
    )
    serve.add_argument("--port", type=int, default=3978, help="port (default 3978)")
    serve.add_argument(
        "--slack-socket-mode",
        action="store_true",
        help="receive Slack over Socket Mode (needs SLACK_APP_TOKEN) instead of HTTP",
    )
    package_arguments(commands.add_parser("teams-package", help="build the Teams app package"))
    content = commands.add_parser("content", help="the content library")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate the content library")
    check.add_argument("dirs", nargs="*", type=Path, help="extra content folders to check")
    db = commands.add_parser("db", help="the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    return root


def package_arguments(package: argparse.ArgumentParser) -> None:
    """`rounds teams-package`'s options; each one not given comes from the settings."""
    add = package.add_argument
    add("--out", type=Path, default=Path("rounds-teams.zip"), metavar="FILE", help="the zip")
    add("--local", action="store_true", help="for the Bot Framework Emulator, on localhost")
    for flag, metavar, text in PACKAGE_OPTIONS:
        add(flag, metavar=metavar, help=text)
    add("--version", dest="app_version", metavar="V", help=f"MAJOR.MINOR.PATCH ({version()})")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = from_env(os.environ)
        if args.command in ("serve", "console"):
            settings.library_dirs()  # no content library at all: stop here, in one line
    except SettingsError as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 2
    if args.command == "content":
        return content_check(settings, args.dirs)
    if args.command == "db":
        return asyncio.run(db_upgrade(settings))
    if args.command == "teams-package":
        return teams_package(settings, args.out, package_options(args))
    warn(settings)  # serve and console: the commands that act on ROUNDS_ADMINS
    if args.command == "serve":
        return asyncio.run(serve(settings, args.host, args.port, args.slack_socket_mode))
    return console(settings, args.user, args.channel)


def warn(settings: Settings) -> None:
    """Settings that work but should be changed (a bare id in ROUNDS_ADMINS), one a line."""
    for warning in settings.warnings:
        print(f"rounds: warning: {warning}", file=sys.stderr)


def content_check(settings: Settings, dirs: list[Path]) -> int:
    from bot.content.loader import load_library

    try:
        library_dirs = settings.library_dirs(dirs)
    except SettingsError as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 2
    result = load_library(library_dirs)
    for problem in result.problems:
        print(problem)
    library = result.library
    counts = (
        f"{len(library.articles)} articles, {len(library.topics)} topics, "
        f"{len(library.quotes)} quotes, {len(library.prompts)} prompts, "
        f"{len(library.models)} reflection models"
    )
    warnings = len(result.warnings)
    if result.problems:
        for warning in result.warnings:
            print(f"warning: {warning}")
        print(f"content check failed: {len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    if warnings:  # still usable: exit 0, but never a bare OK
        print(f"content OK with {warnings} warning{'s' if warnings > 1 else ''}: {counts}")
        for warning in result.warnings:
            print(f"warning: {warning}")
        return 0
    print(f"content OK: {counts}")
    return 0


def package_options(args: argparse.Namespace) -> Options:
    from rounds.teams_listing import Options

    return Options(
        host=args.host,
        local=args.local,
        developer_name=args.developer_name,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
        website_url=args.website_url,
        version=args.app_version,
        app_name=args.app_name,
    )


def teams_package(settings: Settings, out: Path, options: Options) -> int:
    from rounds.teams_package import PackageError, build_package

    try:
        path = build_package(settings, out, options)
    except PackageError as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


async def db_upgrade(settings: Settings) -> int:
    from bot.store import Store, unreachable

    try:
        store = await Store.open(settings.database_url)
    except Exception as exc:
        if not unreachable(exc):
            raise
        print(f"rounds: {DATABASE_AWAY} ({type(exc).__name__})", file=sys.stderr)
        return 1
    await store.close()
    print("database is up to date")
    return 0


def console(settings: Settings, user: str, channel: str) -> int:
    """0 at the end of input (Ctrl-D), 130 on Ctrl-C, 1 when another console holds the
    database file."""
    from adapters.console.lock import DatabaseBusy, console_lock
    from bot import messages as m
    from rounds.app import setup_logging

    setup_logging(settings)
    interactive = sys.stdin.isatty()
    try:
        with console_lock(settings.database_url):
            chat(settings, user, channel, interactive)
    except DatabaseBusy as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(("\n" if interactive else "") + m.CONSOLE_INTERRUPTED, flush=True)
        return 130
    if interactive:
        print("\n" + m.CONSOLE_CLOSED)
    return 0


def chat(settings: Settings, user: str, channel: str, interactive: bool) -> None:
    from adapters.console.adapter import ConsoleAdapter
    from adapters.console.outbox import ConsoleOutbox
    from adapters.console.shell import BackgroundLoop, converse
    from bot import messages as m
    from rounds.assembly import Parts, assemble

    outbox = ConsoleOutbox(sys.stdout)
    loop = BackgroundLoop()
    # one person at the keyboard: no one to share with, so no fairness limits
    parts = Parts(lambda _store: {"console": outbox}, fair=False)
    try:
        rounds = loop.run(assemble(settings, parts))
    except BaseException:
        loop.stop()
        raise
    try:
        if interactive:
            print(m.CONSOLE_WELCOME + "\n")
        loop.run(_start(rounds))
        talk = ConsoleAdapter(rounds.bot, user, channel, sys.stdout)
        outbox.listeners.append(talk.saw)
        outbox.numbered = talk.first_number
        outbox.draw = rounds.bot.chart_png
        converse(talk, loop, sys.stdin, interactive)
    finally:
        loop.run(rounds.close())
        loop.stop()


async def _start(rounds: Assembly) -> None:
    rounds.timer.start()  # scheduled prompts are printed here while the console is open


async def serve(settings: Settings, host: str, port: int, socket_mode: bool) -> int:
    from rounds.access import AccessLog
    from rounds.app import setup_logging
    from rounds.assembly import assemble
    from rounds.metrics import install
    from rounds.server import Options, Server, StartFailed, serving

    level = logging.getLevelNamesMapping()[settings.log_level.upper()]
    # Libraries log their warnings and errors, and everything only at debug.
    setup_logging(settings, level if level == logging.DEBUG else max(level, logging.WARNING))
    logging.getLogger("rounds").setLevel(level)
    access_log = AccessLog(sys.stderr, as_json=settings.log_format == "json")
    install(access_log)
    options = Options(host=host, port=port, socket_mode=socket_mode)
    try:
        parts = serving(settings, options)
    except SettingsError as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 2
    rounds = await assemble(settings, parts)
    server = Server(rounds, options)
    stop = _stop_on_signals()  # before "listening": a SIGTERM sent at once still stops cleanly
    try:
        await server.start()
        gc.freeze()  # the library and index live for the whole process: keep GC off them
        for line in server.status:
            print(line)
        print(f"Rounds is listening on http://{host}:{server.port}", flush=True)
        await stop.wait()
    except StartFailed as exc:
        print(f"rounds: {exc}", file=sys.stderr)
        return 1
    finally:
        await server.stop()
        await rounds.close()
        access_log.flush()
    print("Rounds stopped", flush=True)
    return 0


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (the running loop handles them from now on)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


if __name__ == "__main__":
    sys.exit(main())
