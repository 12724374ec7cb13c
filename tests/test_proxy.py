"""Behind a web proxy: `rounds serve` (a real process) with HTTPS_PROXY and HTTP_PROXY
naming a local forward proxy (`tests/fakes/forward_proxy.py`) and NO_PROXY unset reaches
everything through it.

Slack (`slack.test`), the Bot Connector (`connector.test`) and Microsoft's login services
(`login.botframework.com`, `login.microsoftonline.com`) are fakes that only the proxy can
resolve, served over TLS with a test CA, as the real ones are: whatever reached them went
through the proxy. Every outbound call is made: Slack's Web API (`auth.test` at start,
`apps.connections.open`, a post) and its Socket Mode WebSocket, the OpenID metadata and
signing keys that check the token an activity comes with, the token endpoint, and the
reply to the Bot Connector.

With NO_PROXY naming a host, that host is reached directly (Slack, its WebSocket and the
Bot Connector on 127.0.0.1) while the rest still goes through the proxy. And the fetch of
Microsoft's keys, a blocking `requests` call inside botbuilder, is held at the proxy to
show that the server keeps answering while it waits."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from adapters.proxies import Proxies
from tests.fakes.connector import FakeConnector
from tests.fakes.forward_proxy import ForwardProxy
from tests.fakes.microsoft_login import (
    BOTFRAMEWORK,
    ENTRA,
    TOKEN_PATH,
    FakeMicrosoftLogin,
    certificates,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import app_mention, event_envelope, slash_payload
from tests.fakes.teams_activities import channel_message
from tests.test_serve import serve

APP_ID = "00000000-0000-0000-0000-00000000a9e1"
PASSWORD = "proxy-test-password-not-real"
ACCESS_TOKEN = "ey.proxy-test-access-token.not-real"
SLACK, CONNECTOR = "slack.test", "connector.test"  # only the proxy resolves these
LOGIN = (f"{BOTFRAMEWORK}:443", f"{ENTRA}:443")
OPENID = "/v1/.well-known/openidconfiguration"
KEYS = "/v1/.well-known/keys"


@pytest.fixture
async def login(tmp_path: Path) -> AsyncIterator[FakeMicrosoftLogin]:
    fake = FakeMicrosoftLogin(tmp_path, APP_ID, PASSWORD, ACCESS_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def proxy(login: FakeMicrosoftLogin) -> AsyncIterator[ForwardProxy]:
    """The proxy, reaching Microsoft's login services (through the fake's own tunnel)."""
    forward = ForwardProxy()
    await forward.start()
    for target in LOGIN:
        forward.through(target, login.proxy_port)
    yield forward
    await forward.stop()


def port(url: str) -> int:
    return urlsplit(url).port or 0


def through(proxy: ForwardProxy, login: FakeMicrosoftLogin, no_proxy: str = "") -> dict[str, str]:
    """The environment of a process whose only way out is `proxy`."""
    env = login.env()
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        env[name] = proxy.url
    env |= {"NO_PROXY": no_proxy, "no_proxy": no_proxy}
    return env


def issued(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate it issued for slack.test and connector.test, and its key."""
    folder.mkdir()
    return certificates(folder, (SLACK, CONNECTOR))


async def behind(
    proxy: ForwardProxy, fake: FakeSlack, connector: FakeConnector, folder: Path
) -> Path:
    """Slack and the Bot Connector at https://slack.test and https://connector.test, known
    only to the proxy; the file of the CA that issued their certificate."""
    ca, certificate, key = issued(folder)
    await proxy.front(f"{SLACK}:443", port(fake.local_url), (certificate, key))
    await proxy.front(f"{CONNECTOR}:443", port(connector.url), (certificate, key))
    fake.public_url = f"https://{SLACK}"
    return ca


def trusting(login: FakeMicrosoftLogin, ca: Path, folder: Path) -> dict[str, str]:
    """Trust the login fake's CA and `ca`, and nothing else."""
    bundle = folder / "bundle.pem"
    bundle.write_bytes(login.ca_file.read_bytes() + ca.read_bytes())
    return {"REQUESTS_CA_BUNDLE": str(bundle), "SSL_CERT_FILE": str(bundle)}


def rounds_env(fake: FakeSlack, service_host: str, database: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_SIGNING_SECRET": "",
        "ROUNDS_SLACK_API_URL": fake.api_url,
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": PASSWORD,
        "ROUNDS_TEAMS_SERVICE_HOSTS": service_host,
        "ROUNDS_DATABASE_URL": f"sqlite:///{database}",
    }


async def activity(
    http: aiohttp.ClientSession, url: str, login: FakeMicrosoftLogin, service: str
) -> int:
    """A channel message to the bot, with the token the Bot Connector service would send."""
    headers = {"Authorization": f"Bearer {login.activity_token(service)}"}
    body = channel_message("help", service)
    async with http.post(f"{url}/api/messages", json=body, headers=headers) as answer:
        await answer.read()
        return answer.status


async def slack_round_trip(fake: FakeSlack) -> None:
    """A command and a mention over the WebSocket; the mention's answer is posted."""
    await fake.wait_for_socket(timeout=15)
    ack = await fake.socket_ack(await fake.socket_send("slash_commands", slash_payload("help", "")))
    assert "Rounds" in str(ack)
    mention = event_envelope(app_mention("<@U0BOT> prompt"), "EvProxied")
    await fake.socket_ack(await fake.socket_send("events_api", mention))
    await fake.wait_for("chat.postMessage", 1, timeout=10)


async def unresolvable(host: str) -> bool:
    try:
        await asyncio.get_running_loop().getaddrinfo(host, 443)
    except socket.gaierror:
        return True
    return False


async def test_every_outbound_call_goes_through_the_proxy(
    proxy: ForwardProxy,
    login: FakeMicrosoftLogin,
    fake: FakeSlack,
    connector: FakeConnector,
    tmp_path: Path,
) -> None:
    assert await unresolvable(SLACK) and await unresolvable(CONNECTOR)  # only via the proxy
    ca = await behind(proxy, fake, connector, tmp_path / "fronts")
    env = through(proxy, login) | trusting(login, ca, tmp_path)
    env |= rounds_env(fake, CONNECTOR, tmp_path / "r.db")
    service = f"https://{CONNECTOR}/"
    async with (
        serve(env, "--slack-socket-mode") as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        await slack_round_trip(fake)
        assert await activity(http, url, login, service) < 300
        await connector.wait_for(1, timeout=10)
    assert "Traceback" not in "\n".join(printed), "\n".join(printed)
    # Each service was reached: Slack's Web API and its WebSocket, the keys that checked
    # the activity's token, the token for the reply, and the reply.
    for method in ("auth.test", "apps.connections.open", "chat.postMessage"):
        assert fake.calls_to(method), method
    assert login.requests_to(OPENID) and login.requests_to(KEYS) and login.requests_to(TOKEN_PATH)
    assert connector.sent[0].authorization == f"Bearer {ACCESS_TOKEN}"
    # ... and only through the proxy, as tunnels: nothing refused, nothing in the clear.
    expected = {f"CONNECT {target}" for target in (f"{SLACK}:443", f"{CONNECTOR}:443", *LOGIN)}
    assert set(proxy.seen) == expected, proxy.seen


async def test_hosts_named_in_no_proxy_are_reached_directly(
    proxy: ForwardProxy,
    login: FakeMicrosoftLogin,
    fake: FakeSlack,
    connector: FakeConnector,
    tmp_path: Path,
) -> None:
    """Slack (HTTP and its WebSocket) and the Bot Connector on 127.0.0.1, which NO_PROXY
    names; Microsoft's login services still through the proxy."""
    env = through(proxy, login, no_proxy="127.0.0.1")
    env |= rounds_env(fake, "127.0.0.1", tmp_path / "r.db")
    async with (
        serve(env, "--slack-socket-mode") as (url, printed),
        aiohttp.ClientSession() as http,
    ):
        await slack_round_trip(fake)
        assert await activity(http, url, login, connector.url) < 300
        await connector.wait_for(1, timeout=10)
    assert "Traceback" not in "\n".join(printed), "\n".join(printed)
    assert fake.calls_to("auth.test") and login.requests_to(KEYS)
    assert set(proxy.seen) == {f"CONNECT {target}" for target in LOGIN}, proxy.seen


async def test_the_server_answers_while_microsofts_keys_are_fetched(
    proxy: ForwardProxy,
    login: FakeMicrosoftLogin,
    fake: FakeSlack,
    connector: FakeConnector,
    tmp_path: Path,
) -> None:
    """botbuilder fetches the OpenID metadata with a blocking call on the first activity:
    held at the proxy, the server still answers the probes (the fetch is not on its event
    loop), and the activity is answered once the fetch is let through."""
    ca = await behind(proxy, fake, connector, tmp_path / "fronts")
    env = through(proxy, login) | trusting(login, ca, tmp_path)
    env |= rounds_env(fake, CONNECTOR, tmp_path / "r.db")
    env |= {"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""}  # Teams only
    release = proxy.hold(f"{BOTFRAMEWORK}:443")
    async with serve(env) as (url, printed), aiohttp.ClientSession() as http:
        turn = asyncio.create_task(activity(http, url, login, f"https://{CONNECTOR}/"))
        assert await proxy.wait_for(f"CONNECT {BOTFRAMEWORK}:443")  # the fetch has begun
        # While it waits, the server answers (a blocked loop would not, whatever the wait).
        for probe in ("healthz", "readyz"):
            async with asyncio.timeout(20), http.get(f"{url}/{probe}") as answer:
                assert answer.status == 200, probe
        assert not turn.done() and not login.requests_to(OPENID)  # still held
        release.set()
        assert await asyncio.wait_for(turn, timeout=20) < 300
        await connector.wait_for(1, timeout=10)
    assert login.requests_to(OPENID) and login.requests_to(KEYS)
    assert "Traceback" not in "\n".join(printed), "\n".join(printed)


def proxy_for(url: str) -> str | None:
    """The proxy a session made now would take for `url`."""
    return Proxies.from_env().for_url(url)


def test_the_proxy_for_a_url_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "WSS_PROXY", "WS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    assert proxy_for("https://slack.com/api/") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:8080")
    monkeypatch.setenv("http_proxy", "http://plain.example:3128")
    assert proxy_for("https://slack.com/api/") == "http://proxy.example:8080"
    assert proxy_for("wss://wss-primary.slack.com/link") == "http://proxy.example:8080"
    assert proxy_for("http://127.0.0.1:3978/") == "http://plain.example:3128"
    assert proxy_for("ws://127.0.0.1:3978/socket") == "http://plain.example:3128"
    monkeypatch.setenv("NO_PROXY", ".slack.com,127.0.0.1")
    assert proxy_for("wss://wss-primary.slack.com/link") is None
    assert proxy_for("https://slack.com/api/") is None
    assert proxy_for("http://127.0.0.1:3978/") is None
    assert proxy_for("https://smba.trafficmanager.net/uk/") == "http://proxy.example:8080"


def test_a_session_keeps_the_environment_it_started_with(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions route by a snapshot taken when they are made (settings are read once, and
    aiohttp's trust_env re-read the environment and .netrc on every request)."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:8080")
    monkeypatch.setenv("NO_PROXY", "smba.trafficmanager.net")
    proxies = Proxies.from_env()
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:9")
    monkeypatch.delenv("NO_PROXY")
    assert proxies.for_url("https://slack.com/api/chat.postMessage") == "http://proxy.example:8080"
    assert proxies.for_url("https://smba.trafficmanager.net/uk/v3/") is None
    assert proxy_for("https://smba.trafficmanager.net/uk/v3/") == "http://other.example:9"
