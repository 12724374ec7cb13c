"""Settings are read once from the environment and validated with clear messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rounds import cli
from rounds.settings import Settings, SettingsError, from_env


def test_defaults() -> None:
    settings = from_env({})
    assert settings == Settings()
    assert settings.database_url == "sqlite:///rounds.db"
    assert settings.timezone == "Europe/London" and settings.retention == dt.timedelta(days=90)


def test_values_are_parsed() -> None:
    settings = from_env(
        {
            "ROUNDS_CONTENT_DIRS": "/a:/b:",
            "ROUNDS_ADMINS": "slack:U1, Teams:T9:29:abc,,",
            "ROUNDS_RETENTION_DAYS": "30",
            "ROUNDS_LOG_FORMAT": "json",
            "ROUNDS_LOG_LEVEL": "DEBUG",
            "ROUNDS_TIMEZONE": "Europe/Belfast",
        }
    )
    assert settings.content_dirs == (Path("/a"), Path("/b"))
    assert settings.admins == frozenset({"slack:U1", "teams:T9:29:abc"})
    assert settings.warnings == ()
    assert settings.retention == dt.timedelta(days=30) and settings.log_format == "json"
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


GUID = "4f1c2a9e-0b7d-4c3e-9a51-6d2e8f0b1c3a"


def test_admins_are_people_on_a_platform() -> None:
    """`platform:user`, or `platform:workspace:user` for one workspace; a Teams user id may
    hold ':' itself."""
    value = f"slack:U0ADA, teams:{GUID}, console:ada, slack:T1:U0BEN, teams:{GUID}:29:xyz"
    settings = from_env({"ROUNDS_ADMINS": value})
    assert settings.admins == frozenset(
        {"slack:U0ADA", f"teams:{GUID}", "console:ada", "slack:T1:U0BEN", f"teams:{GUID}:29:xyz"}
    )
    assert settings.warnings == ()


@pytest.mark.parametrize(
    ("bare", "qualified"),
    [("U0ADA", "slack:U0ADA"), ("W0ENTERPRISE", "slack:W0ENTERPRISE"), (GUID, f"teams:{GUID}")],
)
def test_a_bare_admin_id_is_taken_for_the_platform_it_fits_with_a_warning(
    bare: str, qualified: str
) -> None:
    settings = from_env({"ROUNDS_ADMINS": f"{bare}, console:ada"})
    assert settings.admins == frozenset({qualified, "console:ada"})
    [warning] = settings.warnings
    assert "ROUNDS_ADMINS" in warning and repr(qualified) in warning and "\n" not in warning


def test_a_bare_name_is_a_console_admin() -> None:
    settings = from_env({"ROUNDS_ADMINS": "ada"})
    assert settings.admins == frozenset({"console:ada"}) and len(settings.warnings) == 1


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("slack:U0ADA, skype:ada", "unknown platform 'skype'"),
        ("29:abc", "unknown platform '29'"),  # a bare Teams id: write teams:<Entra object id>
        ("slack:", "names no user"),
        ("slack:T1:", "names no user"),
        ("slack:U0REPLACEME", "placeholder"),
        ("teams:<replace-with-entra-object-id>", "placeholder"),
        ("REPLACE_ME", "placeholder"),
    ],
)
def test_bad_admins_are_refused_in_one_clear_line(value: str, problem: str) -> None:
    with pytest.raises(SettingsError, match="ROUNDS_ADMINS") as raised:
        from_env({"ROUNDS_ADMINS": value})
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_secrets_are_not_in_repr() -> None:
    settings = from_env({"SLACK_BOT_TOKEN": "xoxb-not-a-real-token", "MicrosoftAppPassword": "pw"})
    assert "xoxb-not-a-real-token" not in repr(settings) and "pw'" not in repr(settings)


def test_serve_prints_each_warning_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def serve(settings: Settings, *args: object) -> int:
        return 0

    monkeypatch.setattr(cli, "serve", serve)
    monkeypatch.setenv("ROUNDS_ADMINS", f"U0ADA, {GUID}, console:ada")
    assert cli.main(["serve"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "rounds: warning: ROUNDS_ADMINS: 'U0ADA' is taken as 'slack:U0ADA'; write it so",
        f"rounds: warning: ROUNDS_ADMINS: '{GUID}' is taken as 'teams:{GUID}'; write it so",
    ]


def test_teams_admin_guids_match_in_any_case() -> None:
    """Teams sends Entra object and tenant ids in lower case; an admin may paste them in
    upper case. Other Teams ids (`29:…`) keep their case."""
    guid = "0A1B2C3D-0000-0000-0000-00000000ABCD"
    settings = from_env({"ROUNDS_ADMINS": f"teams:{guid},{guid},teams:{guid}:29:AbC"})
    lower = guid.lower()
    assert settings.admins == {f"teams:{lower}", f"teams:{lower}:29:AbC"}
