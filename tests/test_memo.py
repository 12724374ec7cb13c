"""Caches bounded by bytes: `ByteBudgetLRU`, `IdentityMemo` (the same object gets the
remembered answer; an equal one does not), `footprint`, and the sizes the metrics read."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bot.memo import ENTRY_BYTES, ByteBudgetLRU, IdentityMemo, footprint, sizes
from bot.replies import Visibility


def by_length(key: str, value: str) -> int:
    return len(key) + len(value)


def test_remembers_by_identity_and_forgets_the_oldest() -> None:
    calls: list[list[int]] = []

    def make(obj: list[int]) -> int:
        calls.append(obj)
        return sum(obj)

    # room for two entries of one byte each
    memo: IdentityMemo[list[int], int] = IdentityMemo("test", 2 * ENTRY_BYTES + 2, lambda o, v: 1)
    a, b, c = [1], [1], [2]
    assert memo.get(a, make) == 1 and memo.get(a, make) == 1
    assert len(calls) == 1  # a second time: remembered
    assert memo.get(b, make) == 1 and len(calls) == 2  # equal but not the same: made again
    memo.get(c, make)  # a is now the oldest and is forgotten
    memo.get(a, make)
    assert len(calls) == 4


def test_an_object_gone_is_never_mistaken_for_a_new_one_with_its_id() -> None:
    memo: IdentityMemo[list[int], int] = IdentityMemo("test", 10_000)
    first = [1]
    assert memo.get(first, sum) == 1
    key = id(first)
    memo.cache.put(key, ([5], 5))  # as if `first` had gone and another took its id
    assert memo.get(first, sum) == 1


def test_the_oldest_entries_go_once_the_budget_is_spent() -> None:
    cache: ByteBudgetLRU[str, str] = ByteBudgetLRU("test", 3 * (ENTRY_BYTES + 10), by_length)
    for key in ("aaaaa", "bbbbb", "ccccc"):
        cache.put(key, "12345")
    assert len(cache) == 3 and cache.bytes == 3 * (ENTRY_BYTES + 10)
    cache.fetch("aaaaa", lambda k: "never")  # used: now the newest
    cache.put("ddddd", "12345")
    assert "bbbbb" not in cache and {"aaaaa", "ccccc", "ddddd"} <= set(cache._entries)
    assert cache.bytes <= cache.budget


def test_a_long_entry_takes_the_room_of_many_short_ones() -> None:
    cache: ByteBudgetLRU[str, str] = ByteBudgetLRU("test", 10 * (ENTRY_BYTES + 2), by_length)
    for n in range(10):
        cache.put(str(n), "x")
    assert len(cache) == 10
    cache.put("long", "x" * 5 * ENTRY_BYTES)
    assert "long" in cache and len(cache) < 6 and cache.bytes <= cache.budget


def test_an_entry_larger_than_the_budget_is_not_kept() -> None:
    cache: ByteBudgetLRU[str, str] = ByteBudgetLRU("test", 1_000, by_length)
    cache.put("small", "x")
    made = cache.fetch("huge", lambda k: "x" * 2_000)
    assert made == "x" * 2_000  # still answered
    assert "huge" not in cache and "small" in cache


def test_putting_a_key_again_replaces_it_and_its_size() -> None:
    cache: ByteBudgetLRU[str, str] = ByteBudgetLRU("test", 10_000, by_length)
    cache.put("k", "x" * 100)
    cache.put("k", "x")
    assert len(cache) == 1 and cache.bytes == ENTRY_BYTES + 2
    cache.clear()
    assert len(cache) == 0 and cache.bytes == 0


@dataclass(frozen=True)
class Box:
    text: str
    items: tuple[str, ...]
    shown: Visibility = Visibility.PRIVATE


def test_footprint_counts_what_is_reachable_once() -> None:
    text = "x" * 10_000
    assert footprint(text) == sys.getsizeof(text)
    box = Box(text, (text, text))
    assert sys.getsizeof(text) < footprint(box) < 2 * sys.getsizeof(text)  # shared: once
    assert footprint({"a": [text, "y" * 10_000]}) > 2 * sys.getsizeof(text)
    assert footprint(box, shared=(Box,)) == 0
    assert footprint(None) == footprint(Visibility.PRIVATE) == 0


def test_sizes_add_up_caches_of_one_name() -> None:
    one: ByteBudgetLRU[str, str] = ByteBudgetLRU("test-sizes", 1_000, by_length)
    two: ByteBudgetLRU[str, str] = ByteBudgetLRU("test-sizes", 2_000, by_length)
    one.put("a", "b")
    two.put("c", "d")
    assert sizes()["test-sizes"] == (2 * (ENTRY_BYTES + 2), 3_000)
    del one, two
    import gc

    gc.collect()
    assert "test-sizes" not in sizes()
