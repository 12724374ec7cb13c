"""`rounds teams-package` for a real organisation: the host, publisher, links, version and
name in the manifest, from the flags, else the settings, else defaults on the host.

A real package never says localhost, example.nhs.uk or "Rounds maintainers": without a host
or a developer name it is refused in one line (exit status 2), and `--local` builds one for
the Bot Framework Emulator instead. Every manifest built here is checked against Microsoft's
schema (tests/teams_schema.py).
"""

from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import rounds
from rounds import cli, teams_listing
from rounds.settings import Settings
from rounds.teams_package import Options, PackageError, build_package
from tests.teams_schema import APP_ID, HOST, ORGANISATION, manifest_of

PUBLIC = "rounds.mytrust.nhs.uk"
SETTINGS = Settings(microsoft_app_id=APP_ID, organisation=ORGANISATION)
# Every variable the command reads for the package, so the machine's own cannot leak in.
VARIABLES = (
    "MicrosoftAppId",
    "ROUNDS_PUBLIC_URL",
    "ROUNDS_ORGANISATION",
    "ROUNDS_PRIVACY_URL",
    "ROUNDS_TERMS_URL",
)


def build(tmp_path: Path, settings: Settings = SETTINGS, **options: Any) -> Any:
    """The manifest of the package for `settings` and `options`, checked by the schema."""
    out = build_package(settings, tmp_path / "p.zip", Options(**options))
    return manifest_of(zipfile.ZipFile(out))


def links(manifest: Any) -> tuple[str, str, str]:
    developer = manifest["developer"]
    return developer["websiteUrl"], developer["privacyUrl"], developer["termsOfUseUrl"]


def refused(tmp_path: Path, settings: Settings = SETTINGS, **options: Any) -> str:
    out = tmp_path / "p.zip"
    with pytest.raises(PackageError) as raised:
        build_package(settings, out, Options(**options))
    assert not out.exists()
    return str(raised.value)


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, **env: str
) -> tuple[int, str, str]:
    """`rounds teams-package ARGS` through cli.main with just `env` set: (status, out, err)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in {"MicrosoftAppId": APP_ID, **env}.items():
        monkeypatch.setenv(name, value)
    status = cli.main(["teams-package", *args])
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def test_the_host_and_links_come_from_rounds_public_url(tmp_path: Path) -> None:
    settings = Settings(
        microsoft_app_id=APP_ID, organisation="My NHS Trust", public_url=f"https://{PUBLIC}"
    )
    manifest = build(tmp_path, settings)
    assert manifest["validDomains"] == [PUBLIC]
    assert manifest["webApplicationInfo"]["resource"] == f"api://{PUBLIC}/{APP_ID}"
    assert links(manifest) == (
        f"https://{PUBLIC}/",
        f"https://{PUBLIC}/privacy",
        f"https://{PUBLIC}/terms",
    )
    assert manifest["developer"]["name"] == "My NHS Trust"
    text = str(manifest)
    assert "example.nhs.uk" not in text and "Rounds maintainers" not in text


def test_a_public_url_under_a_path_keeps_it_in_the_links(tmp_path: Path) -> None:
    settings = Settings(
        microsoft_app_id=APP_ID, organisation=ORGANISATION, public_url="https://apps.nhs.uk/rounds"
    )
    manifest = build(tmp_path, settings)
    assert manifest["validDomains"] == ["apps.nhs.uk"]
    assert links(manifest)[1:] == (
        "https://apps.nhs.uk/rounds/privacy",
        "https://apps.nhs.uk/rounds/terms",
    )


def test_host_wins_over_rounds_public_url_and_the_links_follow_it(tmp_path: Path) -> None:
    settings = Settings(
        microsoft_app_id=APP_ID, organisation=ORGANISATION, public_url=f"https://{PUBLIC}"
    )
    manifest = build(tmp_path, settings, host="Other.Trust.nhs.uk")
    assert manifest["validDomains"] == ["other.trust.nhs.uk"]
    assert links(manifest) == (
        "https://other.trust.nhs.uk/",
        "https://other.trust.nhs.uk/privacy",
        "https://other.trust.nhs.uk/terms",
    )


def test_the_organisations_own_privacy_notice_and_terms_are_linked(tmp_path: Path) -> None:
    settings = Settings(
        microsoft_app_id=APP_ID,
        organisation=ORGANISATION,
        privacy_url="https://mytrust.nhs.uk/privacy-notice",
        terms_url="https://mytrust.nhs.uk/acceptable-use",
    )
    assert links(build(tmp_path, settings, host=HOST)) == (
        f"https://{HOST}/",
        "https://mytrust.nhs.uk/privacy-notice",
        "https://mytrust.nhs.uk/acceptable-use",
    )


def test_the_flags_win_over_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        microsoft_app_id=APP_ID,
        organisation=ORGANISATION,
        public_url=f"https://{PUBLIC}",
        privacy_url="https://mytrust.nhs.uk/privacy-notice",
        terms_url="https://mytrust.nhs.uk/acceptable-use",
    )
    manifest = build(
        tmp_path,
        settings,
        developer_name="Digital Team, My Trust",
        website_url="https://mytrust.nhs.uk/rounds",
        privacy_url="https://mytrust.nhs.uk/p",
        terms_url="https://mytrust.nhs.uk/t",
        version="3.1.4",
        app_name="Ward Rounds",
    )
    assert manifest["developer"]["name"] == "Digital Team, My Trust"
    assert links(manifest) == (
        "https://mytrust.nhs.uk/rounds",
        "https://mytrust.nhs.uk/p",
        "https://mytrust.nhs.uk/t",
    )
    assert manifest["version"] == "3.1.4"
    assert manifest["name"] == {
        "short": "Ward Rounds",
        "full": "Ward Rounds — NHS leadership conversations",
    }
    full = manifest["description"]["full"]
    assert full.startswith("Ward Rounds keeps") and "@Ward Rounds help" in full
    assert "@Rounds" not in full


def test_the_version_defaults_to_the_installed_package_version(tmp_path: Path) -> None:
    manifest = build(tmp_path, host=HOST)
    assert manifest["version"] == metadata.version("rounds") == rounds.version()
    assert manifest["name"]["short"] == "Rounds"


@pytest.mark.parametrize(
    "version", ["1.0", "1.0.0.1", "0.2.0.dev1", "1.0.0-rc1", "v1.0.0", "01.0.0"]
)
def test_a_version_teams_would_refuse_is_refused(tmp_path: Path, version: str) -> None:
    message = refused(tmp_path, host=HOST, version=version)
    assert f"--version {version!r}" in message and "MAJOR.MINOR.PATCH" in message


def test_a_development_version_of_rounds_asks_for_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(teams_listing, "installed_version", lambda: "0.2.0.dev3")
    message = refused(tmp_path, host=HOST)
    assert "'0.2.0.dev3'" in message and "--version" in message
    monkeypatch.setattr(teams_listing, "installed_version", lambda: None)
    assert "--version" in refused(tmp_path, host=HOST)
    assert build(tmp_path, host=HOST, version="0.2.0")["version"] == "0.2.0"


@pytest.mark.parametrize("flag", ["website_url", "privacy_url", "terms_url"])
@pytest.mark.parametrize(
    "url", ["http://mytrust.nhs.uk/p", "mytrust.nhs.uk/p", "https://", "https://my trust/p"]
)
def test_a_link_that_is_not_https_is_refused(tmp_path: Path, flag: str, url: str) -> None:
    link: dict[str, Any] = {flag: url}
    message = refused(tmp_path, host=HOST, **link)
    assert f"--{flag.replace('_', '-')} {url!r}" in message and "https://" in message


def test_a_settings_link_teams_would_refuse_names_its_variable(tmp_path: Path) -> None:
    """ROUNDS_PRIVACY_URL may be http on this machine for rounds serve; Teams needs https."""
    settings = Settings(
        microsoft_app_id=APP_ID, organisation=ORGANISATION, privacy_url="http://localhost/p"
    )
    assert "ROUNDS_PRIVACY_URL 'http://localhost/p'" in refused(tmp_path, settings, host=HOST)
    settings = Settings(
        microsoft_app_id=APP_ID, organisation=ORGANISATION, public_url="http://localhost:3978"
    )
    assert "ROUNDS_PUBLIC_URL 'http://localhost:3978'" in refused(tmp_path, settings)


@pytest.mark.parametrize("name", ["", "   ", "R" * 31])
def test_an_app_name_teams_would_refuse_is_refused(tmp_path: Path, name: str) -> None:
    assert "--app-name must be 1 to 30 characters" in refused(tmp_path, host=HOST, app_name=name)


def test_a_developer_name_longer_than_teams_allows_is_refused(tmp_path: Path) -> None:
    trust = "Manchester University NHS Foundation Trust"  # 42: Teams allows 32
    settings = Settings(microsoft_app_id=APP_ID, organisation=trust)
    message = refused(tmp_path, settings, host=HOST)
    assert "ROUNDS_ORGANISATION must be 1 to 32 characters" in message
    assert "--developer-name" in message
    manifest = build(tmp_path, settings, host=HOST, developer_name="Manchester University NHS FT")
    assert manifest["developer"]["name"] == "Manchester University NHS FT"


def test_a_value_that_looks_like_a_placeholder_is_kept_as_it_is(tmp_path: Path) -> None:
    manifest = build(tmp_path, host=HOST, developer_name="Team {{host}}")
    assert manifest["developer"]["name"] == "Team {{host}}"


def test_local_builds_a_package_for_the_emulator_on_localhost(tmp_path: Path) -> None:
    settings = Settings(microsoft_app_id=APP_ID, public_url=f"https://{PUBLIC}")
    manifest = build(tmp_path, settings, local=True)
    assert manifest["validDomains"] == ["localhost"]
    assert links(manifest) == (
        "https://localhost/",
        "https://localhost/privacy",
        "https://localhost/terms",
    )
    assert manifest["developer"]["name"] == teams_listing.LOCAL_DEVELOPER
    assert build(tmp_path, local=True)["developer"]["name"] == ORGANISATION


def test_the_command_line_takes_the_host_from_rounds_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rounds-teams.zip"
    status, printed, errors = run(
        monkeypatch,
        capsys,
        "--out",
        str(out),
        ROUNDS_PUBLIC_URL=f"https://{PUBLIC}",
        ROUNDS_ORGANISATION="My NHS Trust",
        ROUNDS_TERMS_URL="https://mytrust.nhs.uk/terms-of-use",
    )
    assert (status, printed, errors) == (0, f"wrote {out}\n", "")
    manifest = manifest_of(zipfile.ZipFile(out))
    assert manifest["validDomains"] == [PUBLIC]
    assert manifest["developer"]["name"] == "My NHS Trust"
    assert links(manifest)[1:] == (
        f"https://{PUBLIC}/privacy",
        "https://mytrust.nhs.uk/terms-of-use",
    )


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        ((), {"ROUNDS_ORGANISATION": ORGANISATION}, ("--host", "ROUNDS_PUBLIC_URL", "--local")),
        (("--host", HOST), {}, ("--developer-name", "ROUNDS_ORGANISATION")),
        (("--host", HOST, "--local"), {}, ("--local", "--host")),
        (("--host", HOST, "--version", "1.0"), {"ROUNDS_ORGANISATION": "T"}, ("--version",)),
        (
            ("--host", HOST, "--privacy-url", "http://x.nhs.uk"),
            {"ROUNDS_ORGANISATION": "T"},
            ("--privacy-url",),
        ),
    ],
)
def test_the_command_line_refuses_in_one_line_naming_what_to_give(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    env: dict[str, str],
    named: tuple[str, ...],
) -> None:
    out = tmp_path / "rounds-teams.zip"
    status, printed, errors = run(monkeypatch, capsys, "--out", str(out), *args, **env)
    assert status == 2 and printed == "" and not out.exists()
    assert errors.startswith("rounds: ") and errors.count("\n") == 1, errors
    assert all(name in errors for name in named), errors
    assert "Traceback" not in errors and "Rounds maintainers" not in errors
