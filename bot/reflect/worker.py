"""Work too heavy for the event loop (a long thread's themes and actions, its transcript)
runs in one worker thread. YAKE is pure Python, so the worker holds the GIL while it runs,
but CPython hands the GIL back every `sys.getswitchinterval()` (5 ms): the loop still answers
within tens of milliseconds. One thread, not the default executor: closes at once queue
here instead of taking turns at the GIL with the loop (each more thread, more waiting)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rounds-summary")


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in the worker thread; the loop runs on meanwhile. `work`
    must touch no asyncio object and no database session: plain data in, plain data out."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_WORKER, functools.partial(work, *args, **kwargs))
