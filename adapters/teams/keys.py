"""Microsoft's signing keys fetched off the event loop.

botbuilder checks each incoming token against Microsoft's OpenID metadata and signing keys,
which it fetches with `requests` (synchronous, no timeout) inside a coroutine,
`_OpenIdMetadata._refresh`: on the first activity, once a day after, and when a token names
a key not yet seen. On the server's loop that fetch would stall every request in flight,
Slack's and the probes' too. `fetch_keys_off_the_loop` makes that one method run in a
worker thread; the rest of each check stays on the loop, where it costs microseconds (a
thread hop for every activity cost as much again as the rest of a Teams turn)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from botframework.connector.auth import jwt_token_extractor

Refresh = Callable[[Any], Coroutine[Any, Any, None]]

_METADATA: Any = jwt_token_extractor._OpenIdMetadata  # botbuilder's key cache, one per URL


def fetch_keys_off_the_loop() -> None:
    """Replace botbuilder's key refresh with one that blocks a worker thread, not the loop.
    Idempotent: the original is kept once."""
    original: Refresh = _METADATA._refresh
    if getattr(original, "off_the_loop", False):
        return

    async def refresh(metadata: Any) -> None:
        # The original awaits nothing; run to completion on a loop of the worker's own.
        await asyncio.to_thread(asyncio.run, original(metadata))

    refresh.off_the_loop = True  # type: ignore[attr-defined]
    _METADATA._refresh = refresh
