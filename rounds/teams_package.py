"""The Teams app package: deploy/teams filled in with this bot's app id, host and publisher,
zipped.

Teams installs an app from a zip holding `manifest.json` and its two icons at the root. The
manifest in the repository has placeholders (`{{MicrosoftAppId}}`, `{{host}}`, `{{version}}`,
the developer's name and links, the app's names); this fills them in from the settings and
the command line (`rounds/teams_listing.py` decides each value), adds the bot's command menu
from the commands' declaration (`bot/commands.py`), and checks what Teams would reject
before anyone uploads it.
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.commands import SPECS, Menu
from rounds.settings import GUID, Settings
from rounds.teams_listing import Listing, Options, PackageError, listing

__all__ = ["Options", "PackageError", "build_package", "command_lists", "png_size"]

SOURCE = Path(__file__).resolve().parent.parent / "deploy" / "teams"
MANIFEST = "manifest.json"
# Each icon, with the width and height Teams requires of it.
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}

APP_ID = "{{MicrosoftAppId}}"
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RSC_VERSION = (1, 12)  # the first manifest with authorization.permissions.resourceSpecific
# Each Teams scope, in the manifest's order, with the line a command's menu offers there.
SCOPES: dict[str, Callable[[Menu], str | None]] = {
    "team": lambda menu: menu.channel,
    "groupChat": lambda menu: menu.group,
    "personal": lambda menu: menu.direct,
}
# Every entry gets the same timestamp, so the same inputs give the same zip.
TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def build_package(
    settings: Settings, out: Path, options: Options | None = None, *, source: Path = SOURCE
) -> Path:
    """Write the Teams app package for `settings.microsoft_app_id` to `out`.

    The host, publisher, links, version and names come from `options`, then `settings`
    (see `rounds.teams_listing`). Raises PackageError if the app id is missing or not a GUID,
    a value is missing or one Teams would refuse, the files in `source` are missing or
    wrong, or `out` cannot be written.
    """
    app_id = _app_id(settings.microsoft_app_id)
    values = _placeholders(app_id, listing(settings, options or Options()))
    manifest = _manifest(source / MANIFEST, values)
    _check_consent(manifest, app_id)
    _add_command_menu(manifest)
    icons = {name: _icon(source / name, size) for name, size in ICONS.items()}
    files = {MANIFEST: (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()}
    _write_zip(out, files | icons)
    return out


def _app_id(value: str | None) -> str:
    how = (
        "set it to the bot's Microsoft App ID (a GUID like "
        "12345678-abcd-1234-abcd-1234567890ab) from the Azure Bot resource or the Teams "
        "Developer Portal, e.g. export MicrosoftAppId=<app id>"
    )
    if not value:
        raise PackageError(f"MicrosoftAppId is not set: {how}")
    if not GUID.fullmatch(value):
        # The value itself is not shown: a secret pasted into the wrong variable stays hidden.
        raise PackageError(f"MicrosoftAppId is not a GUID: {how}")
    return value


def _placeholders(app_id: str, values: Listing) -> dict[str, str]:
    """Each placeholder in deploy/teams/manifest.json with its value."""
    return {
        APP_ID: app_id,
        "{{host}}": values.host,
        "{{version}}": values.version,
        "{{developerName}}": values.developer_name,
        "{{websiteUrl}}": values.website_url,
        "{{privacyUrl}}": values.privacy_url,
        "{{termsOfUseUrl}}": values.terms_url,
        "{{appName}}": values.short_name,
        "{{appFullName}}": values.full_name,
    }


def _manifest(path: Path, values: dict[str, str]) -> Any:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(
            f"the Teams manifest is missing ({path}); build the package from a copy of the "
            "Rounds source, which has deploy/teams"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PackageError(f"cannot read the Teams manifest {path}: {e}") from None
    unknown = sorted(
        set(PLACEHOLDER.findall(json.dumps(manifest, ensure_ascii=False))) - set(values)
    )
    if unknown:
        raise PackageError(f"{path} has placeholders Rounds does not fill: {', '.join(unknown)}")
    return _fill(manifest, values)


def _add_command_menu(manifest: Any) -> None:
    bots = manifest.get("bots") if isinstance(manifest, dict) else None
    if not isinstance(bots, list) or not bots or not isinstance(bots[0], dict):
        raise PackageError("the Teams manifest has no bot to give the command menu to")
    bots[0]["commandLists"] = command_lists()


def command_lists() -> list[dict[str, Any]]:
    """The bot's command menu in each scope: every declared command with a line there."""
    return [{"scopes": [scope], "commands": _menu(line_in)} for scope, line_in in SCOPES.items()]


def _menu(line_in: Callable[[Menu], str | None]) -> list[dict[str, str]]:
    lines = ((spec.name, line_in(spec.menu) if spec.menu else None) for spec in SPECS)
    return [{"title": name, "description": line} for name, line in lines if line]


def _check_consent(manifest: Any, app_id: str) -> None:
    """Resource-specific consent (Rounds asks for `ChannelMessage.Read.Group`, to see the
    replies in its reflection threads without a mention) needs manifest 1.12 or later and a
    `webApplicationInfo` naming the bot's own app id; Teams refuses the upload otherwise."""
    authorization = manifest.get("authorization") if isinstance(manifest, dict) else None
    permissions = (authorization or {}).get("permissions") or {}
    if not permissions.get("resourceSpecific"):
        return
    version = str(manifest.get("manifestVersion", "0"))
    if tuple(int(part) for part in version.split(".") if part.isdigit()) < RSC_VERSION:
        raise PackageError(
            f"resource-specific permissions need manifest 1.12 or later, not {version}"
        )
    info = manifest.get("webApplicationInfo") or {}
    if info.get("id") != app_id or not str(info.get("resource") or "").strip():
        raise PackageError(
            "resource-specific permissions need webApplicationInfo with the bot's app id "
            '("id": "{{MicrosoftAppId}}") and a resource'
        )


def _fill(node: Any, values: dict[str, str]) -> Any:
    """The manifest with each placeholder replaced in string values (never in raw JSON), in
    one pass: a value that itself looks like a placeholder is left as it is."""
    if isinstance(node, str):
        return PLACEHOLDER.sub(lambda found: values.get(found[0], found[0]), node)
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    return node


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; ValueError if it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _icon(path: Path, size: tuple[int, int]) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PackageError(f"cannot read the Teams icon {path}: {e.strerror or e}") from None
    try:
        actual = png_size(data)
    except ValueError:
        raise PackageError(f"the Teams icon {path} is not a PNG file") from None
    if actual != size:
        raise PackageError(
            f"the Teams icon {path} is {actual[0]}×{actual[1]} pixels; Teams needs "
            f"{size[0]}×{size[1]}"
        )
    return data


def _write_zip(out: Path, files: dict[str, bytes]) -> None:
    """The zip, written beside `out` and moved into place, so a failure leaves no half file."""
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".rounds-teams-", suffix=".zip", dir=out.parent)
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; the package holds no secret
        os.replace(tmp_name, out)
        tmp_name = None
    except OSError as e:
        raise PackageError(f"cannot write {out}: {e.strerror or e}") from None
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
