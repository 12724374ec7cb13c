"""Which activities `POST /api/messages` hands to botbuilder at all. Pure decisions on the
parsed body, made before any token is checked, connector client built or row written:

- the channel must be Microsoft Teams (`msteams`); the Bot Framework Emulator's own
  `emulator` channel only in emulator mode;
- in emulator mode (no token is checked) the service URL must be on this machine, so Rounds
  never calls out to an address a caller chose; with an app id it must be a Bot Connector
  host (botbuilder then checks that it matches the token's `serviceurl` claim);
- with an allow-list of tenants, the activity's tenant must be on it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TEAMS = "msteams"
EMULATOR = "emulator"
# Where Microsoft's Bot Connector sends from (the `serviceUrl` Rounds posts back to).
SERVICE_HOSTS = ("*.botframework.com", "smba.trafficmanager.net")

NOT_TEAMS = "only Microsoft Teams activities are accepted"
NOT_LOOPBACK = "emulator mode accepts only a loopback serviceUrl"
NOT_CONNECTOR = "the serviceUrl is not a Bot Connector host"
NOT_OUR_TENANT = "this tenant is not served"


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host(url: Any) -> tuple[str, str]:
    """The scheme and host of a URL ('' for anything that is not one)."""
    if not isinstance(url, str):
        return "", ""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or "").lower()
    except ValueError:
        return "", ""


def loopback_url(url: Any) -> bool:
    scheme, host = _host(url)
    return scheme in ("http", "https") and bool(host) and is_loopback(host)


def matches(host: str, pattern: str) -> bool:
    """`*.example.net` matches any name under example.net; anything else, only itself."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def tenant_of(body: dict[str, Any]) -> str:
    conversation = body.get("conversation")
    tenant = conversation.get("tenantId") if isinstance(conversation, dict) else None
    if not isinstance(tenant, str) or not tenant:
        data = body.get("channelData")
        found = data.get("tenant") if isinstance(data, dict) else None
        tenant = found.get("id") if isinstance(found, dict) else None
    return tenant.lower() if isinstance(tenant, str) else ""


@dataclass(frozen=True)
class Gate:
    emulator: bool = False
    tenants: frozenset[str] = frozenset()  # lower case; empty: any tenant
    service_hosts: tuple[str, ...] = SERVICE_HOSTS

    def refusal(self, body: dict[str, Any]) -> str | None:
        """Why the activity is refused (the endpoint answers 403), or None to go on."""
        channels = (TEAMS, EMULATOR) if self.emulator else (TEAMS,)
        if body.get("channelId") not in channels:
            return NOT_TEAMS
        if self.emulator and not loopback_url(body.get("serviceUrl")):
            return NOT_LOOPBACK
        if not self.emulator and not self.connector(body.get("serviceUrl")):
            return NOT_CONNECTOR
        if self.tenants and tenant_of(body) not in self.tenants:
            return NOT_OUR_TENANT
        return None

    def connector(self, url: Any) -> bool:
        """An https URL on a Bot Connector host (plain http only for a listed loopback
        host: a local test connector)."""
        scheme, host = _host(url)
        if not host or not any(matches(host, p) for p in self.service_hosts):
            return False
        return scheme == "https" or (scheme == "http" and is_loopback(host))
