"""Pacing outbound posts per channel or thread, within the platforms' rate limits."""

from __future__ import annotations

from collections import OrderedDict

from aiolimiter import AsyncLimiter


class ChannelPace:
    """`rate` messages a second per key (a channel, a thread), after a small `burst` (a
    reply and its thread starter go together). Remembers the most recent keys only."""

    def __init__(self, rate: float = 1.0, burst: int = 3, remember: int = 10_000) -> None:
        self.rate, self.burst, self.remember = rate, burst, remember
        self._limiters: OrderedDict[str, AsyncLimiter] = OrderedDict()

    def limiter(self, channel: str) -> AsyncLimiter:
        limiter = self._limiters.pop(channel, None)
        if limiter is None:
            limiter = AsyncLimiter(self.burst, self.burst / self.rate)
        self._limiters[channel] = limiter
        while len(self._limiters) > self.remember:
            self._limiters.popitem(last=False)
        return limiter
