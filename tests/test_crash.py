"""Exactly once through a crash: `rounds serve` is killed with SIGKILL in the middle of a
fan-out to 200 Slack channels and started again; every channel ends with one post for the
slot. Posts that went out before the crash but never reached the ledger are found again by
the slot id in their Slack message metadata."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.store import Store
from bot.store.schedules import NewSchedule, ScheduleStore
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET

CHANNELS = 200
LONDON = ZoneInfo("Europe/London")


async def schedules_due_now(url: str) -> None:
    """200 channels whose weekly slot was three minutes ago (set up yesterday)."""
    store = await Store.open(url)
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    setup = ScheduleStore(store.engine, lambda: yesterday)
    slot = dt.datetime.now(LONDON) - dt.timedelta(minutes=3)
    for n in range(CHANNELS):
        rule = (slot.weekday(), f"{slot:%H:%M}", "Europe/London", ())
        await setup.save(
            NewSchedule(f"slack:T0TEST:C{n:03d}", "slack", f"C{n:03d}", "T0TEST", *rule)
        )
    await store.close()


async def start(env: dict[str, str]) -> asyncio.subprocess.Process:
    command = ["-m", "rounds.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def posted_channels(fake: FakeSlack, at_least: int, within: float) -> int:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if len(fake.history) >= at_least:
            return len(fake.history)
        await asyncio.sleep(0.05)
    return len(fake.history)


async def test_a_fan_out_killed_mid_way_posts_every_channel_exactly_once(
    fake: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'rounds.db'}"
    await schedules_due_now(url)
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "ROUNDS_DATABASE_URL": url,
        "ROUNDS_CLAIM_LEASE_SECONDS": "2",
        "ROUNDS_SCHEDULER_PASS_SECONDS": "1",
        "ROUNDS_SLACK_PER_MINUTE": "60000",  # the budget is benchmarked elsewhere
    }
    fake.delay = 0.6  # each post takes a while, so the kill lands mid fan-out
    first = await start(env)
    reached = await posted_channels(fake, 40, within=30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert 40 <= reached < CHANNELS, "the kill should land in the middle of the fan-out"
    fake.delay = 0.0
    second = await start(env)
    try:
        assert await posted_channels(fake, CHANNELS, within=40) == CHANNELS
        await asyncio.sleep(2.5)  # past a lease and two more passes: nothing else may come
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    per_channel = Counter(channel for channel, messages in fake.history.items() for _ in messages)
    assert set(per_channel.values()) == {1}
    slots = {m["metadata"]["event_payload"]["slot"] for ms in fake.history.values() for m in ms}
    assert len(slots) == CHANNELS  # each channel's post names its own schedule's slot
