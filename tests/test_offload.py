"""Closing a long thread does its heavy work (themes, actions, the transcript) in a worker
thread, bounded by a size budget, so the event loop keeps answering everyone else."""

from __future__ import annotations

import asyncio
import gc
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert

from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.reflect import summary
from bot.store import Store
from bot.store.reflections import Contribution
from bot.store.schema import contributions
from tests.conftest import text_of
from tests.test_reflect import START, World, make_world

WORDS = [
    *("handover", "staffing", "rota", "escalation", "safety", "night", "shift", "ward"),
    *("round", "kindness", "feedback", "huddle", "learning", "incident", "pressure"),
    *("team", "sickness", "morale", "listening", "leadership", "delegation", "workload"),
]


def replies(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 60))) for _ in range(count)]


async def long_thread(world: World, count: int) -> None:
    """A thread on its last question with `count` named replies (stored in one go)."""
    await world.say("reflect start manager-medic")
    await world.say("reflect next")
    await world.say("reflect next")
    found = await world.latest()
    rows = [
        {
            "reflection_id": found.id,
            "step": n % 3,
            "author": f"console:T1:U-{n % 40}",
            "author_name": f"Person {n % 40}",
            "text": text,
            "message_id": f"m{n}",
            "created_at": START,
            "pending": False,
        }
        for n, text in enumerate(replies(count))
    ]
    async with world.store.engine.begin() as conn:
        await conn.execute(insert(contributions), rows)


def recorded(work: Callable[..., Any], threads: list[int]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        threads.append(threading.get_ident())
        return work(*args)

    return wrapper


@pytest.fixture
async def world(library: Library, index: LookupIndex, store: Store) -> World:
    return await make_world(library, index, store)


async def test_the_summary_and_transcript_are_made_off_the_loop_thread(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    monkeypatch.setattr(summary, "digest", recorded(summary.digest, threads))
    monkeypatch.setattr(summary, "transcript", recorded(summary.transcript, threads))
    await long_thread(world, 30)
    reply = await world.say("reflect close")
    assert "is closed" in text_of(reply)
    assert len(threads) == 2  # the digest, then the facilitator's transcript
    assert threading.get_ident() not in threads
    await world.say("reflect export")
    assert len(threads) == 3 and threading.get_ident() not in threads


async def test_the_loop_keeps_ticking_while_a_2000_reply_thread_closes(world: World) -> None:
    await long_thread(world, 2000)
    worst = 0.0
    gc.collect()
    gc.freeze()  # as `rounds serve` does once started: a full collection skips what it froze
    try:
        closing = asyncio.create_task(world.say("reflect close"))
        while not closing.done():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)
    finally:
        gc.unfreeze()
    assert "is closed" in text_of(await closing)
    assert worst < 0.25, f"the loop waited {worst * 1000:.0f} ms"  # 20-50 ms measured
    posted = world.in_thread(await world.thread())[-1]
    words = text_of(posted)
    assert "Themes:" in words and "of its 2000 replies, taken evenly across it" in words
    last = sum(1 for n in range(2000) if n % 3 == 2)  # the answers to the last question
    assert f"…and {last - summary.ACTIONS_SHOWN} more answers" in words


def test_themes_read_at_most_the_budget_spread_across_the_thread() -> None:
    texts = [f"reply {n} " + "x" * 90 for n in range(1000)]  # 100 characters each
    read = summary.spread(texts, 10_000)
    assert sum(len(t) for t in read) <= 10_000 and len(read) == 100
    assert read[0] == texts[0] and read[-1].startswith("reply 990 ")  # the end is heard too
    assert summary.spread(texts[:5], 10_000) == texts[:5]


def test_a_short_thread_is_read_whole_and_says_nothing_of_a_budget(library: Library) -> None:
    model = library.models["what-so-what-now-what"]
    said = [
        Contribution(n, 1, 2, f"k{n}", None, text, START)
        for n, text in enumerate(["I will ring the bed manager.", "I will ask for a huddle."])
    ]
    made = summary.digest(model, said)
    assert made.read == made.replies == 2 and made.more_actions == 0
    assert made.actions == ("I will ring the bed manager.", "I will ask for a huddle.")
