"""What Slack POSTs to an app's Request URL (and puts in Socket Mode envelopes), signed like Slack.

The shapes follow Slack's documented payloads for slash commands, `block_actions`,
`view_submission` and the Events API. JSON bodies are serialised the way Slack does it:
compact, with forward slashes escaped (`https:\\/\\/hooks.slack.com`), so an app that
re-serialises a body before verifying its signature fails just as it would in production.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-not-real"
VERIFICATION_TOKEN = "test-verification-token-not-real"
TEAM_ID = "T0TEST"
TEAM_DOMAIN = "nhs-test"
TEAM_NAME = "NHS Test"
APP_ID = "A0TEST"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_NAME = "rounds"
FORM = "application/x-www-form-urlencoded"  # slash commands, buttons, forms
JSON = "application/json"  # the Events API

P = ParamSpec("P")
T = TypeVar("T")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The `X-Slack-Request-Timestamp` and `X-Slack-Signature` headers Slack sends with `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def signed(
    body: bytes, content_type: str = FORM, secret: str | None = SIGNING_SECRET
) -> dict[str, str]:
    """The headers of a request Slack sends with `body`; `secret=None` leaves it unsigned."""
    return {"Content-Type": content_type, **(sign(body, secret) if secret is not None else {})}


async def post_signed(
    http: aiohttp.ClientSession,
    server: str,
    body: bytes,
    content_type: str = FORM,
    headers: dict[str, str] | None = None,
    secret: str | None = SIGNING_SECRET,
) -> tuple[int, str]:
    """POST `body` to `server`'s `/slack/events` as Slack would: signed with `secret`, then
    `headers` on top. The answer's status and text."""
    all_headers = {**signed(body, content_type, secret), **(headers or {})}
    async with http.post(f"{server}/slack/events", data=body, headers=all_headers) as answer:
        return answer.status, await answer.text()


def slack_json(data: dict[str, Any]) -> bytes:
    """JSON the way Slack's servers write it: compact, UTF-8, with `/` escaped as `\\/`."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("/", "\\/").encode()


def trigger_id() -> str:
    """A fresh trigger id shaped like Slack's (`<digits>.<digits>.<hex>`)."""
    n = uuid.uuid4().int
    return f"{n % 10**11}.{n // 10**11 % 10**9}.{uuid.uuid4().hex[:21]}"


def _block_id() -> str:
    return uuid.uuid4().hex[:5]


def _form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


def interactive(payload: dict[str, Any]) -> bytes:
    """The form body (`payload=<json>`) Slack POSTs for a button press or a form submission."""
    return _form({"payload": slack_json(payload).decode()})


def _body(make: Callable[P, T], encode: Callable[[T], bytes]) -> Callable[P, bytes]:
    """A maker of a request's body from the maker of its payload."""

    def body(*args: P.args, **kwargs: P.kwargs) -> bytes:
        return encode(make(*args, **kwargs))

    return body


# -- slash commands ---------------------------------------------------------------------------


def slash_payload(
    text: str,
    response_url: str,
    user: str = "U0ALICE",
    user_name: str = "alice",
    channel: str = "C0GENERAL",
    channel_name: str = "general",
    team: str = TEAM_ID,
    command: str = "/rounds",
) -> dict[str, str]:
    """A slash command's fields, in the order Slack sends them."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id(),
    }


# -- interactivity ----------------------------------------------------------------------------


def _user(user: str, user_name: str, team: str) -> dict[str, str]:
    return {"id": user, "username": user_name, "name": user_name, "team_id": team}


def _button(action_id: str, value: str, label: str) -> dict[str, Any]:
    text = {"type": "plain_text", "text": label, "emoji": True}
    return {"type": "button", "action_id": action_id, "text": text, "value": value}


def _bot_message(ts: str, text: str, blocks: list[dict[str, Any]], team: str) -> dict[str, Any]:
    return {
        "user": BOT_USER_ID,
        "type": "message",
        "ts": ts,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "text": text,
        "team": team,
        "blocks": blocks,
    }


def block_actions_payload(
    action_id: str,
    value: str,
    response_url: str,
    user: str = "U0ALICE",
    user_name: str = "alice",
    channel: str = "C0GENERAL",
    team: str = TEAM_ID,
    ephemeral: bool = True,
    message_ts: str = "1700000000.000001",
    *,
    block_id: str = "actions",
    button_text: str = "Button",
    channel_name: str = "general",
    message_text: str = "This content can't be displayed.",
) -> dict[str, Any]:
    """A `block_actions` payload for a button click in a message (ephemeral or not)."""
    button = _button(action_id, value, button_text)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, user_name, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger_id(),
        "team": {"id": team, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": channel_name},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [{**button, "block_id": block_id, "action_ts": f"{time.time():.6f}"}],
    }
    if not ephemeral:
        blocks = [{"type": "actions", "block_id": block_id, "elements": [button]}]
        payload["message"] = _bot_message(message_ts, message_text, blocks, team)
    return payload


def overflow_actions_payload(
    action_id: str,
    option_value: str,
    response_url: str,
    user: str = "U0ALICE",
    user_name: str = "alice",
    *,
    label: str = "Option",
    ephemeral: bool = True,
) -> dict[str, Any]:
    """A `block_actions` payload for an option chosen in an overflow menu: the action is the
    menu (`type: overflow`, its action_id), the option chosen its `selected_option`."""
    payload = block_actions_payload(
        action_id, "", response_url, user, user_name, ephemeral=ephemeral
    )
    chosen = {"text": _plain(label), "value": option_value}
    menu = {"type": "overflow", "action_id": action_id, "selected_option": chosen}
    payload["actions"] = [{**menu, "block_id": "actions", "action_ts": f"{time.time():.6f}"}]
    if not ephemeral:
        options = [{"text": _plain(label), "value": option_value}]
        elements = [{"type": "overflow", "action_id": action_id, "options": options}]
        payload["message"]["blocks"] = [
            {"type": "actions", "block_id": "actions", "elements": elements}
        ]
    return payload


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input_blocks(values: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "type": "input",
            "block_id": block_id,
            "label": _plain(block_id),
            "optional": False,
            "dispatch_action": False,
            "element": {"type": state.get("type", "plain_text_input"), "action_id": action_id},
        }
        for block_id, actions in values.items()
        for action_id, state in actions.items()
    ]


def _view(
    callback_id: str,
    private_metadata: str,
    values: dict[str, dict[str, dict[str, Any]]],
    team: str,
    title: str,
) -> dict[str, Any]:
    view_id = "V0" + uuid.uuid4().hex[:8].upper()
    return {
        "id": view_id,
        "team_id": team,
        "type": "modal",
        "blocks": _input_blocks(values),
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
        "title": _plain(title),
        "clear_on_close": False,
        "notify_on_close": False,
        "close": _plain("Cancel"),
        "submit": _plain("Submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team,
        "bot_id": BOT_ID,
    }


def view_submission_payload(
    callback_id: str,
    private_metadata: str,
    values: dict[str, dict[str, dict[str, Any]]],
    user: str = "U0ALICE",
    team: str = TEAM_ID,
    *,
    user_name: str = "alice",
    title: str = "Rounds",
) -> dict[str, Any]:
    """A `view_submission` payload; `values` is `state.values` ({block_id: {action_id: {...}}})."""
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": TEAM_DOMAIN},
        "user": _user(user, user_name, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id(),
        "view": _view(callback_id, private_metadata, values, team, title),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


# The bodies Slack POSTs: a slash command's fields form-encoded (`application/x-www-form-
# urlencoded`); a button press or a submitted modal as `payload=<json>` in such a form.
slash_command = _body(slash_payload, _form)
block_actions = _body(block_actions_payload, interactive)
view_submission = _body(view_submission_payload, interactive)


# -- Events API -------------------------------------------------------------------------------


def _event_context(event: dict[str, Any], team: str) -> str:
    context = {"et": event.get("type"), "tid": team, "aid": APP_ID, "cid": event.get("channel")}
    encoded = base64.urlsafe_b64encode(json.dumps(context, separators=(",", ":")).encode())
    return "4-" + encoded.decode().rstrip("=")


def event_envelope(
    event: dict[str, Any], event_id: str = "Ev0001", team: str = TEAM_ID
) -> dict[str, Any]:
    """An `event_callback` envelope around `event` (the Socket Mode `events_api` payload)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "context_team_id": team,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": _event_context(event, team),
    }


event_callback = _body(event_envelope, slack_json)  # the JSON body POSTed to the Events API


def url_verification(challenge: str) -> bytes:
    """The JSON body Slack POSTs when the Events API Request URL is first set."""
    return slack_json(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


def rich_text(text: str) -> list[dict[str, Any]]:
    """The `blocks` Slack adds to a typed message: one rich_text section, mentions split out."""
    elements: list[dict[str, Any]] = []
    for i, part in enumerate(_MENTION.split(text)):
        if i % 2:
            elements.append({"type": "user", "user_id": part})
        elif part:
            elements.append({"type": "text", "text": part})
    section = {"type": "rich_text_section", "elements": elements}
    return [{"type": "rich_text", "block_id": _block_id(), "elements": [section]}]


def _typed_message(
    kind: str, text: str, user: str, channel: str, ts: str, team: str
) -> dict[str, Any]:
    return {
        "client_msg_id": str(uuid.uuid4()),
        "type": kind,
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": rich_text(text),
        "team": team,
        "channel": channel,
        "event_ts": ts,
    }


def app_mention(
    text: str,
    user: str = "U0ALICE",
    channel: str = "C0GENERAL",
    ts: str = "1700000001.000100",
    thread_ts: str | None = None,
    *,
    team: str = TEAM_ID,
) -> dict[str, Any]:
    """An `app_mention` event; `text` should contain the mention, e.g. "<@U0BOT> quote"."""
    event = _typed_message("app_mention", text, user, channel, ts, team)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def _bot_event(text: str, user: str | None, bot_id: str, channel: str, ts: str) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "message", "text": text, "ts": ts, "bot_id": bot_id}
    if user is None:  # a legacy integration / webhook post: no user, subtype bot_message
        event.update(subtype="bot_message", username=BOT_NAME)
    else:
        event.update(user=user, app_id=APP_ID, blocks=[], team=TEAM_ID)
        event["bot_profile"] = {"id": bot_id, "app_id": APP_ID, "name": BOT_NAME, "deleted": False}
    event.update(channel=channel, event_ts=ts)
    return event


def message_deleted_event(
    deleted_ts: str, thread_ts: str, channel: str = "C0GENERAL", user: str = "U0ALICE"
) -> dict[str, Any]:
    """A `message` event with subtype `message_deleted`: someone deleted a reply in a thread.
    The deleted message comes back as `previous_message`."""
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "ts": "1700009999.000001",
        "deleted_ts": deleted_ts,
        "event_ts": "1700009999.000001",
        "channel_type": "channel",
        "previous_message": {
            "type": "message",
            "user": user,
            "text": "(the deleted text)",
            "ts": deleted_ts,
            "thread_ts": thread_ts,
        },
    }


def message_event(
    text: str,
    user: str | None = "U0ALICE",
    channel: str = "C0GENERAL",
    ts: str = "1700000002.000100",
    thread_ts: str | None = None,
    bot_id: str | None = None,
    *,
    team: str = TEAM_ID,
) -> dict[str, Any]:
    """A `message` event in a public channel.

    With `bot_id` it is a bot's post: for our own bot (`bot_id == BOT_ID`) `user` becomes
    `BOT_USER_ID`, as for anything posted with the bot token; `user=None` gives the legacy
    `subtype: "bot_message"` shape (no user), as for webhook posts.
    """
    if bot_id is None:
        assert user is not None, "a person's message needs a user"
        event = _typed_message("message", text, user, channel, ts, team)
    else:
        bot_user = BOT_USER_ID if bot_id == BOT_ID and user is not None else user
        event = _bot_event(text, bot_user, bot_id, channel, ts)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event["channel_type"] = "channel"
    return event
