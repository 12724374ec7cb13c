"""Outbound web proxies, from the environment as curl and `requests` read it: `HTTPS_PROXY`
for https (and wss) URLs, `HTTP_PROXY` for http (and ws), the lower-case names first, and
`NO_PROXY` naming hosts reached directly (`host`, `.domain` or `domain` for its
subdomains too, `*` for all).

`requests` (botbuilder's token checks, MSAL) and aiohttp sessions opened with
`trust_env=True` (the Bot Connector's) read them so by themselves. slack_sdk does not: its
clients, and the copies bolt makes of them for each request, take `HTTPS_PROXY` for every
URL and ignore `NO_PROXY`. So the Slack session decides again for each request
(`per_url`), and the Socket Mode client is given `proxy_for` its WebSocket's URL."""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

# WebSocket schemes use the proxy of the HTTP scheme they upgrade from, unless the
# environment names one for them (WSS_PROXY, WS_PROXY).
_UPGRADES = {"wss": "https", "ws": "http"}


def proxy_for(url: str) -> str | None:
    """The proxy the environment gives for `url` (None: connect directly)."""
    parts = urlsplit(url)
    host = parts.hostname
    if host and proxy_bypass(host):  # as aiohttp and requests ask it
        return None
    proxies = getproxies()
    scheme = parts.scheme.lower()
    proxy = proxies.get(scheme) or proxies.get(_UPGRADES.get(scheme, scheme))
    if not proxy:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"  # "proxy:8080", as curl takes it


async def per_url(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
    """aiohttp client middleware: the request goes through `proxy_for` its URL, whatever
    proxy its caller asked for."""
    proxy = proxy_for(str(request.url))
    if proxy is None:
        request.update_proxy(None, None, None)
    elif URL(proxy) != request.proxy:
        request.update_proxy(URL(proxy), None, request.proxy_headers)
    return await handler(request)
