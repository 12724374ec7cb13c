"""How the bare baselines (bare_bolt.py, bare_cloud_adapter.py) serve: one POST route on
aiohttp, no access log, a free port; `listening on http://127.0.0.1:<port>` printed when
ready, as `rounds serve` prints it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def serve_forever(path: str, handler: Handler) -> None:
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()
