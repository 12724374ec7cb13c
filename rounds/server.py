"""`rounds serve`: one aiohttp server for the platforms' routes, health and metrics."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from slack_sdk.http_retry.handler import default_interval_calculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from adapters.slack.adapter import ACK_BUDGET, SlackAdapter
from adapters.slack.outbox import SlackOutbox
from adapters.slack.socket import SocketMode
from adapters.teams.adapter import TeamsAdapter
from adapters.teams.connectors import TeamsConfig
from adapters.teams.gate import SERVICE_HOSTS, Gate, is_loopback
from adapters.teams.outbox import TeamsOutbox
from bot.core import DEFAULT_MIDDLEWARE
from bot.outbox import DeliveryError, Outbox
from bot.store import Store
from rounds import version
from rounds.assembly import Assembly, Connect, Parts
from rounds.deadlines import HeadDeadline
from rounds.metrics import count_deliveries, exposition, measure
from rounds.pages import add_pages
from rounds.settings import Settings, SettingsError

READY_TIMEOUT = 2.0  # seconds
VERSION = version()  # what `rounds --version` prints; /healthz reports it
log = logging.getLogger("rounds.server")

MAX_BODY = 1024 * 1024  # larger requests get 413 before anything reads them
SLACK_HTTP = "Slack: receiving events at POST /slack/events"
SLACK_SOCKET = "Slack: connected over Socket Mode"
SLACK_OFF = (
    "Slack: not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET), "
    "so /slack/events is not mounted"
)
TEAMS_AUTH = "Teams: receiving activities at POST /api/messages (tokens checked)"
TEAMS_EMULATOR = (
    "Teams: local emulator mode at POST /api/messages (ROUNDS_TEAMS_EMULATOR: no token is "
    "checked, so only this machine may call it and only loopback service URLs are used)"
)
TEAMS_OFF = (
    "Teams: not configured (set MicrosoftAppId and MicrosoftAppPassword), "
    "so /api/messages is not mounted"
)
EMULATOR_NEEDS_LOOPBACK = (
    "ROUNDS_TEAMS_EMULATOR checks no tokens, so rounds serve must listen on a loopback "
    "address (--host 127.0.0.1), not {host}"
)
ANY_TENANT = (
    "Warning: Teams: any Microsoft 365 tenant may add this MultiTenant bot; "
    "list yours in ROUNDS_TEAMS_TENANTS"
)
METRICS_APART = "Metrics: GET /metrics on port {port} only"
SOCKET_NEEDS = "--slack-socket-mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN"
SLACK_REFUSED = (
    "Slack refused SLACK_BOT_TOKEN ({code}), so Rounds did not start: set it to the app's "
    "Bot User OAuth Token (xoxb-…, under OAuth & Permissions); reinstall the app if the "
    "token was revoked"
)
SLACK_AWAY = (
    "Slack could not be reached to check SLACK_BOT_TOKEN ({reason}), so Rounds did not "
    "start: check this machine's connection to Slack"
)


class StartFailed(Exception):
    """`rounds serve` cannot usefully start (a platform refuses its credentials): the
    message is one line for the operator, naming the setting, never its value."""


async def check_slack(outbox: SlackOutbox) -> None:
    """Slack's word on the bot token (`auth.test`) before anything listens: a refused token,
    or Slack out of reach, stops the start (`StartFailed`) instead of failing every request
    later. Out of reach is not waited out here: the supervisor (compose, Kubernetes)
    restarts the process, with its back-off."""
    try:
        await outbox.check_token()
    except DeliveryError as exc:
        detail = exc.reason.removeprefix("slack: ")
        if exc.permanent:
            raise StartFailed(SLACK_REFUSED.format(code=detail)) from None
        raise StartFailed(SLACK_AWAY.format(reason=detail)) from None


@dataclass(frozen=True)
class Options:
    host: str = "127.0.0.1"  # the container and Kubernetes files set 0.0.0.0 explicitly
    port: int = 3978
    socket_mode: bool = False
    ack_budget: float = ACK_BUDGET
    retry_interval: RetryIntervalCalculator = default_interval_calculator
    scheduler: bool = True  # run the weekly-prompt timer in this process
    # Slow clients (docs/security.md): a connection that has not sent its first request's
    # head (request line and headers) this long after opening is closed; a body that has
    # not all arrived this long after its head gets 408; an idle connection between requests
    # (or one whose next head trickles in) is closed after keep-alive; what is left of an
    # unread body is read and dropped for at most `linger` after the answer, then the
    # connection is closed.
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keepalive_timeout: float = 75.0  # over the proxy's idle time for us (Caddy: 60 s)
    linger: float = 2.0


def serving(settings: Settings, options: Options) -> Parts:
    """What `rounds serve` assembles Rounds with: the platforms' outboxes, and metrics on
    every event and every scheduler pass."""
    middleware = (measure, *DEFAULT_MIDDLEWARE)
    return Parts(platforms(settings, options), middleware, on_report=count_deliveries)


def platforms(settings: Settings, options: Options) -> Connect:
    """How `rounds serve` reaches Slack and Teams: an outbox for each platform the settings
    configure. Options the settings cannot serve are refused here, before anything opens."""
    if options.socket_mode and not settings.slack_socket:
        raise SettingsError(SOCKET_NEEDS)
    if settings.emulated and not is_loopback(options.host):
        raise SettingsError(EMULATOR_NEEDS_LOOPBACK.format(host=options.host))

    def connect(store: Store) -> dict[str, Outbox]:
        timeout = settings.outbound_timeout.total_seconds()
        outboxes: dict[str, Outbox] = {}
        if settings.slack_http or (options.socket_mode and settings.slack_socket):
            outboxes["slack"] = SlackOutbox(
                settings.slack_bot_token or "",
                settings.slack_api_url,
                options.retry_interval,
                workspace_per_minute=settings.slack_workspace_per_minute,
                timeout=timeout,
            )
        if settings.teams:
            outboxes["teams"] = TeamsOutbox.connect(teams_config(settings), store, timeout)
        return outboxes

    return connect


def teams_config(settings: Settings) -> TeamsConfig:
    return TeamsConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=settings.microsoft_app_type or "MultiTenant",
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )


class Server:
    """The running server: routes, and the adapters of the platforms that Rounds was
    assembled with an outbox for (`platforms`), Slack's Socket Mode link among them."""

    def __init__(self, rounds: Assembly, options: Options) -> None:
        self.bot, self.settings, self.options = rounds.bot, rounds.settings, options
        self.timer = rounds.timer
        self.slack: SlackAdapter | None = None
        self.teams: TeamsAdapter | None = None
        self.socket: SocketMode | None = None
        self.runner: web.AppRunner | None = None
        self.metrics_runner: web.AppRunner | None = None
        self.heads = HeadDeadline(options.header_timeout, options.body_timeout)
        self.sweeper: asyncio.Task[None] | None = None
        self.port = options.port
        self.status: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Check the credentials a platform can check at once (`StartFailed`), then
        listen, connect and start the scheduler."""
        slack = self.bot.ctx.outbox("slack")
        if isinstance(slack, SlackOutbox):
            await check_slack(slack)
        app = self._app(MAX_BODY)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        add_pages(app.router, self.settings, self.bot.ctx)  # /privacy, /terms
        if self.settings.metrics_port is None:
            app.router.add_get("/metrics", self._metrics)
        await self._start_slack(app)
        self._start_teams(app)
        self.runner = self._runner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.options.host, self.options.port)
        await site.start()
        self.port = self.runner.addresses[0][1]
        await self._start_metrics()
        self.sweeper = asyncio.create_task(self.heads.run(self._runners))
        if self.socket is not None:
            await self.socket.connect_async()  # type: ignore[no-untyped-call]
        self._start_scheduler()

    async def _start_metrics(self) -> None:
        """`ROUNDS_METRICS_PORT`: /metrics on a port of its own (same address), so the
        public port serves only the platforms' routes and the probes."""
        port = self.settings.metrics_port
        if port is None:
            return
        app = self._app(1024)
        app.router.add_get("/metrics", self._metrics)
        self.metrics_runner = self._runner(app)
        await self.metrics_runner.setup()
        await web.TCPSite(self.metrics_runner, self.options.host, port).start()
        self.status.append(METRICS_APART.format(port=self.metrics_runner.addresses[0][1]))

    def _app(self, max_body: int) -> web.Application:
        """An application whose clients must send their requests in time (`Options`)."""
        return web.Application(client_max_size=max_body, middlewares=[self.heads.middleware])

    def _runner(self, app: web.Application) -> web.AppRunner:
        options = self.options
        return web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=options.keepalive_timeout,
            lingering_time=options.linger,
        )

    def _runners(self) -> list[web.AppRunner]:
        return [r for r in (self.runner, self.metrics_runner) if r is not None]

    def _start_scheduler(self) -> None:
        if self.options.scheduler:
            self.timer.start()

    async def _start_slack(self, app: web.Application) -> None:
        settings, options = self.settings, self.options
        outbox = self.bot.ctx.outbox("slack")
        if not isinstance(outbox, SlackOutbox):
            self.status.append(SLACK_OFF)
            return
        secret = None if options.socket_mode else settings.slack_signing_secret
        self.slack = SlackAdapter(self.bot, outbox, self.bot.ctx.store, secret, options.ack_budget)
        if options.socket_mode:
            self.socket = SocketMode(self.slack.app, settings.slack_app_token or "")
            self.status.append(SLACK_SOCKET)
        else:
            app.router.add_post("/slack/events", self.slack.handle)
            self.status.append(SLACK_HTTP)

    def _start_teams(self, app: web.Application) -> None:
        settings = self.settings
        outbox = self.bot.ctx.outbox("teams")
        if not isinstance(outbox, TeamsOutbox):
            self.status.append(TEAMS_OFF)
            return
        gate = Gate(
            emulator=settings.emulated,
            tenants=settings.teams_tenants,
            service_hosts=SERVICE_HOSTS + settings.teams_service_hosts,
        )
        self.teams = TeamsAdapter(self.bot, outbox, gate)
        app.router.add_post("/api/messages", self.teams.handle)
        self.status.append(TEAMS_EMULATOR if gate.emulator else TEAMS_AUTH)
        multitenant = teams_config(settings).APP_TYPE == "MultiTenant"
        if not gate.emulator and multitenant and not gate.tenants:
            self.status.append(ANY_TENANT)

    async def stop(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
        await self.timer.stop()
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
        if self.runner is not None:
            await self.runner.cleanup()
        if self.metrics_runner is not None:
            await self.metrics_runner.cleanup()
        if self.slack is not None:
            await self.slack.close()
        if self.teams is not None:
            await self.teams.close()

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": VERSION})

    async def _readyz(self, request: web.Request) -> web.Response:
        checks = {"content": bool(self.bot.ctx.library.articles), "database": await self._db()}
        ready = all(checks.values())
        return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)

    async def _db(self) -> bool:
        """A database that does not answer within READY_TIMEOUT counts as away (a probe
        must not hang on a connect that never completes)."""
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await self.bot.ctx.store.ping()
        except Exception as exc:
            log.warning("database not reachable: %s", type(exc).__name__)
            return False
        return True

    async def _metrics(self, request: web.Request) -> web.Response:
        body, content_type = exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})
