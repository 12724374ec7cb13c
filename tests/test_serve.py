"""`rounds serve` as an operator runs it: a real process, real HTTP, Slack faked."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from rounds.server import SLACK_HTTP, SLACK_OFF
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    JSON,
    SIGNING_SECRET,
    app_mention,
    event_callback,
    post_signed,
    signed,
    slash_command,
)
from tests.slack_harness import slack_env


async def launch(env: dict[str, str], *options: str) -> asyncio.subprocess.Process:
    """`rounds serve` (with `options`, such as --slack-socket-mode) on a free port of
    127.0.0.1, `env` on top of this process's environment, its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rounds.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *options,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@asynccontextmanager
async def serve(env: dict[str, str], *options: str) -> AsyncIterator[tuple[str, list[str]]]:
    """Start `rounds serve` (with `options`, such as --slack-socket-mode) on a free port;
    yield its URL and the lines it printed."""
    proc = await launch(env, *options)
    assert proc.stdout is not None and proc.stderr is not None
    # The logs are read as they come: at debug they would fill the pipe and stall the server.
    errors = asyncio.create_task(proc.stderr.read())
    printed: list[str] = []
    try:
        while not printed or "listening on" not in printed[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            assert line, f"rounds serve ended: {printed} {await errors!r}"
            printed.append(line.decode().strip())
        yield printed[-1].rsplit(" ", 1)[1], printed
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.stdout.read(), timeout=30)
        await asyncio.wait_for(proc.wait(), timeout=30)
        printed += rest.decode().splitlines()
        printed.append(f"exit {proc.returncode}")
        printed += [f"stderr: {line}" for line in (await errors).decode().splitlines()]


async def test_serve_answers_slack_and_reports_health(fake: FakeSlack, tmp_path: Path) -> None:
    async with serve(slack_env(fake, tmp_path / "r.db")) as (url, printed):
        assert SLACK_HTTP in printed
        async with aiohttp.ClientSession() as http:
            body = slash_command("lookup triumvirate", fake.response_url())
            async with http.post(f"{url}/slack/events", data=body, headers=signed(body)) as answer:
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
        assert (await post_signed(http, url, body))[0] == 404
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


def json_lines(printed: list[str]) -> list[dict[str, object]]:
    found = []
    for line in printed:
        text = line.removeprefix("stderr: ")
        if text.startswith("{"):
            found.append(json.loads(text))
    return found


async def test_serve_logs_each_request_as_json_and_counts_lookups_and_retries(
    fake: FakeSlack, tmp_path: Path
) -> None:
    env = {**slack_env(fake, tmp_path / "r.db"), "ROUNDS_LOG_FORMAT": "json"}
    async with serve(env) as (url, printed), aiohttp.ClientSession() as http:
        for words in ("lookup triumvirate", "lookup qqqzzzxx"):
            body = slash_command(words, fake.response_url())
            assert (await post_signed(http, url, body))[0] == 200
        fake.fail("chat.postMessage", 500)  # the prompt's post is retried once
        mention = event_callback(app_mention("<@U0BOT> prompt"), event_id="EvPrompt")
        assert (await post_signed(http, url, mention, JSON))[0] == 200
        await fake.wait_for("chat.postMessage", 2, timeout=15)
        async with http.get(f"{url}/metrics") as metrics:
            exposed = await metrics.text()
    assert 'rounds_lookups_total{outcome="found",platform="slack"} 1.0' in exposed
    assert 'rounds_lookups_total{outcome="none",platform="slack"} 1.0' in exposed
    assert 'rounds_outbound_retries_total{platform="slack",reason="500"} 1.0' in exposed
    access = [e for e in json_lines(printed) if e.get("logger") == "rounds.access"]
    lookups = [e for e in access if e.get("command") == "lookup"]
    assert len(lookups) == 2 and {e["platform"] for e in lookups} == {"slack"}
    assert all(isinstance(e["latency_ms"], float) and e["outcome"] == "ok" for e in lookups)
    assert [e["kind"] for e in access if e.get("command") == "prompt"] == ["command"]
    everything = "\n".join(printed)
    assert "triumvirate" not in everything and "qqqzzzxx" not in everything  # no query text


def test_errors_logged_by_rounds_are_counted_by_component() -> None:
    from prometheus_client import REGISTRY

    from rounds.metrics import install

    install()
    before = REGISTRY.get_sample_value("rounds_errors_total", {"component": "teams"}) or 0.0
    logging.getLogger("rounds.teams").error("a turn failed")
    logging.getLogger("rounds.teams").warning("not an error")
    logging.getLogger("elsewhere").error("not ours")
    after = REGISTRY.get_sample_value("rounds_errors_total", {"component": "teams"})
    assert after == before + 1


async def test_at_log_level_warning_only_problems_are_logged(
    fake: FakeSlack, tmp_path: Path
) -> None:
    env = {**slack_env(fake, tmp_path / "r.db"), "ROUNDS_LOG_LEVEL": "warning"}
    async with serve(env) as (url, printed), aiohttp.ClientSession() as http:
        body = slash_command("help", fake.response_url())
        assert (await post_signed(http, url, body))[0] == 200
    assert "exit 0" in printed
    assert [line for line in printed if line.startswith("stderr:")] == []  # no access log
