"""What handlers need: the library, the lookup index, the store, a random source, the
clock, and the few settings commands depend on."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.content.model import Library
from bot.durations import FOLLOW_UP, RETENTION
from bot.events import Conversation, Person
from bot.identity import identity_of
from bot.lookup import LookupIndex
from bot.notices import Organisation
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
    # `platform:user` (any workspace) or `platform:workspace:user`; empty: everyone may
    # manage schedules, and no one may run a thread whose facilitator was forgotten
    admins: frozenset[str] = frozenset()
    retention_days: int = RETENTION.days  # a thread's contributions go this long after it closes
    follow_up_days: int = FOLLOW_UP.days  # its open actions are followed up this long after
    organisation: Organisation = field(default_factory=Organisation)  # the `privacy` notice
    outboxes: Mapping[str, Outbox] = field(default_factory=dict)  # platform → outbox
    # Fairness (bot/fairness.py): commands and presses a person may send a minute, and
    # anonymous contributions one thread takes a minute; None: not limited (set from the
    # settings by rounds/assembly.py)
    rate_per_minute: int | None = None
    anonymous_per_minute: int | None = None

    def is_admin(self, conversation: Conversation, person: Person) -> bool:
        """Admins are people on one platform: `slack:U1` is no admin in Teams."""
        who = identity_of(conversation, person)
        return who is not None and bool({who.anywhere, who.key} & self.admins)

    def may_manage(self, conversation: Conversation, person: Person) -> bool:
        """Change a channel's schedule: admins, or anyone when no admins are set."""
        return not self.admins or self.is_admin(conversation, person)

    def outbox(self, platform: str) -> Outbox | None:
        return self.outboxes.get(platform)
