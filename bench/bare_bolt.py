"""The baseline for the Slack benchmark: a bolt AsyncApp whose only listener acks, served by
aiohttp through bolt's own adapter, configured as Rounds is (process_before_response).

Run by slack_bench.py: `python bench/bare_bolt.py`, environment as for `rounds serve`.
Prints `listening on http://127.0.0.1:<port>` when ready."""

from __future__ import annotations

import asyncio
import os

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_serve import serve_forever


async def main() -> None:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["API_URL"])
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )

    @app.command("/rounds")
    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    await serve_forever("/slack/events", handle)


if __name__ == "__main__":
    asyncio.run(main())
