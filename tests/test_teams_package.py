"""The Teams app package (`rounds teams-package`): what Teams would reject on upload.

The package is a zip of deploy/teams/manifest.json, filled in with the bot's app id, host,
publisher, links, version and name and given the command menu declared in bot/commands.py,
and the two icons. Every manifest built here is checked against Microsoft's schema for its
manifest version (tests/data/teams). The manifest must name only commands the bot has, and
the icons must have the sizes and colours Teams requires. The options and their defaults
are in tests/test_teams_listing.py.
"""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from bot.commands import SPECS
from bot.core import COMMANDS
from rounds.settings import Settings
from rounds.teams_package import (
    SOURCE,
    Options,
    PackageError,
    build_package,
    command_lists,
    png_size,
)
from tests.teams_schema import APP_ID, HOST, ORGANISATION, manifest_of, schema_errors

FILES = {"manifest.json", "color.png", "outline.png"}
SETTINGS = Settings(microsoft_app_id=APP_ID, organisation=ORGANISATION)
OPTIONS = Options(host=HOST)


@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    out = build_package(SETTINGS, tmp_path / "rounds-teams.zip", Options(host=HOST))
    assert out == tmp_path / "rounds-teams.zip"
    archive = zipfile.ZipFile(out)
    assert archive.testzip() is None
    manifest_of(archive)  # checked against Microsoft's schema
    return archive


def pixels(data: bytes) -> list[tuple[int, ...]]:
    """Every pixel of a non-interlaced 8-bit RGB or RGBA PNG, as (r, g, b, a)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks[kind] = chunks.get(kind, b"") + body
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    previous = bytearray(stride)
    out: list[tuple[int, ...]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            upleft = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else upleft
                row[i] = (row[i] + pred) & 0xFF
            else:
                assert kind == 0, f"unknown PNG filter {kind}"
        previous = row
        for x in range(width):
            px = tuple(row[x * channels : (x + 1) * channels])
            out.append(px if channels == 4 else (*px, 255))
    assert len(out) == width * height
    return out


def test_the_package_holds_exactly_the_manifest_and_icons_at_its_root(
    package: zipfile.ZipFile,
) -> None:
    assert set(package.namelist()) == FILES
    assert len(package.namelist()) == len(FILES)


def test_every_placeholder_is_filled_with_the_app_id_and_host(package: zipfile.ZipFile) -> None:
    text = package.read("manifest.json").decode("utf-8")
    assert "{{" not in text and "}}" not in text
    manifest = manifest_of(package)
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["composeExtensions"][0]["botId"] == APP_ID
    assert HOST in manifest["validDomains"]


def test_microsofts_schema_refuses_what_teams_refuses(package: zipfile.ZipFile) -> None:
    """The check is real: the schema finds a manifest wrong where Teams would."""
    manifest = manifest_of(package)
    assert schema_errors(manifest) == []
    for path, value in [
        (("developer", "privacyUrl"), "rounds.example.nhs.uk/privacy"),
        (("developer", "name"), "N" * 33),
        (("name", "short"), "R" * 31),
        (("id",), "rounds"),
    ]:
        wrong = json.loads(json.dumps(manifest))
        wrong[path[0]] = value if len(path) == 1 else {**wrong[path[0]], path[1]: value}
        assert [e for e in schema_errors(wrong) if e.startswith("/".join(path))], path


def test_the_manifest_is_a_current_teams_manifest(package: zipfile.ZipFile) -> None:
    manifest = manifest_of(package)
    version = manifest["manifestVersion"]
    assert tuple(map(int, version.split("."))) >= (1, 17)
    assert f"/v{version}/MicrosoftTeams.schema.json" in manifest["$schema"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"] == "#005EB8"
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert set(manifest["permissions"]) <= {"identity", "messageTeamMembers"}
    for field in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][field].startswith("https://")


def test_the_command_lists_name_only_real_commands_in_every_scope(
    package: zipfile.ZipFile,
) -> None:
    bot = manifest_of(package)["bots"][0]
    assert set(bot["scopes"]) == {"team", "personal", "groupChat"}
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    listed: set[str] = set()
    for commands in bot["commandLists"]:
        listed.update(commands["scopes"])
        assert len(commands["commands"]) <= 10
        titles = [c["title"] for c in commands["commands"]]
        assert len(titles) == len(set(titles)), f"a command is listed twice: {titles}"
        assert set(titles) <= set(COMMANDS), f"not Rounds commands: {set(titles) - set(COMMANDS)}"
        for command in commands["commands"]:
            assert len(command["title"]) <= 32 and 0 < len(command["description"]) <= 128
    assert listed == set(bot["scopes"]), "every scope needs a command list"


def test_the_command_menu_is_the_declared_one_in_declaration_order(
    package: zipfile.ZipFile,
) -> None:
    """The menu comes from bot/commands.py alone: the template in deploy/teams has none."""
    template = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    assert all("commandLists" not in bot for bot in template["bots"])
    lists = manifest_of(package)["bots"][0]["commandLists"]
    assert lists == command_lists()
    menus = {scope: c["commands"] for c in lists for scope in c["scopes"]}
    assert list(menus) == ["team", "groupChat", "personal"]
    lines = {"team": "channel", "groupChat": "group", "personal": "direct"}
    for scope, commands in menus.items():
        declared = [(c.name, getattr(c.menu, lines[scope], None)) for c in SPECS]
        expected = [{"title": name, "description": line} for name, line in declared if line]
        assert commands == expected, scope
    offered = {c["title"] for commands in menus.values() for c in commands}
    assert offered == {c.name for c in SPECS if c.menu}
    assert "reflect" not in {c["title"] for c in menus["groupChat"] + menus["personal"]}


def test_a_template_without_a_bot_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "teams"
    shutil.copytree(SOURCE, source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("bots")
    (source / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PackageError, match="no bot"):
        build_package(SETTINGS, tmp_path / "p.zip", OPTIONS, source=source)


def test_reflection_threads_ask_to_read_channel_messages_through_rsc(
    package: zipfile.ZipFile,
) -> None:
    """Replies in a reflection thread need no @mention: the team owner consents, at install,
    to Teams sending the bot the team's channel messages (resource-specific consent)."""
    manifest = manifest_of(package)
    version = tuple(map(int, manifest["manifestVersion"].split(".")))
    assert version >= (1, 12)  # the manifest that has authorization.permissions
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}
    ]
    info = manifest["webApplicationInfo"]
    assert info["id"] == APP_ID and info["resource"].strip()
    assert "reflect" in [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m.pop("webApplicationInfo"), "webApplicationInfo"),
        (
            lambda m: m["webApplicationInfo"].update(id="00000000-0000-0000-0000-000000000000"),
            "webApplicationInfo",
        ),
        (lambda m: m["webApplicationInfo"].update(resource=""), "webApplicationInfo"),
        (lambda m: m.update(manifestVersion="1.11"), "1.12 or later"),
    ],
)
def test_rsc_without_what_teams_needs_for_it_is_refused(
    tmp_path: Path, change: Any, problem: str
) -> None:
    source = tmp_path / "teams"
    shutil.copytree(SOURCE, source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (source / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PackageError, match=problem):
        build_package(SETTINGS, tmp_path / "p.zip", OPTIONS, source=source)


def test_the_compose_extension_is_the_lookup_search(package: zipfile.ZipFile) -> None:
    (extension,) = manifest_of(package)["composeExtensions"]
    (command,) = extension["commands"]
    assert command["id"] == "lookup"
    assert command["type"] == "query"
    assert command["initialRun"] is False
    assert [p["name"] for p in command["parameters"]] == ["query"]


def test_the_icons_have_the_sizes_teams_requires(package: zipfile.ZipFile) -> None:
    assert png_size(package.read("color.png")) == (192, 192)
    assert png_size(package.read("outline.png")) == (32, 32)
    colour = pixels(package.read("color.png"))
    assert len(colour) == 192 * 192
    assert all(a == 255 for *_, a in colour), "the colour icon is opaque"
    assert colour[0][:3] == (0x00, 0x5E, 0xB8), "NHS blue behind the symbol"


def test_the_outline_icon_is_only_white_and_transparent(package: zipfile.ZipFile) -> None:
    outline = pixels(package.read("outline.png"))
    assert len(outline) == 32 * 32
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in outline)
    assert any(a == 255 for *_, a in outline), "the symbol is visible"
    assert outline[0][3] == 0, "the background is transparent"


@pytest.mark.parametrize(
    "app_id",
    [
        None,
        "",
        "rounds",
        "00000000-0000-0000-0000-00000000b07",
        "{00000000-0000-0000-0000-000000000b07}",
    ],
)
def test_a_missing_or_malformed_app_id_is_refused_without_echoing_it(
    tmp_path: Path, app_id: str | None
) -> None:
    out = tmp_path / "p.zip"
    with pytest.raises(PackageError, match="MicrosoftAppId") as raised:
        build_package(Settings(microsoft_app_id=app_id, organisation=ORGANISATION), out, OPTIONS)
    message = str(raised.value)
    assert "export MicrosoftAppId=" in message
    if app_id:
        assert app_id not in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_app_password_never_appears_in_an_error(tmp_path: Path) -> None:
    secret = "s3cr3t-client-secret~value"
    settings = Settings(microsoft_app_id=secret, microsoft_app_password=secret)
    with pytest.raises(PackageError) as raised:
        build_package(settings, tmp_path / "p.zip", OPTIONS)
    assert secret not in str(raised.value)


@pytest.mark.parametrize("host", ["https://rounds.example.nhs.uk", "rounds.example.nhs.uk/x", ""])
def test_a_host_that_is_not_a_bare_host_name_is_refused(tmp_path: Path, host: str) -> None:
    with pytest.raises(PackageError, match="host"):
        build_package(SETTINGS, tmp_path / "p.zip", Options(host=host))


def test_a_missing_deploy_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="manifest is missing"):
        build_package(SETTINGS, tmp_path / "p.zip", OPTIONS, source=tmp_path / "nowhere")


def test_an_icon_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "teams"
    shutil.copytree(SOURCE, source)
    shutil.copy(source / "outline.png", source / "color.png")
    with pytest.raises(PackageError, match="32×32 pixels; Teams needs 192×192"):
        build_package(SETTINGS, tmp_path / "p.zip", OPTIONS, source=source)


def test_an_unwritable_destination_is_a_package_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="cannot write"):
        build_package(SETTINGS, tmp_path / "no" / "such" / "p.zip", OPTIONS)


def test_the_same_inputs_give_the_same_package(tmp_path: Path) -> None:
    first = build_package(SETTINGS, tmp_path / "a.zip", OPTIONS).read_bytes()
    second = build_package(SETTINGS, tmp_path / "b.zip", OPTIONS).read_bytes()
    assert first == second


def test_the_command_line_builds_the_package(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "rounds-teams.zip"
    unset = ("ROUNDS_PUBLIC_URL", "ROUNDS_ORGANISATION", "ROUNDS_PRIVACY_URL", "ROUNDS_TERMS_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env |= {"MicrosoftAppId": APP_ID, "ROUNDS_PUBLIC_URL": "https://rounds.mytrust.nhs.uk"}
    command = [sys.executable, "-m", "rounds.cli", "teams-package", "--out", str(out)]
    done = subprocess.run(
        [*command, "--developer-name", "My Trust", "--version", "2.3.4"],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0 and f"wrote {out}" in done.stdout and out.exists()
    manifest = manifest_of(zipfile.ZipFile(out))
    assert manifest["validDomains"] == ["rounds.mytrust.nhs.uk"]
    assert manifest["developer"]["name"] == "My Trust" and manifest["version"] == "2.3.4"
    env["MicrosoftAppId"] = ""
    failed = subprocess.run(command, env=env, text=True, capture_output=True, timeout=60)
    assert failed.returncode == 2 and "MicrosoftAppId" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
