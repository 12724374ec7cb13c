"""Connector clients that live as long as the server, through botbuilder's own extension
point: a `BotFrameworkAuthentication` that hands out a `ConnectorFactory` reusing one client
per service URL and audience.

Bare `CloudAdapter` asks its authentication for a new factory on every turn, and that
factory builds a new `ConnectorClient` (with its own HTTP session) every time: a few dozen
turns a second and a socket left open per turn. Here each client is built once and
closed at shutdown. One bot app id per server is assumed, as Rounds is deployed."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient


@dataclass(frozen=True)
class TeamsConfig:
    """The Bot Framework settings under the names botbuilder reads."""

    APP_ID: str | None = None
    APP_PASSWORD: str | None = None
    APP_TYPE: str | None = None
    APP_TENANTID: str | None = None


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, owner: ReusingAuthentication) -> None:
        self.inner, self.owner = inner, owner

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience or "")
        client = self.owner.clients.get(key)
        if client is None:
            client = await self.inner.create(service_url, audience)
            await self.owner.opened.enter_async_context(client)  # closed with the server
            self.owner.clients[key] = client
        return client


class ReusingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """Delegates every decision (tokens, claims, audiences) to botbuilder's configuration
    authentication; only connector clients and user-token clients are kept and reused."""

    def __init__(self, config: TeamsConfig) -> None:
        self.inner = ConfigurationBotFrameworkAuthentication(config)
        self.clients: dict[tuple[str, str], ConnectorClient] = {}
        self.token_clients: dict[str, UserTokenClient] = {}
        self.opened = AsyncExitStack()

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
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
            self.token_clients[key] = client
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
        await self.opened.aclose()
