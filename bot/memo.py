"""Remember a pure function's answer for recently seen objects, by identity.

For immutable values that are handed out again and again (a cached lookup result, the reply
built from it), so the work of turning them into the next form is done once. The memo keeps
a reference to each object it remembers, so an id is never mistaken for another object's."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._seen: OrderedDict[int, tuple[K, V]] = OrderedDict()

    def get(self, obj: K, make: Callable[[K], V]) -> V:
        key = id(obj)
        found = self._seen.get(key)
        if found is not None and found[0] is obj:
            self._seen.move_to_end(key)
            return found[1]
        value = make(obj)
        self._seen[key] = (obj, value)
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return value
