"""What handlers need: the library, the lookup index, the store, a random source."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.content.model import Library
from bot.lookup import LookupIndex
from bot.store import Store


@dataclass
class Context:
    library: Library
    index: LookupIndex
    store: Store
    rng: random.Random = field(default_factory=random.Random)
