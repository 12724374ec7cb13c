"""One assembly: the settings' durations reach every part that uses them, and the outboxes
are in the context from the start (nothing is patched in after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import select

from adapters.slack.outbox import SlackOutbox
from adapters.teams.outbox import TeamsOutbox
from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.outbox import MemoryOutbox
from bot.store.reflections import CLOSING, NewReflection
from bot.store.schedules import NewSchedule, utc
from bot.store.schema import deliveries, reflections
from rounds.assembly import Assembly, Parts, assemble
from rounds.server import Options, serving
from rounds.settings import Settings, from_env

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@asynccontextmanager
async def assembled(settings: Settings, parts: Parts) -> AsyncIterator[Assembly]:
    rounds = await assemble(settings, parts)
    try:
        yield rounds
    finally:
        await rounds.close()


def configured(db: Path, **env: str) -> Settings:
    return from_env({"ROUNDS_DATABASE_URL": f"sqlite:///{db}", **env})


async def test_a_configured_lease_holds_a_reflections_close_and_a_slots_claim(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    settings = configured(tmp_path / "r.db", ROUNDS_CLAIM_LEASE_SECONDS="42")
    parts = Parts(library=library, index=index, clock=lambda: NOW)
    async with assembled(settings, parts) as rounds:
        store = rounds.bot.ctx.store
        where = ("slack:T1:C1", "slack", "C1", "T1")
        tomorrow = NOW + dt.timedelta(days=1)
        thread = NewReflection(*where, "topic", "model", "slack:T1:U1", False, tomorrow, None, None)
        opened = await store.reflections.open(thread)
        claimed = await store.reflections.claim_close(opened.id)
        assert claimed is not None and claimed.state == CLOSING
        schedule = await store.schedules.save(NewSchedule(*where, 0, "09:00", "Europe/London", ()))
        assert await store.schedules.claim(schedule.id, NOW, "p-1") is not None
        async with store.engine.connect() as conn:
            close = (await conn.execute(select(reflections.c.claimed_until))).scalar_one()
            slot = (await conn.execute(select(deliveries.c.claimed_until))).scalar_one()
    assert utc(close) == utc(slot) == NOW + dt.timedelta(seconds=42)


async def test_the_parts_get_the_settings_durations(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    env = {
        "ROUNDS_RETENTION_DAYS": "30",
        "ROUNDS_GRACE_HOURS": "2",
        "ROUNDS_SCHEDULER_PASS_SECONDS": "15",
    }
    settings = configured(tmp_path / "r.db", **env)
    outbox = MemoryOutbox()
    parts = Parts(lambda _store: {"console": outbox}, library=library, index=index)
    async with assembled(settings, parts) as rounds:
        assert rounds.bot.ctx.retention_days == 30
        assert rounds.timer.service.grace == dt.timedelta(hours=2)
        assert rounds.timer.every == dt.timedelta(seconds=15)
        assert rounds.bot.ctx.outbox("console") is outbox
        assert rounds.timer.service.ctx is rounds.bot.ctx  # one context, one set of outboxes


async def test_serve_builds_each_platforms_outbox_with_the_outbound_timeout(
    library: Library, index: LookupIndex, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        slack_bot_token="xoxb-not-a-real-token",
        slack_signing_secret="not-a-real-secret",
        teams_emulator=True,
        outbound_timeout=dt.timedelta(seconds=7),
    )
    parts = serving(settings, Options())
    async with assembled(settings, Parts(parts.outboxes, library=library, index=index)) as r:
        slack, teams = r.bot.ctx.outbox("slack"), r.bot.ctx.outbox("teams")
        assert isinstance(slack, SlackOutbox) and slack.session.timeout.total == 7.0
        assert isinstance(teams, TeamsOutbox)
        assert teams.cloud.bot_framework_authentication.timeout == 7.0
