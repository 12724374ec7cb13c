"""Slack over Socket Mode through the environment's proxy.

slack_sdk's Socket Mode client takes `HTTPS_PROXY` (then `https_proxy`, `HTTP_PROXY`,
`http_proxy`) for its WebSocket and ignores `NO_PROXY`. Here the proxy is decided for each
WebSocket URL Slack hands out (`apps.connections.open`, again on every reconnect), by the
same rules as every other outbound call (`adapters.proxies`)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from adapters.proxies import Proxies

PING_INTERVAL = 10.0  # seconds: bolt's default for its handler


class ProxiedSocketModeClient(SocketModeClient):
    proxies: Proxies  # the environment's, as it was at start

    async def issue_new_wss_url(self) -> str:
        url = str(await super().issue_new_wss_url())
        self.proxy = self.proxies.for_url(url)  # before every connect, once the URL is issued
        return url


class SocketMode(AsyncSocketModeHandler):
    """bolt's Socket Mode handler for `app`, with the client above in place of its own."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        # as AsyncSocketModeHandler.__init__ does it (not called: it would open a client
        # of its own, with a session and a task, only to drop them)
        self.app = app
        self.app_token = app_token
        self.client = ProxiedSocketModeClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            ping_interval=PING_INTERVAL,
        )
        self.client.proxies = Proxies.from_env()
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
