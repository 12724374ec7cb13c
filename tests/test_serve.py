"""`rounds serve` as an operator runs it: a real process, real HTTP, Slack faked."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from rounds.server import SLACK_HTTP, SLACK_OFF
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, sign, slash_command

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.stop()


@asynccontextmanager
async def serve(env: dict[str, str]) -> AsyncIterator[tuple[str, list[str]]]:
    """Start `rounds serve` on a free port; yield its URL and the lines it printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rounds.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    printed: list[str] = []
    try:
        while not printed or "listening on" not in printed[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            assert line, f"rounds serve ended: {printed} {await proc.stderr.read()!r}"
            printed.append(line.decode().strip())
        yield printed[-1].rsplit(" ", 1)[1], printed
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        rest, errors = await asyncio.wait_for(proc.communicate(), timeout=30)
        printed += rest.decode().splitlines()
        printed.append(f"exit {proc.returncode}")
        printed += [f"stderr: {line}" for line in errors.decode().splitlines()]


def slack_env(fake: FakeSlack, db: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": f"sqlite:///{db}",
    }


async def test_serve_answers_slack_and_reports_health(fake: FakeSlack, tmp_path: Path) -> None:
    async with serve(slack_env(fake, tmp_path / "r.db")) as (url, printed):
        assert SLACK_HTTP in printed
        async with aiohttp.ClientSession() as http:
            body = slash_command("lookup triumvirate", fake.response_url())
            headers = {"Content-Type": FORM, **sign(body)}
            async with http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
                assert answer.status == 200
                assert "triumvirate" in json.dumps(await answer.json()).lower()
            async with http.get(f"{url}/healthz") as health, http.get(f"{url}/readyz") as ready:
                assert health.status == 200 and ready.status == 200
            async with http.get(f"{url}/metrics") as metrics:
                exposed = await metrics.text()
    assert 'name="lookup"' in exposed and 'platform="slack"' in exposed
    assert "Rounds stopped" in printed and "exit 0" in printed
    everything = "\n".join(printed)
    assert fake.bot_token not in everything and SIGNING_SECRET not in everything


async def test_serve_without_slack_says_so_and_mounts_nothing(tmp_path: Path) -> None:
    env = {"ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    env |= {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": ""}
    async with serve(env) as (url, printed), aiohttp.ClientSession() as http:
        assert SLACK_OFF in printed
        body = slash_command("help", "http://127.0.0.1:9/r")
        headers = {"Content-Type": FORM, **sign(body)}
        async with http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
            assert answer.status == 404
    assert "exit 0" in printed


async def test_socket_mode_without_an_app_token_is_a_clear_error(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-not-a-real-token",
        "SLACK_APP_TOKEN": "",
        "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rounds.cli",
        "serve",
        "--slack-socket-mode",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, errors = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2
    assert "SLACK_APP_TOKEN" in errors.decode() and "Traceback" not in errors.decode()
