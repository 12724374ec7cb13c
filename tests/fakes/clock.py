"""A clock for code that takes one: it stands still until the test moves it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STILL = dt.timedelta()


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, by: dt.timedelta = STILL, /, **parts: float) -> None:
        """Move on `by`, or by `parts` as `timedelta` takes them (days=1, minutes=5)."""
        self.now += by + dt.timedelta(**parts)
