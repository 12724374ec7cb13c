"""The Slack app manifests in deploy/slack: what would break an install, or the bot after it.

Both manifests describe the same app (scopes, events, the slash command); one sends
everything to the HTTPS request URL `/slack/events`, the other uses Socket Mode and has no
URL at all. The scopes must cover every Web API method the Slack adapter calls.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.render import INVOKE
from bot.commands import SPECS

ROOT = Path(__file__).resolve().parents[1]
HTTP = ROOT / "deploy" / "slack" / "manifest.yml"
SOCKET = ROOT / "deploy" / "slack" / "manifest-socket-mode.yml"
ADAPTER = ROOT / "adapters" / "slack"

# The scope each Web API method needs with a bot token (None: the token alone is enough).
# An exact method wins over its family's "*". A method the adapter starts calling that is
# not listed here fails the test below: add it, and its scope to both manifests.
REQUIRED_SCOPE: dict[str, str | None] = {
    "chat.*": "chat:write",
    "views.*": None,
    "auth.test": None,
    "files.*": "files:write",
    "conversations.open": "im:write",
    "conversations.history": "channels:history",  # public channels; groups:history for private
    "users.info": "users:read",  # display names in a reflection's transcript
}

# The scope Slack requires before it will send the app each bot event.
EVENT_SCOPE: dict[str, str | None] = {
    "app_home_opened": None,  # the Home tab: no scope
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}

# Web API method families, to tell "chat.postMessage" from other dotted strings in the code.
FAMILIES = (
    "admin|apps|assistant|auth|bookmarks|bots|calls|canvases|chat|conversations|dialog|dnd"
    "|emoji|files|functions|oauth|openid|pins|reactions|reminders|search|stars|team"
    "|usergroups|users|views|workflows"
)
METHOD_LITERAL = re.compile(rf"^(?:{FAMILIES})\.[A-Za-z]\w*(?:\.[A-Za-z]\w*)?$")
METHOD_ATTRIBUTE = re.compile(rf"^({FAMILIES})_([A-Za-z]\w*)$")  # client.chat_postMessage(…)


def load(path: Path) -> dict[str, Any]:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(manifest, dict), f"{path.name} is not a YAML mapping"
    return manifest


def section(manifest: dict[str, Any], *keys: str) -> Any:
    value: Any = manifest
    for key in keys:
        assert isinstance(value, dict) and key in value, f"missing {'.'.join(keys)}"
        value = value[key]
    return value


def scopes(manifest: dict[str, Any]) -> set[str]:
    return set(section(manifest, "oauth_config", "scopes", "bot"))


def bot_events(manifest: dict[str, Any]) -> set[str]:
    return set(section(manifest, "settings", "event_subscriptions", "bot_events"))


def slash_command(manifest: dict[str, Any]) -> dict[str, Any]:
    commands = section(manifest, "features", "slash_commands")
    assert isinstance(commands, list) and len(commands) == 1
    command = commands[0]
    assert isinstance(command, dict)
    return command


def urls(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) whose key is a URL setting (`url`, `request_url`, `*_urls`, …)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{where}.{key}" if where else str(key)
            if re.search(r"(^|_)urls?$", str(key)):
                yield path, inner
            yield from urls(inner, path)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from urls(inner, f"{where}[{index}]")


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)
    elif isinstance(value, str):
        yield value


def methods_called(folder: Path) -> dict[str, str]:
    """Web API methods named in the adapter's code: string literals such as
    "chat.postMessage" (`api_call("…")`, `_call("…")`) and SDK calls such as
    `client.views_open(…)`; each with the file that names it."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if METHOD_LITERAL.match(node.value):
                    found.setdefault(node.value, path.name)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                match = METHOD_ATTRIBUTE.match(node.func.attr)
                if match:
                    found.setdefault(f"{match[1]}.{match[2]}", path.name)
    return found


def scope_for(method: str) -> str | None:
    if method in REQUIRED_SCOPE:
        return REQUIRED_SCOPE[method]
    family = method.split(".")[0] + ".*"
    if family in REQUIRED_SCOPE:
        return REQUIRED_SCOPE[family]
    raise KeyError(method)


@pytest.fixture(scope="module")
def http() -> dict[str, Any]:
    return load(HTTP)


@pytest.fixture(scope="module")
def socket() -> dict[str, Any]:
    return load(SOCKET)


@pytest.fixture(params=["manifest.yml", "manifest-socket-mode.yml"], scope="module")
def manifest(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(HTTP.parent / str(request.param))


# both manifests


def test_the_slash_command_is_rounds(manifest: dict[str, Any]) -> None:
    command = slash_command(manifest)
    assert command["command"] == "/rounds"
    assert f"{command['command']} " == INVOKE, "replies show commands typed after INVOKE"
    assert command.get("description"), "Slack requires a description"
    assert command.get("should_escape") is False, "the parser reads plain text, not <@U…>"


def test_the_usage_hint_is_the_declared_one(manifest: dict[str, Any]) -> None:
    """Each command's short form comes from its declaration in bot/commands.py."""
    hint = " | ".join(c.hint for c in SPECS if c.hint)
    assert slash_command(manifest)["usage_hint"] == hint, f"set usage_hint: {hint}"


def test_there_is_a_bot_user_named_rounds(manifest: dict[str, Any]) -> None:
    assert section(manifest, "features", "bot_user", "display_name") == "Rounds"
    assert section(manifest, "display_information", "name") == "Rounds"


def test_the_bot_hears_mentions_and_thread_replies(manifest: dict[str, Any]) -> None:
    assert {"app_mention", "message.channels", "message.groups"} <= bot_events(manifest)


def test_the_core_scopes_are_requested(manifest: dict[str, Any]) -> None:
    assert {"commands", "chat:write", "app_mentions:read"} <= scopes(manifest)


def test_every_event_has_the_scope_slack_requires_for_it(manifest: dict[str, Any]) -> None:
    for event in bot_events(manifest):
        assert event in EVENT_SCOPE, f"add {event}'s required scope to EVENT_SCOPE"
        needed = EVENT_SCOPE[event]
        assert needed is None or needed in scopes(manifest), f"{event} needs {needed}"


def test_interactivity_is_enabled(manifest: dict[str, Any]) -> None:
    assert section(manifest, "settings", "interactivity", "is_enabled") is True


def test_tokens_do_not_rotate(manifest: dict[str, Any]) -> None:
    """Rounds reads one long-lived SLACK_BOT_TOKEN; rotating tokens would expire it."""
    assert section(manifest, "settings").get("token_rotation_enabled") is False


def test_the_two_manifests_describe_the_same_app(
    http: dict[str, Any], socket: dict[str, Any]
) -> None:
    assert scopes(http) == scopes(socket)
    assert bot_events(http) == bot_events(socket)
    assert http["display_information"] == socket["display_information"]
    assert http["features"]["bot_user"] == socket["features"]["bot_user"]
    without_url = {k: v for k, v in slash_command(http).items() if k != "url"}
    assert without_url == slash_command(socket)


# HTTP


def test_http_manifest_sends_everything_to_slack_events_over_https(
    http: dict[str, Any],
) -> None:
    assert section(http, "settings", "socket_mode_enabled") is False
    expected = {
        "features.slash_commands[0].url",
        "settings.event_subscriptions.request_url",
        "settings.interactivity.request_url",
    }
    found = dict(urls(http))
    assert set(found) == expected
    for where, url in found.items():
        assert isinstance(url, str) and url.startswith("https://"), f"{where}: {url!r}"
        assert url.endswith("/slack/events"), f"{where}: {url!r}"
    assert len(set(found.values())) == 1, "one request URL for commands, events and buttons"


# Socket Mode


def test_socket_manifest_uses_socket_mode_and_no_url(socket: dict[str, Any]) -> None:
    assert section(socket, "settings", "socket_mode_enabled") is True
    assert dict(urls(socket)) == {}
    assert [s for s in strings(socket) if "://" in s] == []


# the adapter's Web API calls


def test_the_scan_finds_the_adapters_web_api_calls() -> None:
    found = methods_called(ADAPTER)
    assert {"chat.postMessage", "chat.postEphemeral"} <= set(found)
    assert "quote.another" not in found  # action ids are not methods


def test_scopes_cover_every_web_api_method_the_adapter_calls(
    manifest: dict[str, Any],
) -> None:
    granted = scopes(manifest)
    for method, where in sorted(methods_called(ADAPTER).items()):
        try:
            scope = scope_for(method)
        except KeyError:
            pytest.fail(f"{where} calls {method}: add its scope to REQUIRED_SCOPE")
        assert scope is None or scope in granted, f"{where} calls {method}, which needs {scope}"


def test_method_families_map_to_scopes() -> None:
    assert scope_for("chat.update") == "chat:write"
    assert scope_for("chat.delete") == "chat:write"
    assert scope_for("views.open") is None
    assert scope_for("files.getUploadURLExternal") == "files:write"
    assert scope_for("conversations.open") == "im:write"
    assert scope_for("users.info") == "users:read"
    with pytest.raises(KeyError):
        scope_for("reactions.add")


def test_transcripts_can_name_people(manifest: dict[str, Any]) -> None:
    """`users.info` gives the display names a reflection's transcript shows."""
    assert "users.info" in methods_called(ADAPTER)
    assert "users:read" in scopes(manifest)
