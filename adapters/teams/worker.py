"""A worker thread with an event loop of its own, for botbuilder code that blocks.

botbuilder checks each incoming token against Microsoft's OpenID metadata and signing keys,
which it fetches with `requests` (synchronous, no timeout) from inside its coroutines: on
the first activity, once a day after, and when a token names a key not yet seen. On the
server's loop that fetch would stall every request in flight, Slack's and the probes'
too. Run there instead, the coroutines block only this thread.

One thread: checks wait behind a fetch rather than each fetching, and botbuilder's key
cache, written without locks, is only ever touched from here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
CLOSE_TIMEOUT = 5.0  # seconds


class Worker:
    def __init__(self, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.runner: asyncio.Runner | None = None  # made, used and closed on the thread
        self.closed = False

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """What `work()` returns (or raises), run to completion on the worker's loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self._run, work)

    def _run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        if self.runner is None:
            self.runner = asyncio.Runner()
        return self.runner.run(work())

    def _close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None

    async def close(self) -> None:
        """Close the loop once what is under way has finished (waiting CLOSE_TIMEOUT at
        most), and the thread. Closing again does nothing."""
        if self.closed:
            return
        self.closed = True
        loop = asyncio.get_running_loop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await loop.run_in_executor(self.executor, self._close)
        self.executor.shutdown(wait=False, cancel_futures=True)
