"""Settings are read once from the environment and validated with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from rounds.settings import Settings, SettingsError, from_env


def test_defaults() -> None:
    settings = from_env({})
    assert settings == Settings()
    assert settings.database_url == "sqlite:///rounds.db"
    assert settings.timezone == "Europe/London" and settings.retention_days == 90


def test_values_are_parsed() -> None:
    settings = from_env(
        {
            "ROUNDS_CONTENT_DIRS": "/a:/b:",
            "ROUNDS_ADMINS": "U1, U2,,",
            "ROUNDS_RETENTION_DAYS": "30",
            "ROUNDS_LOG_FORMAT": "json",
            "ROUNDS_LOG_LEVEL": "DEBUG",
            "ROUNDS_TIMEZONE": "Europe/Belfast",
        }
    )
    assert settings.content_dirs == (Path("/a"), Path("/b"))
    assert settings.admins == frozenset({"U1", "U2"})
    assert settings.retention_days == 30 and settings.log_format == "json"
    assert settings.log_level == "debug" and Settings().log_level == "info"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ROUNDS_TIMEZONE", "Mars/Olympus"),
        ("ROUNDS_RETENTION_DAYS", "-3"),
        ("ROUNDS_RETENTION_DAYS", "ninety"),
        ("ROUNDS_LOG_FORMAT", "xml"),
        ("ROUNDS_LOG_LEVEL", "verbose"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


def test_secrets_are_not_in_repr() -> None:
    settings = from_env({"SLACK_BOT_TOKEN": "xoxb-not-a-real-token", "MicrosoftAppPassword": "pw"})
    assert "xoxb-not-a-real-token" not in repr(settings) and "pw'" not in repr(settings)
