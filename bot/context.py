"""What handlers need: the library, the lookup index, the store, a random source, the
clock, and the few settings commands depend on."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.outbox import Outbox
from bot.store import Store


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Context:
    library: Library
    index: LookupIndex
    store: Store
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], dt.datetime] = utc_now
    timezone: str = "Europe/London"  # default for new schedules
    admins: frozenset[str] = frozenset()  # empty: everyone may manage schedules
    retention_days: int = 90  # contributions are deleted this long after a thread closes
    outboxes: Mapping[str, Outbox] = field(default_factory=dict)  # platform → outbox

    def may_manage(self, person_id: str) -> bool:
        return not self.admins or person_id in self.admins

    def outbox(self, platform: str) -> Outbox | None:
        return self.outboxes.get(platform)
