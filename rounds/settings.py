"""Settings, read and validated once at the entry point, then passed down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting has a value Rounds cannot use. The message never includes secrets."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///rounds.db"
    content_dirs: tuple[Path, ...] = ()
    timezone: str = "Europe/London"
    admins: frozenset[str] = field(default_factory=frozenset)
    retention_days: int = 90
    grace_hours: int = 6
    claim_lease_seconds: int = 300  # a slot claim older than this was left by a crash
    scheduler_pass_seconds: int = 60  # how often the scheduler looks for due slots anyway
    log_format: str = "text"
    log_level: str = "info"  # `rounds serve`: debug, info, warning or error
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    slack_workspace_per_minute: int = 600  # Web API calls a minute, for fan-out
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_type: str | None = None
    microsoft_app_tenant_id: str | None = None

    @property
    def slack_http(self) -> bool:
        """Slack over HTTP needs the bot token and the signing secret."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_socket(self) -> bool:
        """Slack over Socket Mode needs the bot token and the app-level token."""
        return bool(self.slack_bot_token and self.slack_app_token)


def from_env(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    return Settings(
        database_url=_database_url(get("ROUNDS_DATABASE_URL") or Settings.database_url),
        content_dirs=_dirs(get("ROUNDS_CONTENT_DIRS")),
        timezone=_timezone(get("ROUNDS_TIMEZONE") or Settings.timezone),
        admins=frozenset(a.strip() for a in (get("ROUNDS_ADMINS") or "").split(",") if a.strip()),
        retention_days=_positive_int("ROUNDS_RETENTION_DAYS", get("ROUNDS_RETENTION_DAYS"), 90),
        grace_hours=_positive_int("ROUNDS_GRACE_HOURS", get("ROUNDS_GRACE_HOURS"), 6),
        claim_lease_seconds=_positive_int(
            "ROUNDS_CLAIM_LEASE_SECONDS", get("ROUNDS_CLAIM_LEASE_SECONDS"), 300
        ),
        scheduler_pass_seconds=_positive_int(
            "ROUNDS_SCHEDULER_PASS_SECONDS", get("ROUNDS_SCHEDULER_PASS_SECONDS"), 60
        ),
        log_format=_choice(
            "ROUNDS_LOG_FORMAT", get("ROUNDS_LOG_FORMAT") or "text", ("text", "json")
        ),
        log_level=_choice(
            "ROUNDS_LOG_LEVEL",
            (get("ROUNDS_LOG_LEVEL") or "info").lower(),
            ("debug", "info", "warning", "error"),
        ),
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=get("ROUNDS_SLACK_API_URL") or Settings.slack_api_url,
        slack_workspace_per_minute=_positive_int(
            "ROUNDS_SLACK_PER_MINUTE", get("ROUNDS_SLACK_PER_MINUTE"), 600
        ),
        microsoft_app_id=get("MicrosoftAppId"),
        microsoft_app_password=get("MicrosoftAppPassword"),
        microsoft_app_type=get("MicrosoftAppType"),
        microsoft_app_tenant_id=get("MicrosoftAppTenantId"),
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


def _dirs(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(p) for p in (value or "").split(":") if p.strip())


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"ROUNDS_TIMEZONE: unknown timezone {name!r}") from None
    return name


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
