"""Outbound web proxies, from the environment as curl and `requests` read it: `HTTPS_PROXY`
for https (and wss) URLs, `HTTP_PROXY` for http (and ws), the lower-case names first, and
`NO_PROXY` naming hosts reached directly (`host`, `.domain` or `domain` for its
subdomains too, `*` for all).

`requests` (MSAL, botbuilder's key fetch) reads them by itself. slack_sdk does not: its
clients, and the copies bolt makes of them for each request, take `HTTPS_PROXY` for every
URL and ignore `NO_PROXY`; and aiohttp's own `trust_env` reads the environment and the
`.netrc` file again on every request (about half a Teams turn's CPU). So Rounds' sessions
take a snapshot of the environment when they are made (`Proxies.from_env`, at start) and
route each request by its host (`Proxies.middleware`); the Socket Mode client asks the
same snapshot for each WebSocket URL Slack issues."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit
from urllib.request import (  # type: ignore[attr-defined]  # undocumented, used by requests
    getproxies_environment,
    proxy_bypass_environment,
)

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

# WebSocket schemes use the proxy of the HTTP scheme they upgrade from, unless the
# environment names one for them (WSS_PROXY, WS_PROXY).
_UPGRADES = {"wss": "https", "ws": "http"}
HOSTS_KEPT = 256  # decisions remembered: Slack's hosts and the Bot Connector's are few


class Proxies:
    """Which proxy each URL goes through, by the environment as it was when made."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = dict(table)  # scheme -> proxy, and "no" -> NO_PROXY
        self.decided: dict[tuple[str, str], str | None] = {}

    @classmethod
    def from_env(cls) -> Proxies:
        return cls(getproxies_environment())

    def for_url(self, url: str) -> str | None:
        """The proxy for `url` (None: connect directly)."""
        parts = urlsplit(url)
        key = (parts.scheme.lower(), parts.netloc.lower())
        if key not in self.decided:
            if len(self.decided) >= HOSTS_KEPT:
                self.decided.clear()
            self.decided[key] = self._decide(key[0], parts.hostname)
        return self.decided[key]

    def _decide(self, scheme: str, host: str | None) -> str | None:
        if host and proxy_bypass_environment(host, self.table):  # as aiohttp, requests
            return None
        proxy = self.table.get(scheme) or self.table.get(_UPGRADES.get(scheme, scheme))
        if not proxy:
            return None
        return proxy if "://" in proxy else f"http://{proxy}"  # "proxy:8080", as curl takes it

    async def middleware(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        """aiohttp client middleware: the request goes through the proxy for its URL,
        whatever proxy its caller asked for."""
        proxy = self.for_url(str(request.url))
        if proxy is None:
            request.update_proxy(None, None, None)
        elif URL(proxy) != request.proxy:
            request.update_proxy(URL(proxy), None, request.proxy_headers)
        return await handler(request)
