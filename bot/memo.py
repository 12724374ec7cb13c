"""Memory caches bounded by bytes, not by count: a long key or a large answer takes as much
of the budget as it takes of memory, so no input can make a cache grow past its budget.

`ByteBudgetLRU` forgets the least recently used entries once the estimated size of what it
holds passes its budget. `IdentityMemo` remembers a pure function's answer for recently seen
objects, by identity: for immutable values handed out again and again (a cached lookup
result, the reply built from it), so turning them into the next form is done once. It
keeps a reference to each object it remembers, so an id is never mistaken for another
object's. Every cache is listed by name in `sizes()`, for the metrics."""

from __future__ import annotations

import dataclasses
import pickle
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from enum import Enum
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

ENTRY_BYTES = 128  # what one entry costs beyond its key and value (the dict slot, the link)

_CACHES: weakref.WeakSet[ByteBudgetLRU[Any, Any]] = weakref.WeakSet()


def footprint(obj: object, shared: tuple[type, ...] = ()) -> int:
    """About how many bytes `obj` holds: it and every string, number, container and
    dataclass reachable from it, each counted once. Singletons (None, booleans, enum
    members) and objects of the `shared` types, owned elsewhere, are not counted."""
    seen: set[int] = set()
    stack = [obj]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None or isinstance(item, (bool, Enum, type, *shared)):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        stack.extend(_parts(item))
    return total


def _parts(item: object) -> Iterable[object]:
    if isinstance(item, str | bytes | int | float):
        return ()
    if isinstance(item, dict):
        return [*item.keys(), *item.values()]
    if isinstance(item, list | tuple | set | frozenset):
        return item
    if dataclasses.is_dataclass(item) and not hasattr(item, "__dict__"):  # with slots
        return [getattr(item, f.name) for f in dataclasses.fields(item)]
    attributes = getattr(item, "__dict__", None)
    return [attributes] if isinstance(attributes, dict) else ()


# Memory per byte of a rendered answer's pickle, counting the reply the memo pins as well:
# a lookup's pages and cards hold 4 to 7 times their pickle and its reply about as much
# again (about 10 in all); a reply of one long text, about 3.5.
RENDERED_PER_PICKLED = 12


def rendered_size(reply: object, answer: object) -> int:
    """A conservative size for a memo of rendered answers (JSON-like data): pickling runs in
    C, several times faster than walking the objects with `footprint`."""
    return RENDERED_PER_PICKLED * len(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))


def pair_footprint(key: object, value: object) -> int:
    """The footprint of a cache entry: its key and its value."""
    return footprint((key, value))


class ByteBudgetLRU(Generic[K, V]):
    """A least-recently-used cache holding at most `budget` bytes, as `sizeof(key, value)`
    estimates them (plus ENTRY_BYTES each). An entry larger than the whole budget is not
    kept. Safe to use from several threads."""

    def __init__(
        self, name: str, budget: int, sizeof: Callable[[K, V], int] = pair_footprint
    ) -> None:
        self.name = name
        self.budget = budget
        self._sizeof = sizeof
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _CACHES.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def bytes(self) -> int:
        """The estimated size of what is held, never more than the budget."""
        return self._bytes

    def fetch(self, key: K, make: Callable[[K], V]) -> V:
        """The value remembered for `key`, or `make(key)`, remembered."""
        found = self.peek(key)
        if found is not None:
            return found
        value = make(key)
        self.put(key, value)
        return value

    def peek(self, key: K) -> V | None:
        """The value remembered for `key` (now the most recently used), or None. Without
        the lock: a hit is one dict read and one C-level move, each atomic under the GIL,
        and an entry another thread forgets in between is simply a miss."""
        found = self._entries.get(key)
        if found is None:
            return None
        try:
            self._entries.move_to_end(key)
        except KeyError:
            return None
        return found[0]

    def put(self, key: K, value: V) -> None:
        size = self._sizeof(key, value) + ENTRY_BYTES
        with self._lock:
            self._forget(key)
            if size > self.budget:
                return
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget:
                self._forget(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _forget(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._bytes -= found[1]


class IdentityMemo(Generic[T, V]):
    """Answers remembered per object, by identity, within a byte budget: each entry counts
    the object and its answer (the memo may be what keeps the object alive)."""

    def __init__(self, name: str, budget: int, sizeof: Callable[[T, V], int] | None = None) -> None:
        measure = sizeof or pair_footprint
        self._seen: ByteBudgetLRU[int, tuple[T, V]] = ByteBudgetLRU(
            name, budget, lambda _key, held: measure(*held)
        )

    @property
    def cache(self) -> ByteBudgetLRU[int, tuple[T, V]]:
        return self._seen

    def get(self, obj: T, make: Callable[[T], V]) -> V:
        held = self._seen.peek(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        value = make(obj)  # new, or an object since gone had this id
        self._seen.put(id(obj), (obj, value))
        return value


def sizes() -> dict[str, tuple[int, int]]:
    """Each cache's name with the bytes it holds and its budget (caches of the same name,
    such as one per lookup index, added up)."""
    found: dict[str, tuple[int, int]] = {}
    for cache in list(_CACHES):
        held, budget = found.get(cache.name, (0, 0))
        found[cache.name] = (held + cache.bytes, budget + cache.budget)
    return found
