"""The benchmarks' servers: `rounds serve` and the bare baselines as their own processes
(started, their URLs read, stopped), the environment `rounds serve` is given against the
fake Slack and Bot Connector, and those fakes around a benchmark."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import slack_env

HERE = Path(__file__).parent
ROUNDS_SERVE = [sys.executable, "-m", "rounds.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
Server = tuple[int, str]  # pid, URL


def bare(script: str) -> list[str]:
    """The command running one of the bare baselines in this folder."""
    return [sys.executable, str(HERE / script)]


def start(
    command: list[str], env: dict[str, str], log: int | TextIO = subprocess.DEVNULL
) -> tuple[subprocess.Popen[str], str]:
    """A server that prints `listening on <url>` when ready; its URL. Its log (and access
    log) goes to `log`: by default where a log collector would take it, away from the table.
    Blocks until then: call it in a thread (asyncio.to_thread) when a fake the server calls
    while starting (Slack's auth.test) runs on the event loop."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "listening on " in line:
            return proc, line.split("listening on ", 1)[1].strip()
    raise RuntimeError(f"{shlex.join(command[1:])} did not start")


async def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it lingers; waited for in a thread, as the fakes it may
    still be talking to run on this event loop."""
    proc.terminate()
    try:
        await asyncio.to_thread(proc.wait, 20)
    except subprocess.TimeoutExpired:
        proc.kill()
        await asyncio.to_thread(proc.wait)


@asynccontextmanager
async def running(env: dict[str, str], *commands: list[str]) -> AsyncIterator[list[Server]]:
    """Each server started in turn (in a thread, as `start` blocks); (pid, URL) of each;
    all stopped after."""
    procs: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    try:
        for command in commands:
            proc, url = await asyncio.to_thread(start, command, env)
            procs.append(proc)
            urls.append(url)
        yield [(proc.pid, url) for proc, url in zip(procs, urls, strict=True)]
    finally:
        for proc in procs:
            await stop(proc)


def server_env(slack: FakeSlack, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        **slack_env(slack, db),
        "MicrosoftAppId": "",  # Teams in emulator mode
        "ROUNDS_TEAMS_EMULATOR": "true",
        # a few benchmark users send 60 requests a second: the per-person limits are off
        "ROUNDS_RATE_PER_MINUTE": "1000000",
        "ROUNDS_ANONYMOUS_PER_MINUTE": "1000000",
        "ROUNDS_LOG_FORMAT": "text",  # as soak_bench's log_errors reads it
        "PYTHONPATH": str(HERE.parent),
    }


Benchmark = Callable[[FakeSlack, FakeConnector, Path], Awaitable[bool]]


async def with_fakes(bench: Benchmark) -> int:
    """Run `bench` against a fake Slack and Bot Connector in a scratch folder; the exit
    status (1 when a target was missed)."""
    slack, teams = FakeSlack(), FakeConnector()
    await slack.start()
    await teams.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ok = await bench(slack, teams, Path(tmp))
    finally:
        await slack.stop()
        await teams.stop()
    return 0 if ok else 1
