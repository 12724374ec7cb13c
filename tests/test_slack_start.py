"""`rounds serve` checks its Slack bot token as it starts (`auth.test`): a real process, real
HTTP, Slack faked. A token Slack refuses, or Slack out of reach, is one line naming
SLACK_BOT_TOKEN (never its value) and exit code 1, over HTTP and Socket Mode alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from rounds.server import SLACK_AWAY, SLACK_REFUSED
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.slack_harness import slack_env
from tests.test_serve import launch, serve

SOCKET = ("--slack-socket-mode",)


async def refused_start(env: dict[str, str], *options: str) -> tuple[int | None, list[str]]:
    """Run `rounds serve` expecting it not to start; its exit code and every line it wrote
    (standard output and error)."""
    proc = await launch(env, *options)
    out, errors = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, [*out.decode().splitlines(), *errors.decode().splitlines()]


def socket_env(fake: FakeSlack, db: Path) -> dict[str, str]:
    return {**slack_env(fake, db), "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": fake.app_token}


@pytest.mark.parametrize("options", [(), SOCKET], ids=["http", "socket-mode"])
@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "invalid_auth"])
async def test_a_token_slack_refuses_is_one_line_and_exit_1(
    fake: FakeSlack, tmp_path: Path, options: tuple[str, ...], error: str
) -> None:
    fake.refuse(fake.bot_token, error)
    env = socket_env(fake, tmp_path / "r.db") if options else slack_env(fake, tmp_path / "r.db")
    code, printed = await refused_start(env, *options)
    assert code == 1
    assert printed == ["rounds: " + SLACK_REFUSED.format(code=error)], printed
    assert "SLACK_BOT_TOKEN" in printed[0] and fake.bot_token not in printed[0]
    assert [c.method for c in fake.calls] == ["auth.test"]  # nothing else was tried
    assert not fake.calls_to("apps.connections.open")


async def test_an_app_token_in_place_of_the_bot_token_is_refused(
    fake: FakeSlack, tmp_path: Path
) -> None:
    env = {**slack_env(fake, tmp_path / "r.db"), "SLACK_BOT_TOKEN": fake.app_token}
    code, printed = await refused_start(env)
    assert code == 1
    assert printed == ["rounds: " + SLACK_REFUSED.format(code="not_allowed_token_type")]
    assert fake.app_token not in printed[0]


async def test_slack_out_of_reach_at_start_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-not-a-real-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ROUNDS_SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens on port 9
        "ROUNDS_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
    }
    code, printed = await refused_start(env)
    assert code == 1
    assert len(printed) == 1 and "Traceback" not in printed[0], printed
    assert printed[0].startswith("rounds: " + SLACK_AWAY.split("{", 1)[0])
    assert "SLACK_BOT_TOKEN" in printed[0] and "xoxb-" not in printed[0]


async def test_a_token_slack_takes_starts_as_before(fake: FakeSlack, tmp_path: Path) -> None:
    async with serve(slack_env(fake, tmp_path / "r.db")) as (url, printed):
        [checked] = fake.calls_to("auth.test")
        assert checked.token == fake.bot_token
        async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as ready:
            assert ready.status == 200  # (and the process is past setting up its signals)
    assert "exit 0" in printed
