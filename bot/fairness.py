"""Fairness: no one person, and no one thread's anonymous form, takes more than a fair share
of the bot. A token bucket for each platform-qualified person (`platform:workspace:user`)
and one for each thread's anonymous contributions (they name no one). Over the limit the
event is refused before any handler runs: nothing is looked up, stored or posted. A person
is told once how long to wait, and nothing more until then (so the note is no flood); an
anonymous form is sent back with its text and the same note (nothing typed is lost).

Replies in threads (Message) are never limited: they are people's words, stored before the
platform is answered. Buckets are per process: N replicas allow N times the rate, which a
fairness limit (not a security control) can live with."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot import actions, limits
from bot import messages as m
from bot.context import Context, utc_now
from bot.events import Action, Command, Deletion, Event, Message
from bot.identity import key_of
from bot.reflect.contributions import form_for
from bot.replies import Heading, Paragraph, Reply

if TYPE_CHECKING:
    from bot.core import Middleware, Next

LIMITED = "limited"  # the kind of the wait note
BURST_SHARE = 3  # a bucket holds a third of a minute's allowance: bursts of 10 at 30 a minute
MAX_BUCKETS = 10_000  # the least recently used go first (a bucket forgotten is a full one)

Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Hear of every refused event (the composition layer counts them: rounds/metrics.py)."""
    if listener not in _listeners:
        _listeners.append(listener)


@dataclass(frozen=True)
class Rate:
    per_minute: int
    # worked out once (read for every command): a bucket's size, and its refill a second
    capacity: int = field(init=False, compare=False)
    per_second: float = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacity", max(1, self.per_minute // BURST_SHARE))
        object.__setattr__(self, "per_second", self.per_minute / 60)


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float  # the clock's seconds when it was last counted
    quiet_until: float = -math.inf  # told to wait until then: nothing more is said before


def take(bucket: Bucket | None, now: float, rate: Rate) -> tuple[Bucket, float]:
    """Take a token: the bucket after, and 0.0; or, with none there, the bucket and the
    seconds until one is. A new bucket is full; a clock set back refills nothing."""
    if bucket is None:
        bucket = Bucket(rate.capacity, now)
    elapsed = max(now - bucket.at, 0.0)
    tokens = min(float(rate.capacity), bucket.tokens + elapsed * rate.per_second)
    if tokens >= 1:  # built directly: `dataclasses.replace` costs several µs a request
        return Bucket(tokens - 1, now, bucket.quiet_until), 0.0
    return Bucket(tokens, now, bucket.quiet_until), (1 - tokens) / rate.per_second


def whose(event: Event) -> tuple[str, bool] | None:
    """The bucket an event takes from, and whether it is a thread's anonymous one. None for
    what is never limited: thread replies and deletions, and presses that name no one other
    than an anonymous contribution (opening the anonymous form in Teams)."""
    if not isinstance(event, Command):  # a command (most events) names its person
        if isinstance(event, Message | Deletion):
            return None
        if event.action == actions.ANONYMOUS_SUBMIT:
            thread = event.value.lstrip("#")[:20]  # the reflection id the form names
            return f"anonymous:{event.conversation.key}:{thread}", True
    key = key_of(event.conversation, event.person)
    return (key, False) if key else None


def wait_note(seconds: float) -> Reply:
    whole = max(1, math.ceil(seconds))
    text = m.RATE_LIMITED[whole == 1].format(seconds=whole)
    return Reply(
        kind=LIMITED, blocks=(Heading(m.RATE_LIMITED_TITLE), Paragraph.of(text)), summary=text
    )


class Fairness:
    """The middleware layer, one for each bot (its buckets are its own)."""

    def __init__(
        self,
        person: Rate | None,
        anonymous: Rate | None,
        clock: Callable[[], float],
        size: int = MAX_BUCKETS,
    ) -> None:
        self.person, self.anonymous, self.clock, self.size = person, anonymous, clock, size
        self.buckets: OrderedDict[str, Bucket] = OrderedDict()

    async def __call__(self, event: Event, call_next: Next) -> list[Reply]:
        found = whose(event)
        rate = None if found is None else self.anonymous if found[1] else self.person
        if found is None or rate is None:
            return await call_next(event)
        key, anonymous = found
        now = self.clock()
        bucket, wait = take(self.buckets.pop(key, None), now, rate)
        if not wait:
            self._keep(key, bucket)
            return await call_next(event)
        for listener in _listeners:
            listener(event)
        if anonymous and isinstance(event, Action):
            self._keep(key, bucket)
            return [_form_again(event, wait)]
        if now < bucket.quiet_until:
            self._keep(key, bucket)
            return []
        self._keep(key, replace(bucket, quiet_until=now + wait))
        return [wait_note(wait)]

    def _keep(self, key: str, bucket: Bucket) -> None:
        """Keep `bucket` as the most recently used; forget the least recently used over
        `size`."""
        self.buckets[key] = bucket
        while len(self.buckets) > self.size:
            self.buckets.popitem(last=False)


def _form_again(event: Action, wait: float) -> Reply:
    """The anonymous form, with what was typed (when the form's box takes it) and the note:
    sent only to whoever sent it, so it is no flood."""
    typed = event.text.strip()
    initial = typed if len(typed) <= limits.CONTRIBUTION_CHARS else ""
    note = wait_note(wait).summary
    return form_for(event.value.lstrip("#"), initial, note)


def middleware(ctx: Context) -> Middleware:
    """The layer for a bot with `ctx`'s rates (none set: nothing is limited) and clock (the
    wall clock read directly when it is the default: the same seconds, without making a
    datetime for every command)."""
    person = Rate(ctx.rate_per_minute) if ctx.rate_per_minute else None
    anonymous = Rate(ctx.anonymous_per_minute) if ctx.anonymous_per_minute else None
    clock = time.time if ctx.clock is utc_now else lambda: ctx.clock().timestamp()
    return Fairness(person, anonymous, clock)
