"""Waiting on a fake server: it announces every change it records, and a test waits, with a
timeout, until what it expects is true."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Changes:
    def __init__(self) -> None:
        self._condition = asyncio.Condition()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        """Whether `predicate` came true within `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout), self._condition:
                await self._condition.wait_for(predicate)
        except TimeoutError:
            return False
        return True

    async def notify(self) -> None:
        """Wake whoever waits, to look again."""
        async with self._condition:
            self._condition.notify_all()
