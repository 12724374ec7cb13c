"""Settings, read and validated once at the entry point, then passed down."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import durations
from bot.content.loader import content_dirs

DAY, HOUR, SECOND = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(seconds=1)


class SettingsError(ValueError):
    """A setting has a value Rounds cannot use. The message never includes secrets."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///rounds.db"
    content_dirs: tuple[Path, ...] = ()
    bundled_content: bool = True  # ROUNDS_BUNDLED_CONTENT: off loads only content_dirs
    timezone: str = "Europe/London"
    admins: frozenset[str] = field(default_factory=frozenset)  # `platform:[workspace:]user`
    warnings: tuple[str, ...] = ()  # usable but worth fixing; the CLI prints them at start
    # Durations: `bot/durations.py` says what each one is.
    retention: dt.timedelta = durations.RETENTION
    follow_up: dt.timedelta = durations.FOLLOW_UP
    grace: dt.timedelta = durations.GRACE
    lease: dt.timedelta = durations.LEASE
    scheduler_pass: dt.timedelta = durations.SCHEDULER_PASS
    outbound_timeout: dt.timedelta = durations.OUTBOUND_TIMEOUT  # no variable; tests shorten it
    log_format: str = "text"
    log_level: str = "info"  # `rounds serve`: debug, info, warning or error
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    slack_workspace_per_minute: int = 600  # Web API calls a minute, for fan-out
    rate_per_minute: int = 30  # a person's commands and button presses (bursts of a third)
    anonymous_per_minute: int = 30  # anonymous contributions to one reflection thread
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_type: str | None = None
    microsoft_app_tenant_id: str | None = None
    teams_emulator: bool = False  # local Bot Framework Emulator trial, loopback only
    teams_tenants: frozenset[str] = field(default_factory=frozenset)  # empty: any tenant
    teams_service_hosts: tuple[str, ...] = ()  # more Bot Connector hosts to accept
    metrics_port: int | None = None  # /metrics on its own port instead of the main one
    # The organisation running Rounds, for /privacy, /terms and the Teams package.
    public_url: str | None = None  # ROUNDS_PUBLIC_URL: https://host that reaches Rounds
    organisation: str | None = None  # ROUNDS_ORGANISATION: its name, as people know it
    privacy_contact: str | None = None  # ROUNDS_PRIVACY_CONTACT: email or page for data questions
    privacy_url: str | None = None  # ROUNDS_PRIVACY_URL: its own notice instead of /privacy
    terms_url: str | None = None  # ROUNDS_TERMS_URL: its own terms instead of /terms

    @property
    def teams(self) -> bool:
        """Teams is mounted only with an app id, or in emulator mode when asked for."""
        return bool(self.microsoft_app_id) or self.teams_emulator

    @property
    def emulated(self) -> bool:
        """Teams without tokens: emulator mode asked for, and no app id to check them with."""
        return self.teams_emulator and not self.microsoft_app_id

    @property
    def slack_http(self) -> bool:
        """Slack over HTTP needs the bot token and the signing secret."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_socket(self) -> bool:
        """Slack over Socket Mode needs the bot token and the app-level token."""
        return bool(self.slack_bot_token and self.slack_app_token)

    def library_dirs(self, extra: Sequence[Path] = ()) -> list[Path]:
        """The folders the content library is loaded from: the bundled library unless
        ROUNDS_BUNDLED_CONTENT is off, then `extra` when given, else ROUNDS_CONTENT_DIRS.
        None at all is refused: Rounds would start with nothing to offer."""
        dirs = content_dirs(list(extra) or list(self.content_dirs), bundled=self.bundled_content)
        if not dirs:
            raise SettingsError(NO_LIBRARY)
        return dirs


NO_LIBRARY = (
    "ROUNDS_BUNDLED_CONTENT is off and no content folder is named, so Rounds would have no "
    "content library; set ROUNDS_CONTENT_DIRS to your own folders, or ROUNDS_BUNDLED_CONTENT=on"
)


def from_env(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    admins, warnings = _admins(get("ROUNDS_ADMINS"))
    return Settings(
        database_url=_database_url(get("ROUNDS_DATABASE_URL") or Settings.database_url),
        content_dirs=_dirs(get("ROUNDS_CONTENT_DIRS")),
        bundled_content=_choice(
            "ROUNDS_BUNDLED_CONTENT",
            (get("ROUNDS_BUNDLED_CONTENT") or "on").lower(),
            ("on", "off"),
        )
        == "on",
        timezone=_timezone(get("ROUNDS_TIMEZONE") or Settings.timezone),
        admins=admins,
        warnings=warnings,
        retention=_duration("ROUNDS_RETENTION_DAYS", get, Settings.retention, DAY),
        follow_up=_duration("ROUNDS_FOLLOW_UP_DAYS", get, Settings.follow_up, DAY),
        grace=_duration("ROUNDS_GRACE_HOURS", get, Settings.grace, HOUR),
        lease=_duration("ROUNDS_CLAIM_LEASE_SECONDS", get, Settings.lease, SECOND),
        scheduler_pass=_duration(
            "ROUNDS_SCHEDULER_PASS_SECONDS", get, Settings.scheduler_pass, SECOND
        ),
        log_format=_choice(
            "ROUNDS_LOG_FORMAT", get("ROUNDS_LOG_FORMAT") or Settings.log_format, ("text", "json")
        ),
        log_level=_choice(
            "ROUNDS_LOG_LEVEL",
            (get("ROUNDS_LOG_LEVEL") or Settings.log_level).lower(),
            ("debug", "info", "warning", "error"),
        ),
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=get("ROUNDS_SLACK_API_URL") or Settings.slack_api_url,
        slack_workspace_per_minute=_positive_int(
            "ROUNDS_SLACK_PER_MINUTE",
            get("ROUNDS_SLACK_PER_MINUTE"),
            Settings.slack_workspace_per_minute,
        ),
        rate_per_minute=_positive_int(
            "ROUNDS_RATE_PER_MINUTE", get("ROUNDS_RATE_PER_MINUTE"), Settings.rate_per_minute
        ),
        anonymous_per_minute=_positive_int(
            "ROUNDS_ANONYMOUS_PER_MINUTE",
            get("ROUNDS_ANONYMOUS_PER_MINUTE"),
            Settings.anonymous_per_minute,
        ),
        microsoft_app_id=get("MicrosoftAppId"),
        microsoft_app_password=get("MicrosoftAppPassword"),
        microsoft_app_type=get("MicrosoftAppType"),
        microsoft_app_tenant_id=get("MicrosoftAppTenantId"),
        teams_emulator=_emulator(get("ROUNDS_TEAMS_EMULATOR"), get("MicrosoftAppId")),
        teams_tenants=_tenants(get("ROUNDS_TEAMS_TENANTS"), get("MicrosoftAppTenantId")),
        teams_service_hosts=_hosts(get("ROUNDS_TEAMS_SERVICE_HOSTS")),
        metrics_port=_port("ROUNDS_METRICS_PORT", get("ROUNDS_METRICS_PORT")),
        public_url=_url("ROUNDS_PUBLIC_URL", get("ROUNDS_PUBLIC_URL")),
        organisation=get("ROUNDS_ORGANISATION"),
        privacy_contact=get("ROUNDS_PRIVACY_CONTACT"),
        privacy_url=_url("ROUNDS_PRIVACY_URL", get("ROUNDS_PRIVACY_URL")),
        terms_url=_url("ROUNDS_TERMS_URL", get("ROUNDS_TERMS_URL")),
    )


def _database_url(url: str) -> str:
    """Only the scheme is ever shown back: the rest may hold a password."""
    scheme, sep, _rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] not in ("sqlite", "postgresql", "postgres"):
        shown = scheme if sep else "(no scheme)"
        raise SettingsError(
            f"ROUNDS_DATABASE_URL: unsupported database {shown!r}; "
            "use sqlite:///path/to/rounds.db or postgresql://user@host/db"
        )
    return url


def _flag(name: str, value: str | None) -> bool:
    if value is None:
        return False
    lowered = value.lower()
    if lowered not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{name}: must be true or false, got {value!r}")
    return lowered in ("true", "1", "yes")


def _emulator(value: str | None, app_id: str | None) -> bool:
    on = _flag("ROUNDS_TEAMS_EMULATOR", value)
    if on and app_id:
        raise SettingsError(
            "ROUNDS_TEAMS_EMULATOR: emulator mode is for a local trial without an app id; "
            "unset it when MicrosoftAppId is set"
        )
    return on


def _tenants(value: str | None, tenant_id: str | None) -> frozenset[str]:
    """`ROUNDS_TEAMS_TENANTS`, else the bot's own tenant when it has one."""
    listed = {t.strip().lower() for t in (value or "").split(",") if t.strip()}
    if not listed and tenant_id:
        listed = {tenant_id.lower()}
    return frozenset(listed)


def _hosts(value: str | None) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in (value or "").split(",") if h.strip())
    for host in hosts:
        if "/" in host or ":" in host.lstrip("*."):
            raise SettingsError(
                f"ROUNDS_TEAMS_SERVICE_HOSTS: give host names only "
                f"(like smba.example.net or *.example.net), got {host!r}"
            )
    return hosts


def _port(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"{name}: must be a port number (1-65535), got {value!r}")
    return int(value)


def _url(name: str, value: str | None) -> str | None:
    """An https address (http only for this machine), without a trailing slash."""
    if value is None:
        return None
    parsed = urlsplit(value)
    local = parsed.hostname in ("localhost", "127.0.0.1", "::1")
    if (
        not parsed.hostname
        or parsed.scheme not in ("https", "http")
        or (parsed.scheme == "http" and not local)
    ):
        raise SettingsError(f"{name}: must be an https:// address, got {value!r}")
    return value.rstrip("/")


def _dirs(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(p) for p in (value or "").split(":") if p.strip())


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"ROUNDS_TIMEZONE: unknown timezone {name!r}") from None
    return name


def _duration(
    name: str, get: Callable[[str], str | None], default: dt.timedelta, unit: dt.timedelta
) -> dt.timedelta:
    """A duration set as a whole number of `unit`s."""
    return unit * _positive_int(name, get(name), default // unit)


def _positive_int(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise SettingsError(f"{name}: must be a positive whole number, got {value!r}")
    return int(value)


def _choice(name: str, value: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise SettingsError(f"{name}: must be one of {', '.join(options)}, got {value!r}")
    return value


ADMIN_PLATFORMS = ("slack", "teams", "console")
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ADMIN_FORMS = "slack:<user id>, teams:<Entra object id> or console:<name>"


def _admins(value: str | None) -> tuple[frozenset[str], tuple[str, ...]]:
    """`ROUNDS_ADMINS`, comma-separated: `platform:user` (any workspace of the platform) or
    `platform:workspace:user` (that one only). A bare id is taken for the platform whose ids
    look like it, with a warning; the same id on another platform is never an admin."""
    admins: list[str] = []
    warnings: list[str] = []
    for entry in (e.strip() for e in (value or "").split(",")):
        if entry:
            admin, warning = _admin(entry)
            admins.append(admin)
            warnings += [warning] if warning else []
    return frozenset(admins), tuple(warnings)


def _admin(entry: str) -> tuple[str, str | None]:
    if "replace" in entry.lower():
        raise SettingsError(
            f"ROUNDS_ADMINS still holds the deploy kit's placeholder ({entry!r}): fill it in "
            f"with your admins, as {ADMIN_FORMS}"
        )
    platform, sep, rest = entry.partition(":")
    if not sep:
        platform = _platform_of(entry)
        qualified = f"{platform}:{entry.lower() if platform == 'teams' else entry}"
        return qualified, f"ROUNDS_ADMINS: {entry!r} is taken as {qualified!r}; write it so"
    if platform.lower() not in ADMIN_PLATFORMS:
        raise SettingsError(
            f"ROUNDS_ADMINS: unknown platform {platform!r} in {entry!r}; use {ADMIN_FORMS}"
        )
    if not rest or rest.endswith(":"):
        raise SettingsError(f"ROUNDS_ADMINS: {entry!r} names no user; use {ADMIN_FORMS}")
    if platform.lower() == "teams":  # Teams sends tenant and Entra object ids in lower case
        rest = ":".join(p.lower() if GUID.fullmatch(p) else p for p in rest.split(":", 1))
    return f"{platform.lower()}:{rest}", None


def _platform_of(user: str) -> str:
    """The platform whose user ids look like `user`: Slack `U…`/`W…`, Teams (Entra) GUIDs;
    anything else is a console name."""
    if SLACK_USER.fullmatch(user):
        return "slack"
    return "teams" if GUID.fullmatch(user) else "console"
