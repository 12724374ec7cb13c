"""IdentityMemo: the same object gets the remembered answer; an equal one does not."""

from __future__ import annotations

from bot.memo import IdentityMemo


def test_remembers_by_identity_and_forgets_the_oldest() -> None:
    calls: list[list[int]] = []

    def make(obj: list[int]) -> int:
        calls.append(obj)
        return sum(obj)

    memo: IdentityMemo[list[int], int] = IdentityMemo(size=2)
    a, b, c = [1], [1], [2]
    assert memo.get(a, make) == 1 and memo.get(a, make) == 1
    assert len(calls) == 1  # a second time: remembered
    assert memo.get(b, make) == 1 and len(calls) == 2  # equal but not the same: made again
    memo.get(c, make)  # a is now the oldest and is forgotten
    memo.get(a, make)
    assert len(calls) == 4
