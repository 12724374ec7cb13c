"""Connector clients that live as long as the server, through botbuilder's own extension
point: a `BotFrameworkAuthentication` that hands out a `ConnectorFactory` reusing one client
per service URL and audience.

Bare `CloudAdapter` asks its authentication for a new factory on every turn, and that
factory builds a new `ConnectorClient` (with its own HTTP session) every time: a few dozen
turns a second and a socket left open per turn. Here each client is built once, with
botbuilder's credentials, and sends over one shared aiohttp session (closed at shutdown)
rather than `requests` in a thread pool. One bot app id per server is assumed, as Rounds is
deployed."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector import BotFrameworkConnectorConfiguration
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth._connector_factory_impl import USER_AGENT
from botframework.connector.skills import BotFrameworkClient
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

from adapters.proxies import Proxies
from adapters.teams.keys import fetch_keys_off_the_loop
from bot.durations import OUTBOUND_TIMEOUT


@dataclass(frozen=True)
class TeamsConfig:
    """The Bot Framework settings under the names botbuilder reads."""

    APP_ID: str | None = None
    APP_PASSWORD: str | None = None
    APP_TYPE: str | None = None
    APP_TENANTID: str | None = None


class _Headers:
    """Stands in for the requests session that botbuilder's credentials sign."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


class BearerToken(AsyncHTTPPolicy):  # type: ignore[type-arg]
    """The Authorization header exactly as botbuilder's credentials would set it (none in
    emulator mode). Getting a token may call Azure AD, so it runs in a thread; the
    credentials cache it."""

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self.credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:  # type: ignore[type-arg]
        if getattr(self.credentials, "microsoft_app_id", None):
            signed = await asyncio.to_thread(self.credentials.signed_session, _Headers())
            token = signed.headers.get("Authorization")
            if token:
                request.http_request.headers["Authorization"] = token
        assert self.next is not None, "a policy always has a next step in a pipeline"
        return await self.next.send(request, **kwargs)


class _Body(AioHttpClientResponse):
    def body(self) -> bytes:
        return self._body or b""  # msrest's aiohttp response refuses an empty body


class AiohttpSender(AsyncHTTPSender):  # type: ignore[type-arg]
    """msrest's transport over one shared aiohttp session (keep-alive, bounded pool),
    instead of `requests` in a thread pool."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None

    async def send(self, request: Request, **config: Any) -> Response:  # type: ignore[type-arg]
        http = request.http_request
        headers = dict(http.headers)
        async with self.session.request(
            http.method, http.url, headers=headers, data=http.data
        ) as raw:
            response = _Body(http, raw)
            await response.load_body()
        return Response(request, response)


CLIENTS_KEPT = 32  # connector clients (service URL, audience) kept; Teams uses a handful
TOKEN_CLIENTS_KEPT = 8


K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """A dict bounded by count that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def __len__(self) -> int:
        return len(self.items)

    def clear(self) -> None:
        self.items.clear()


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, owner: ReusingAuthentication) -> None:
        self.inner, self.owner = inner, owner

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience or "")
        client = self.owner.clients.get(key)
        if client is None:
            made = await self.inner.create(service_url, audience)  # botbuilder's credentials
            client = self.owner.client_for(service_url, made.config.credentials)
            self.owner.clients.put(key, client)
        return client


class ReusingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """Delegates every decision (tokens, claims, audiences) to botbuilder's configuration
    authentication; only connector clients and user-token clients are kept and reused."""

    def __init__(
        self, config: TeamsConfig, timeout: float = OUTBOUND_TIMEOUT.total_seconds()
    ) -> None:
        self.inner = ConfigurationBotFrameworkAuthentication(config)
        self.timeout = timeout  # seconds for each call to the Bot Connector
        # bounded: only authenticated activities reach here, but their service URLs vary
        self.clients: Recent[tuple[str, str], ConnectorClient] = Recent(CLIENTS_KEPT)
        self.token_clients: Recent[str, UserTokenClient] = Recent(TOKEN_CLIENTS_KEPT)
        self.session: aiohttp.ClientSession | None = None
        fetch_keys_off_the_loop()  # botbuilder's blocking fetch of Microsoft's keys
        self.proxies = Proxies.from_env()  # the environment at start, as every setting

    def client_for(self, service_url: str, credentials: Any) -> ConnectorClient:
        """A connector client on the shared session, configured as botbuilder's factory
        configures one (same credentials and user agent), with our transport."""
        if self.session is None:
            # through HTTPS_PROXY, unless NO_PROXY names the host (as `requests` does for
            # the token endpoint and the keys): `adapters.proxies`
            self.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                middlewares=(self.proxies.middleware,),
            )
        config = BotFrameworkConnectorConfiguration(credentials, service_url)
        config.add_user_agent(USER_AGENT)
        policies = [
            config.user_agent_policy,
            RawDeserializer(),
            config.http_logger_policy,
            BearerToken(credentials),
        ]
        config.custom_pipeline = AsyncPipeline(policies, AiohttpSender(self.session))
        return ConnectorClient(credentials, custom_configuration=config)

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        try:
            result = await self.inner.authenticate_request(activity, auth_header)
        except LookupError:
            # botbuilder looks the token's key id up in the published keys with `[...][0]`:
            # an id Microsoft does not publish raises IndexError, a 500, instead of a refusal
            raise PermissionError("the token is signed with an unknown key") from None
        if result.connector_factory is not None:
            result.connector_factory = ReusedConnectors(result.connector_factory, self)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return ReusedConnectors(self.inner.create_connector_factory(claims_identity), self)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        claims = getattr(claims_identity, "claims", None) or {}
        key = str(claims.get("aud") or claims.get("appid") or "")
        client = self.token_clients.get(key)
        if client is None:
            client = await self.inner.create_user_token_client(claims_identity)
            self.token_clients.put(key, client)
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        self.clients.clear()
        self.token_clients.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None
