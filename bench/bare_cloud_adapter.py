"""The baseline for the Teams benchmark: botbuilder's CloudAdapter as its samples use it,
with an echo bot, in emulator mode (no app id), served by aiohttp.

Run by teams_bench.py: `python bench/bare_cloud_adapter.py`. Prints
`listening on http://127.0.0.1:<port>` when ready."""

from __future__ import annotations

import asyncio

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bench.bare_serve import serve_forever


class Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):  # type: ignore[misc]
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


async def main() -> None:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    await serve_forever("/api/messages", messages)


if __name__ == "__main__":
    asyncio.run(main())
