"""A fake of the Microsoft identity services a Teams bot with an app id talks to, so that an
authenticated request can be tested end to end without the internet.

botbuilder checks the JWT on each incoming activity against the keys published at
`https://login.botframework.com/v1/.well-known/openidconfiguration`, and the bot gets its
own token for replies from Entra ID (MSAL, `https://login.microsoftonline.com/botframework.com`,
client credentials). Both fetch with `requests`, which honours HTTPS_PROXY and
REQUESTS_CA_BUNDLE, and neither URL can be changed through Rounds' settings (botbuilder's
parameterised configuration could move them, but MSAL then runs instance discovery against
login.microsoftonline.com for the unknown host). So the process under test is given:

- HTTPS_PROXY: a CONNECT proxy here, which records the host asked for and tunnels it to
- a TLS server here, with a certificate for those two host names issued by a test CA made
  at start, which REQUESTS_CA_BUNDLE (and SSL_CERT_FILE) name.

The proxy tunnels only those two hosts (anything else is answered 403), so nothing can
reach the real services. The TLS server publishes an RSA signing key (endorsed for
msteams), answers MSAL's tenant and instance discovery and its token request (the access
token only for the right client secret; a wrong one gets Entra's 401 `invalid_client`,
AADSTS7000215), and records every request. `activity_token` makes the JWT the Bot
Connector service would send with an activity.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

from tests.fakes.tcp_proxy import _pipe

BOTFRAMEWORK = "login.botframework.com"
ENTRA = "login.microsoftonline.com"
HOSTS = (BOTFRAMEWORK, ENTRA)
ISSUER = "https://api.botframework.com"  # the issuer of the tokens the channel sends
KID = "fake-signing-key-1"
TENANT = "botframework.com"
TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"


@dataclass
class Seen:
    """One request the TLS server answered."""

    host: str
    method: str
    path: str
    headers: dict[str, str]
    body: str
    form: dict[str, str]
    status: int = 0  # what the server answered


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificates(folder: Path, hosts: tuple[str, ...] = HOSTS) -> tuple[Path, Path, Path]:
    """A test CA (written to ca.pem) and a server certificate it issued for `hosts`."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Rounds test CA"))
        .issuer_name(_name("Rounds test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(host) for host in hosts]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeMicrosoftLogin:
    """login.botframework.com and login.microsoftonline.com, behind a CONNECT proxy."""

    def __init__(self, folder: Path, app_id: str, app_password: str, access_token: str) -> None:
        self.folder = folder
        self.app_id, self.app_password, self.access_token = app_id, app_password, access_token
        self.key = signing_key()
        self.seen: list[Seen] = []
        self.tunnels: list[str] = []  # the host:port of every CONNECT, refused ones too
        self.ca_file = folder / "ca.pem"  # written by start()
        self._runner: web.AppRunner | None = None
        self._proxy: asyncio.Server | None = None
        self._tls_port = 0
        self.proxy_port = 0
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self.ca_file, cert_file, key_file = certificates(self.folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context).start()
        self._tls_port = self._runner.addresses[0][1]
        self._proxy = await asyncio.start_server(self._tunnel, "127.0.0.1", 0)
        self.proxy_port = self._proxy.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._proxy is not None:
            self._proxy.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._proxy.wait_closed()
            self._proxy = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def env(self) -> dict[str, str]:
        """For the process under test: HTTPS through the proxy, trusting the test CA only;
        plain HTTP to this machine (the fake Bot Connector) direct."""
        proxy = f"http://127.0.0.1:{self.proxy_port}"
        bundle = str(self.ca_file)
        return {
            "HTTPS_PROXY": proxy,
            "https_proxy": proxy,
            "HTTP_PROXY": proxy,
            "http_proxy": proxy,
            "ALL_PROXY": "",
            "all_proxy": "",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": bundle,
            "SSL_CERT_FILE": bundle,
            "CURL_CA_BUNDLE": "",
        }

    # -- tokens ---------------------------------------------------------------------------------

    def activity_token(
        self,
        service_url: str,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        audience: str | None = None,
    ) -> str:
        """The JWT the Bot Connector service sends with an activity for this bot."""
        now = int(time.time())
        claims = {
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
            "iss": ISSUER,
            "aud": audience or self.app_id,
        }
        signer = key or self.key
        return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": kid})

    def _jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": KID, "use": "sig", "endorsements": ["msteams", "webchat"]}

    # -- the TLS server -------------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        host = request.host.split(":")[0]
        seen = Seen(host, request.method, request.path, dict(request.headers), body, form)
        self.seen.append(seen)
        answer = self._answer(host, request.method, request.path, form)
        seen.status = answer.status
        return answer

    def _answer(self, host: str, method: str, path: str, form: dict[str, str]) -> web.Response:
        base = f"https://{host}"
        route = (host, method, path)
        if route == (BOTFRAMEWORK, "GET", "/v1/.well-known/openidconfiguration"):
            return web.json_response(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{base}/v1/.well-known/authorize",
                    "jwks_uri": f"{base}/v1/.well-known/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                }
            )
        if route == (BOTFRAMEWORK, "GET", "/v1/.well-known/keys"):
            return web.json_response({"keys": [self._jwk()]})
        if route == (ENTRA, "GET", f"/{TENANT}/v2.0/.well-known/openid-configuration"):
            return web.json_response(
                {
                    "issuer": f"{base}/{TENANT}/v2.0",
                    "authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}{TOKEN_PATH}",
                    "jwks_uri": f"{base}/{TENANT}/discovery/v2.0/keys",
                    "response_types_supported": ["code", "id_token", "token"],
                }
            )
        if route == (ENTRA, "POST", TOKEN_PATH):
            return self._token(form)
        if route == (ENTRA, "GET", "/common/discovery/instance"):
            # MSAL asks, after a refused token request, which hosts share its token cache.
            aliases = [ENTRA, "login.windows.net", "login.microsoft.com", "sts.windows.net"]
            return web.json_response(
                {
                    "tenant_discovery_endpoint": (
                        f"{base}/common/v2.0/.well-known/openid-configuration"
                    ),
                    "api-version": "1.1",
                    "metadata": [
                        {
                            "preferred_network": ENTRA,
                            "preferred_cache": "login.windows.net",
                            "aliases": aliases,
                        }
                    ],
                }
            )
        return web.json_response({"error": "not_found"}, status=404)

    def _token(self, form: dict[str, str]) -> web.Response:
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if (form.get("client_id"), form.get("client_secret")) != (
            self.app_id,
            self.app_password,
        ):
            return web.json_response(self._invalid_client(), status=401)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": self.access_token,
            }
        )

    def _invalid_client(self) -> dict[str, Any]:
        """What Entra ID answers (HTTP 401) for a wrong client secret: AADSTS7000215."""
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        trace, correlation = "0000fake-trace-0000", "0000fake-correlation-0000"
        description = (
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the"
            " request is the client secret value, not the client secret ID, for a secret added"
            f" to app '{self.app_id}'. Trace ID: {trace} Correlation ID: {correlation}"
            f" Timestamp: {now}"
        )
        return {
            "error": "invalid_client",
            "error_description": description,
            "error_codes": [7000215],
            "timestamp": now,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://{ENTRA}/error?code=7000215",
        }

    # -- the CONNECT proxy ----------------------------------------------------------------------

    async def _tunnel(self, reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, *_ = head.decode("latin-1").split("\r\n", 1)[0].split(" ")
            self.tunnels.append(f"{method} {target}")
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host not in HOSTS or port != "443":
                client.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                await client.drain()
                return
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self._tls_port)
            client.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await client.drain()
            try:
                await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, client))
            finally:
                upstream.transport.abort()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                client.transport.abort()
            self._tasks.discard(task)
