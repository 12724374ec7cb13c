"""The store on SQLite and, when ROUNDS_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy.exc import OperationalError

from bot.content.model import Library
from bot.context import Context
from bot.durations import LEASE
from bot.lookup import LookupIndex
from bot.store import Store, async_url, choose_next, migrate
from bot.store.keeping import Purged
from bot.store.migrate import current_revision
from bot.store.reflections import digest
from bot.store.schedules import utc
from bot.store.schema import contributions, reflections, schedules
from scheduler.reflections import purge
from tests.conftest import PG_URL, postgres_database


def test_async_url() -> None:
    assert async_url("sqlite:///rounds.db") == "sqlite+aiosqlite:///rounds.db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite+aiosqlite:///x") == "sqlite+aiosqlite:///x"
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://h/db")
    with pytest.raises(ValueError, match="looks like"):
        async_url("rounds.db")


def test_choose_next_prefers_unseen_then_resets() -> None:
    rng = random.Random(1)
    assert choose_next(["a", "b", "c"], {"a", "c"}, rng) == ("b", False)
    item, reset = choose_next(["a", "b"], {"a", "b", "z"}, rng)
    assert reset and item in {"a", "b"}
    with pytest.raises(ValueError):
        choose_next([], set(), rng)


async def test_migrations_create_the_schema(any_store: Store) -> None:
    assert await current_revision(any_store.engine) == "0012"
    async with any_store.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert {"rotation_seen", "seen_events", "conversation_refs", "reflections"} <= set(tables)
    assert "contributions" in tables


async def test_conversation_references_are_saved_replaced_and_forgotten(any_store: Store) -> None:
    key = "teams:tenant:19:abc@thread.tacv2"
    assert await any_store.reference(key) is None
    await any_store.save_reference(key, "teams", {"serviceUrl": "https://a.example/"})
    await any_store.save_reference(key, "teams", {"serviceUrl": "https://b.example/"})
    await any_store.save_reference("slack:T:C", "slack", {"x": "y"})
    assert await any_store.reference(key) == {"serviceUrl": "https://b.example/"}
    assert await any_store.references("teams") == {key: {"serviceUrl": "https://b.example/"}}
    assert await any_store.forget_reference(key)
    assert not await any_store.forget_reference(key)
    assert await any_store.reference(key) is None


async def test_an_event_id_is_claimed_once(any_store: Store) -> None:
    assert await any_store.claim_event("Ev1")
    assert not await any_store.claim_event("Ev1")
    assert await any_store.claim_event("Ev2")


async def test_event_ids_expire_after_their_ttl(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)]
    store = await Store.open(f"sqlite:///{tmp_path / 'e.db'}", clock=lambda: now[0])
    assert await store.claim_event("Ev-old")
    now[0] += dt.timedelta(hours=3)
    assert await store.prune_events(now[0] - dt.timedelta(hours=2)) == 1
    assert await store.claim_event("Ev-old")
    await store.close()


async def test_rotation_covers_the_pool_before_repeating(any_store: Store) -> None:
    rng = random.Random(3)
    pool = [f"q{i}" for i in range(7)]
    first_round = [await any_store.rotate("c1", "quote", pool, rng) for _ in pool]
    assert sorted(first_round) == sorted(pool)
    second_round = [await any_store.rotate("c1", "quote", pool, rng) for _ in pool]
    assert sorted(second_round) == sorted(pool)
    assert first_round != second_round  # shuffled, not a fixed order


async def test_rotation_is_separate_per_conversation_and_kind(any_store: Store) -> None:
    rng = random.Random(5)
    await any_store.rotate("c1", "quote", ["a"], rng)
    assert await any_store.seen("c1", "quote") == {"a"}
    assert await any_store.seen("c2", "quote") == set()
    assert await any_store.seen("c1", "prompt") == set()


async def test_rotation_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = await Store.open(url)
    await store.rotate("c", "prompt", ["a", "b"], random.Random(1))
    await store.close()
    reopened = await Store.open(url)
    assert len(await reopened.seen("c", "prompt")) == 1
    await reopened.close()


async def test_a_sqlite_file_that_cannot_be_opened_leaves_no_driver_thread(tmp_path: Path) -> None:
    """aiosqlite stops its worker thread when a connection fails to open, without waiting
    for it, and the thread then reports back to the event loop: a loop closed in between
    (asyncio.run ending on the error) made it die with "Event loop is closed". The error
    reaches the caller only once the thread is gone."""

    def drivers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if "_connection_worker" in t.name}

    store = await Store.open(f"sqlite:///{tmp_path / 'missing' / 'r.db'}", upgrade=False)
    before = drivers()
    for _attempt in range(3):
        with pytest.raises(OperationalError, match="unable to open"):
            await store.ping()
        assert drivers() <= before
    await store.close()


def db_upgrade(database_url: str) -> subprocess.CompletedProcess[str]:
    """`rounds db upgrade`, run as an operator would, on `database_url`."""
    return subprocess.run(
        [sys.executable, "-m", "rounds.cli", "db", "upgrade"],
        env={**os.environ, "ROUNDS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_db_upgrade_command(tmp_path: Path) -> None:
    done = db_upgrade(f"sqlite:///{tmp_path / 'cli.db'}")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout and (tmp_path / "cli.db").exists()


def test_db_upgrade_with_a_bad_url_is_a_clear_error(tmp_path: Path) -> None:
    done = db_upgrade("mysql://nobody:secret-pw@host/db")
    assert done.returncode == 2
    assert "ROUNDS_DATABASE_URL" in done.stderr and "secret-pw" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need ROUNDS_TEST_DATABASE_URL")
async def test_replicas_starting_together_migrate_one_at_a_time() -> None:
    """Several `rounds serve` processes starting at once on an empty PostgreSQL database:
    one migrates, the others wait and find the schema ready."""
    async with postgres_database() as url:
        stores = await asyncio.gather(*(Store.open(url) for _ in range(4)))
        assert {await current_revision(s.engine) for s in stores} == {"0012"}
        for store in stores:
            await store.close()


# 0007: people are (platform, workspace, user id)

TEAMS_TENANT = "00000000-0000-0000-0000-00000000fa4e"
WHEN = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def placed(ident: int, platform: str, workspace: str) -> dict[str, Any]:
    """The columns that say where a row belongs: its id, channel C{ident} and conversation."""
    return {
        "id": ident,
        "conversation": f"{platform}:{workspace}:C{ident}",
        "platform": platform,
        "channel": f"C{ident}",
        "workspace": workspace,
    }


def thread_row(
    ident: int, platform: str, workspace: str, facilitator: str | None
) -> dict[str, Any]:
    return {
        **placed(ident, platform, workspace),
        "thread": f"t{ident}",
        "topic": "manager-medic",
        "model": "gibbs",
        "facilitator": facilitator,
        "anonymous": False,
        "step": 0,
        "state": "open",
        "opened_at": WHEN,
        "closes_at": WHEN,
    }


def said(ident: int, thread: int, author: str | None) -> dict[str, Any]:
    row = {"id": ident, "reflection_id": thread, "step": 0, "author": author, "text": "x"}
    return {**row, "created_at": WHEN}


def schedule_row(
    ident: int, platform: str, workspace: str, created_by: str | None
) -> dict[str, Any]:
    return {
        **placed(ident, platform, workspace),
        "weekday": 0,
        "at": "09:00",
        "timezone": "Europe/London",
        "topics": "",
        "paused": False,
        "since": WHEN,
        "updated_at": WHEN,
        "created_by": created_by,
    }


OLD_ROWS = {
    reflections: [
        thread_row(1, "slack", "T1", "U123"),
        thread_row(2, "teams", TEAMS_TENANT, "29:abc"),  # Teams ids may hold ':'
        thread_row(3, "console", "local", None),  # erased
    ],
    contributions: [
        said(1, 1, "U123"),
        said(2, 1, None),  # anonymous
        said(3, 2, "29:abc"),
        said(4, 3, "alice"),
    ],
    schedules: [
        schedule_row(1, "slack", "T1", "U123"),
        schedule_row(2, "teams", TEAMS_TENANT, None),
    ],
}


async def people_in(store: Store) -> list[str | None]:
    async with store.engine.connect() as conn:
        found = [
            (await conn.execute(select(column).order_by(column.table.c.id))).scalars().all()
            for column in (
                reflections.c.facilitator,
                contributions.c.author,
                schedules.c.created_by,
            )
        ]
    return [value for values in found for value in values]


@pytest.fixture
async def at_0006(database_url: str) -> AsyncIterator[Store]:
    """A database left at revision 0006, with rows as the code of that time wrote them."""
    store = await Store.open(database_url, upgrade=False)
    await migrate.upgrade(store.engine, "0006")
    async with store.engine.begin() as conn:
        for table, rows in OLD_ROWS.items():
            await conn.execute(insert(table), rows)
    yield store
    await store.close()


async def test_0007_qualifies_stored_people_with_their_platform_and_workspace(
    at_0006: Store,
) -> None:
    await migrate.upgrade(at_0006.engine, "0007")
    assert await current_revision(at_0006.engine) == "0007"
    teams = f"teams:{TEAMS_TENANT}:29:abc"
    assert await people_in(at_0006) == [
        *("slack:T1:U123", teams, None),  # facilitators; NULL (erased) stays NULL
        *("slack:T1:U123", None, teams, "console:local:alice"),  # authors, with their thread's
        *("slack:T1:U123", None),  # schedules' creators
    ]
    # what forget-me now looks for: the Slack U123's rows, by their key
    erased = await at_0006.reflections.forget("slack:T1:U123")
    assert (erased.contributions, erased.facilitated) == (1, 1)


async def test_0007_downgrades_to_bare_ids_and_upgrades_again(at_0006: Store) -> None:
    before = await people_in(at_0006)
    await migrate.upgrade(at_0006.engine)
    qualified = await people_in(at_0006)
    await migrate.upgrade(at_0006.engine)  # at head already: nothing is qualified twice
    assert await people_in(at_0006) == qualified

    def down(conn: Connection) -> None:
        command.downgrade(migrate._config(conn), "0006")

    async with at_0006.engine.begin() as conn:
        await conn.run_sync(down)
    assert await people_in(at_0006) == before
    await migrate.upgrade(at_0006.engine)
    assert await people_in(at_0006) == qualified


async def test_bare_ids_written_during_a_rolling_upgrade_are_qualified_by_the_daily_job(
    at_0006: Store, library: Library, index: LookupIndex
) -> None:
    """A replica still on older code writes bare ids after 0007 has run; the retention job
    (at start and daily) qualifies them, so permissions and forget-me find them."""
    await migrate.upgrade(at_0006.engine)
    qualified = await people_in(at_0006)
    async with at_0006.engine.begin() as conn:  # what the old code writes
        await conn.execute(insert(reflections), [thread_row(4, "slack", "T1", "U777")])
        await conn.execute(insert(contributions), [said(5, 4, "U777")])
    ctx = Context(library=library, index=index, store=at_0006)
    await purge(ctx)
    assert await people_in(at_0006) == [
        *qualified[:3],
        "slack:T1:U777",
        *qualified[3:7],
        "slack:T1:U777",
        *qualified[7:],
    ]
    assert await at_0006.qualify_people() == 0  # nothing left to do


# 0008: retention and erasure cover what Rounds delivered


@pytest.fixture
async def at_0007(database_url: str) -> AsyncIterator[Store]:
    """A database at revision 0007: an anonymous thread whose replies kept their platform
    message ids, a named thread, and a close stuck in `closing`."""
    store = await Store.open(database_url, upgrade=False)
    await migrate.upgrade(store.engine, "0007")
    lease = WHEN + dt.timedelta(minutes=5)
    threads = [  # one statement for all: each row has the same keys
        {**thread_row(1, "slack", "T1", "slack:T1:U1"), "anonymous": True, "claimed_until": None},
        {**thread_row(2, "slack", "T1", "slack:T1:U1"), "claimed_until": None},
        {**thread_row(3, "slack", "T1", None), "state": "closing", "claimed_until": lease},
    ]
    replies = [
        {**said(1, 1, None), "message_id": "1700000100.000001"},
        {**said(2, 1, None), "message_id": None},
        {**said(3, 2, "slack:T1:U2"), "message_id": "1700000100.000002"},
    ]
    async with store.engine.begin() as conn:
        await conn.execute(insert(reflections), threads)
        await conn.execute(insert(contributions), replies)
    yield store
    await store.close()


async def stored_ids(store: Store) -> list[str | None]:
    query = select(contributions.c.message_id).order_by(contributions.c.id)
    async with store.engine.connect() as conn:
        return list((await conn.execute(query)).scalars())


async def test_0008_digests_anonymous_threads_message_ids_and_adds_the_new_columns(
    at_0007: Store,
) -> None:
    await migrate.upgrade(at_0007.engine, "0008")
    assert await current_revision(at_0007.engine) == "0008"
    async with at_0007.engine.connect() as conn:
        rows = (await conn.execute(select(reflections).order_by(reflections.c.id))).all()
        columns = await conn.run_sync(
            lambda c: {t: {x["name"] for x in inspect(c).get_columns(t)} for t in TABLES}
        )
    salt = rows[0].salt
    assert salt and rows[1].salt is None and rows[2].salt is None  # anonymous threads only
    assert await stored_ids(at_0007) == [
        digest(salt, "1700000100.000001"),  # no longer the platform's id…
        None,
        "1700000100.000002",  # a named thread's is kept as it was
    ]
    assert digest(salt, "1700000100.000001") != "1700000100.000001"
    # …but the platform's id still finds it: a retry is recognised, a deletion deletes it
    assert (
        await at_0007.reflections.contribute(1, 0, "again", message_id="1700000100.000001") is None
    )
    assert await at_0007.reflections.remove_message(1, "1700000100.000001")
    assert rows[2].closing_since is not None and utc(rows[2].closing_since) == WHEN + LEASE
    assert {"person"} <= columns["conversation_refs"]
    assert {"reflection_id", "conversation", "message_id", "file_id", "recipient"} <= columns[
        "sent_transcripts"
    ]

    def down(conn: Connection) -> None:
        command.downgrade(migrate._config(conn), "0007")

    async with at_0007.engine.begin() as conn:
        await conn.run_sync(down)
    assert await current_revision(at_0007.engine) == "0007"
    await migrate.upgrade(at_0007.engine, "0008")  # and up again
    assert await current_revision(at_0007.engine) == "0008"


TABLES = ("conversation_refs", "sent_transcripts", "reflections")


async def test_a_1_1_chat_reference_names_its_person_and_is_forgotten_with_them(
    any_store: Store,
) -> None:
    chat, channel = "teams:tenant:a:1chat", "teams:tenant:19:abc@thread.tacv2"
    await any_store.save_reference(chat, "teams", {"serviceUrl": "https://a/"}, "teams:tenant:U1")
    await any_store.save_reference(channel, "teams", {"serviceUrl": "https://a/"})
    await any_store.save_reference("teams:tenant:a:2chat", "teams", {}, "teams:other:U1")
    assert await any_store.personal_references("teams:tenant:U1") == 1
    assert await any_store.forget_personal_references("teams:tenant:U1") == 1
    assert await any_store.reference(chat) is None
    assert await any_store.reference(channel) is not None  # a channel's names no one
    assert await any_store.reference("teams:tenant:a:2chat") is not None  # someone else


async def test_a_thread_with_a_transcript_still_out_is_kept_until_it_is_withdrawn(
    any_store: Store,
) -> None:
    """No cascade: on PostgreSQL the foreign key would refuse to delete such a thread; the
    purge leaves it (and deletes its contributions) until its transcripts are gone."""
    async with any_store.engine.begin() as conn:
        await conn.execute(insert(reflections), [thread_row(1, "slack", "T1", None)])
        await conn.execute(insert(contributions), [said(1, 1, "slack:T1:U2")])
    closed = {"state": "closed", "closed_at": WHEN}
    async with any_store.engine.begin() as conn:
        await conn.execute(reflections.update().values(closed))
    store = any_store.reflections
    await store.record_transcript(1, "slack", "slack:T1:U1", "D1", ["1.1"], ["F1"])
    later = WHEN + dt.timedelta(days=1)
    [message, file] = await store.expired_transcripts(later)
    assert (message.conversation, message.message_id, message.file_id) == ("D1", "1.1", None)
    assert (file.message_id, file.file_id, file.channel) == (None, "F1", "C1")
    assert await store.purge(later) == Purged(threads=0, contributions=1)
    assert await store.get(1) is not None
    assert [t.id for t in await store.transcripts_to("slack:T1:U1")] == [message.id, file.id]
    await store.drop_transcripts([message.id, file.id])
    assert await store.purge(later) == Purged(threads=1)
    assert await store.get(1) is None
