"""One scheduled slot fanned out to 5,000 Slack channels, against a fake Slack Web API that
enforces about one message a second per channel and a workspace budget (answering 429 with
Retry-After beyond it, as Slack does). Rounds' scheduler and Slack outbox run in this
process with the budget configured; SQLite holds the schedules and the ledger.

Reported: messages delivered, lost (channels without a post) and doubled (channels with
more than one), 429s received, and the achieved rate as a fraction of the budget.
Target: at least 0.9 of the budget, zero lost, zero doubled."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.slack.outbox import SlackOutbox
from bot.content.loader import bundled_content_dir, load_library
from bot.context import Context
from bot.lookup import LookupIndex
from bot.store import Store
from bot.store.schedules import NewSchedule, ScheduleStore
from scheduler.service import Scheduler
from tests.fakes.slack_api import FakeSlack

CHANNELS = 5_000
BUDGET_PER_MINUTE = 6_000  # 100 a second: 5,000 posts take about 50 s
TARGET = 0.9
DEADLINE_S = 300


async def due_schedules(store: Store) -> None:
    """Every channel's weekly slot was a minute ago; the schedules were set up yesterday."""
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    setup = ScheduleStore(store.engine, lambda: yesterday)
    slot = dt.datetime.now(ZoneInfo("Europe/London")) - dt.timedelta(minutes=1)
    rule = (slot.weekday(), f"{slot:%H:%M}", "Europe/London", ())
    for n in range(CHANNELS):
        channel = f"C{n:05d}"
        await setup.save(NewSchedule(f"slack:T0TEST:{channel}", "slack", channel, "T0TEST", *rule))


async def fan_out(store: Store, fake: FakeSlack) -> float:
    library = load_library([bundled_content_dir()]).library
    outbox = SlackOutbox(fake.bot_token, fake.api_url, workspace_per_minute=BUDGET_PER_MINUTE)
    index = LookupIndex.from_library(library)
    ctx = Context(library, index, store, random.Random(1), outboxes={"slack": outbox})
    scheduler = Scheduler(ctx, concurrency=256)
    store.schedules.lease = dt.timedelta(seconds=5)
    started = time.perf_counter()
    try:
        while len(fake.history) < CHANNELS and time.perf_counter() - started < DEADLINE_S:
            await scheduler.tick()
            if len(fake.history) < CHANNELS:
                await asyncio.sleep(1)  # claims refused by 429s come back after their lease
    finally:
        await outbox.close()
    return time.perf_counter() - started


def report(fake: FakeSlack, elapsed: float) -> bool:
    per_channel = Counter({c: len(ms) for c, ms in fake.history.items()})
    delivered = sum(per_channel.values())
    lost = CHANNELS - len(per_channel)
    doubled = sum(1 for n in per_channel.values() if n > 1)
    refused = sum(1 for c in fake.calls_to("chat.postMessage")) - delivered
    achieved = delivered / elapsed * 60 / BUDGET_PER_MINUTE
    print(f"fan-out of one slot to {CHANNELS:,} Slack channels, budget {BUDGET_PER_MINUTE}/min")
    print(f"{'delivered':<22}{delivered:>10,}")
    print(f"{'lost':<22}{lost:>10,}")
    print(f"{'doubled':<22}{doubled:>10,}")
    print(f"{'refused with 429':<22}{refused:>10,}")
    print(f"{'time':<22}{elapsed:>9.1f}s")
    print(f"{'rate / budget':<22}{achieved:>10.2f}")
    ok = achieved >= TARGET and lost == 0 and doubled == 0
    print(
        f"target: rate >= {TARGET} of the budget, 0 lost, 0 doubled ... {'PASS' if ok else 'FAIL'}"
    )
    return ok


async def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    fake = FakeSlack()
    await fake.start()
    fake.limit(per_minute=BUDGET_PER_MINUTE)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite:///{Path(tmp) / 'fanout.db'}")
        await due_schedules(store)
        elapsed = await fan_out(store, fake)
        ok = report(fake, elapsed)
        await store.close()
    await fake.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
