"""What Microsoft Teams POSTs to a bot's `/api/messages`: Bot Framework activities as JSON.

The dicts use the wire (camelCase) keys of `botbuilder.schema.Activity` and carry what Teams
adds: the `clientInfo` entity, a `text/html` attachment on channel messages, `tenantId` on the
conversation and Teams' `channelData` (tenant, team, channel, `eventType`). Channel messages
only carry ids in `channelData.team` / `channelData.channel`; the team's name and AAD group id
come with `conversationUpdate` events (or `TeamsInfo.get_team_details`), as in production.

Every id here is obviously fake. Pass the fake Connector's `url` as `service_url` so that the
bot's replies go to it.
"""

from __future__ import annotations

import html
import itertools
import re
import zlib
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal
from zoneinfo import ZoneInfo

APP_ID = "00000000-0000-0000-0000-000000000b07"
BOT_ID = f"28:{APP_ID}"
BOT_NAME = "Rounds"
TENANT_ID = "00000000-0000-0000-0000-00000000fa4e"
TEAM_ID = "19:fake0team0000000000000000000000@thread.tacv2"  # also the General channel's id
TEAM_NAME = "NHS Test Leadership"
TEAM_AAD_GROUP_ID = "00000000-0000-0000-0000-0000000090a0"
CHANNEL_ID = "19:fake0channel00000000000000000@thread.tacv2"
CHANNEL_NAME = "Ward Leaders"
GROUP_CHAT_ID = "19:fake0groupchat000000000000000@thread.v2"
USER_ID = "29:alice"
USER_NAME = "Alice Example"
LOCALE = "en-GB"
TIMEZONE = "Europe/London"
SERVICE_URL = "https://smba.trafficmanager.net/fake-not-real/"  # for builders used without a fake

Scope = Literal["team", "personal", "groupChat"]

_ids = itertools.count(1_700_000_000_001)


def next_message_id() -> str:
    """A fresh message id shaped like Teams' (epoch milliseconds, as a string)."""
    return str(next(_ids))


def aad_object_id(user: str) -> str:
    """The (fake, stable) AAD object id of `user`."""
    return f"00000000-0000-0000-0000-{zlib.crc32(user.encode()):012x}"


def personal_conversation_id(user: str = USER_ID) -> str:
    """The 1:1 chat between the bot and `user` ("a:1…"); stable, as Teams keeps one per user."""
    return "a:1fake" + re.sub(r"[^A-Za-z0-9]", "", user.removeprefix("29:"))


def thread_conversation_id(root_id: str, channel: str = CHANNEL_ID) -> str:
    """The conversation id of a channel thread whose root post is `root_id`."""
    return f"{channel};messageid={root_id}"


# -- the common parts -------------------------------------------------------------------------


def _times() -> dict[str, str]:
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(TIMEZONE))
    return {
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": local.isoformat(timespec="milliseconds"),
        "localTimezone": TIMEZONE,
    }


def _user(user: str, user_name: str | None) -> dict[str, str]:
    account = {"id": user, "aadObjectId": aad_object_id(user)}
    if user_name is not None:
        account["name"] = user_name
    return account


def _bot() -> dict[str, str]:
    return {"id": BOT_ID, "name": BOT_NAME}


def _client_info() -> dict[str, str]:
    return {
        "type": "clientInfo",
        "locale": LOCALE,
        "country": "GB",
        "platform": "Web",
        "timezone": TIMEZONE,
    }


def _mention() -> dict[str, Any]:
    return {"type": "mention", "mentioned": _bot(), "text": f"<at>{BOT_NAME}</at>"}


def _tenant() -> dict[str, str]:
    return {"id": TENANT_ID}


def _channel_conversation(conversation_id: str) -> dict[str, Any]:
    return {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": TENANT_ID,
        "id": conversation_id,
    }


def _thread_conversation(root: str, channel: str) -> dict[str, Any]:
    """The conversation of the thread rooted at message `root` in `channel`."""
    return _channel_conversation(thread_conversation_id(root, channel))


def _personal_conversation(user: str) -> dict[str, Any]:
    return {
        "conversationType": "personal",
        "tenantId": TENANT_ID,
        "id": personal_conversation_id(user),
    }


def _group_conversation() -> dict[str, Any]:
    return {
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": TENANT_ID,
        "id": GROUP_CHAT_ID,
    }


def _channel_data(channel: str = CHANNEL_ID) -> dict[str, Any]:
    """What Teams puts in `channelData` of activities from a team's channel."""
    return {
        "teamsChannelId": channel,
        "teamsTeamId": TEAM_ID,
        "channel": {"id": channel},
        "team": {"id": TEAM_ID},
        "tenant": _tenant(),
    }


def _team_details() -> dict[str, str]:
    return {"id": TEAM_ID, "name": TEAM_NAME, "aadGroupId": TEAM_AAD_GROUP_ID}


def _activity(
    type_: str,
    activity_id: str,
    service_url: str,
    sender: dict[str, str],
    conversation: dict[str, Any],
) -> dict[str, Any]:
    return {
        "type": type_,
        "id": activity_id,
        **_times(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": conversation,
        "recipient": _bot(),
    }


def _from_client(
    type_: str,
    service_url: str,
    sender: dict[str, str],
    where: tuple[dict[str, Any], dict[str, Any]],
    **fields: Any,
) -> dict[str, Any]:
    """An activity a Teams client sent in `where` (its conversation and `channelData`):
    `fields`, then the client's entity, `channelData` and the locale. A message gets a
    message id, anything else an "f:" activity id."""
    conversation, channel_data = where
    activity_id = next_message_id() if type_ == "message" else f"f:{next_message_id()}"
    activity = _activity(type_, activity_id, service_url, sender, conversation)
    activity.update(fields)
    activity.update({"entities": [_client_info()], "channelData": channel_data, "locale": LOCALE})
    return activity


def _html(text: str, mention: bool) -> dict[str, str]:
    at = (
        '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">'
        f"{BOT_NAME}</span>&nbsp;"
        if mention
        else ""
    )
    return {"contentType": "text/html", "content": f"<p>{at}{html.escape(text)}</p>"}


# -- messages ---------------------------------------------------------------------------------


def channel_message(
    text: str,
    service_url: str,
    user: str = USER_ID,
    user_name: str = USER_NAME,
    mention: bool = True,
    reply_to_id: str | None = None,
    channel: str = CHANNEL_ID,
) -> dict[str, Any]:
    """A post in a team's channel: "<at>Rounds</at> {text}" with the mention entity.

    A new post starts a thread whose conversation id is "{channel};messageid={its own id}";
    with `reply_to_id` it is a reply in the thread rooted at that message instead.
    """
    activity_id = next_message_id()
    root = reply_to_id or activity_id
    full_text = f"<at>{BOT_NAME}</at> {text}" if mention else text
    entities = [_mention(), _client_info()] if mention else [_client_info()]
    thread = _thread_conversation(root, channel)
    activity = _activity("message", activity_id, service_url, _user(user, user_name), thread)
    activity.update(
        {
            "textFormat": "plain",
            "text": full_text,
            "attachments": [_html(text, mention)],
            "entities": entities,
            "channelData": _channel_data(channel),
            "locale": LOCALE,
        }
    )
    if reply_to_id is not None:
        activity["replyToId"] = reply_to_id
    return activity


def message_deleted(
    message_id: str, root: str, service_url: str, user: str = USER_ID, channel: str = CHANNEL_ID
) -> dict[str, Any]:
    """Teams telling the bot that a reply in a channel thread was deleted by its author."""
    sender, thread = _user(user, USER_NAME), _thread_conversation(root, channel)
    activity = _activity("messageDelete", message_id, service_url, sender, thread)
    data = {**_channel_data(channel), "eventType": "softDeleteMessage"}
    activity.update({"channelData": data})
    return activity


def personal_message(
    text: str,
    service_url: str,
    user: str = USER_ID,
    user_name: str = USER_NAME,
) -> dict[str, Any]:
    """A message in the 1:1 chat between `user` and the bot (no mention needed)."""
    where = (_personal_conversation(user), {"tenant": _tenant()})
    sender = _user(user, user_name)
    return _from_client("message", service_url, sender, where, textFormat="plain", text=text)


def _from_card(
    personal: bool, user: str, root: str, channel: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The conversation and `channelData` of what a card sends: `user`'s 1:1 chat, or in a
    channel the thread rooted at `root`."""
    if personal:
        conversation = _personal_conversation(user)
        channel_data: dict[str, Any] = {"tenant": _tenant()}
    else:
        conversation = _thread_conversation(root, channel)
        channel_data = _channel_data(channel)
    channel_data["source"] = {"name": "message"}
    return conversation, channel_data


def card_submit(
    value: dict[str, Any],
    service_url: str,
    personal: bool = False,
    reply_to_id: str | None = None,
    user: str = USER_ID,
    user_name: str = USER_NAME,
    thread_root_id: str | None = None,
    channel: str = CHANNEL_ID,
) -> dict[str, Any]:
    """An Adaptive Card `Action.Submit`: a message with `value` (its data and inputs), no text.

    `reply_to_id` is the id of the message that carried the card; in a channel the activity
    belongs to the thread rooted at `thread_root_id` (default: the card's message).
    """
    card_id = reply_to_id or next_message_id()
    conversation, channel_data = _from_card(personal, user, thread_root_id or card_id, channel)
    channel_data["legacy"] = {"replyToId": card_id}
    where, sender = (conversation, channel_data), _user(user, user_name)
    return _from_client("message", service_url, sender, where, replyToId=card_id, value=value)


# -- membership -------------------------------------------------------------------------------


def _membership(service_url: str, scope: Scope, by: str, event: str) -> dict[str, Any]:
    if scope == "team":
        conversation = _channel_conversation(TEAM_ID)  # the General channel
        channel_data: dict[str, Any] = {
            "team": _team_details(),
            "eventType": event,
            "tenant": _tenant(),
        }
    elif scope == "personal":
        conversation = _personal_conversation(by)
        channel_data = {"tenant": _tenant()}
    else:
        conversation = _group_conversation()
        channel_data = {"tenant": _tenant()}
    activity = _activity(
        "conversationUpdate", f"f:{next_message_id()}", service_url, _user(by, None), conversation
    )
    activity["channelData"] = channel_data
    return activity


def _members(bot: bool, user: str | None) -> list[dict[str, str]]:
    members = [{"id": BOT_ID}] if bot else []
    if user is not None:
        members.append({"id": user, "aadObjectId": aad_object_id(user)})
    return members


def membership_change(
    change: Literal["added", "removed"],
    service_url: str,
    scope: Scope = "team",
    bot: bool = True,
    user: str | None = None,
    by: str = USER_ID,
) -> dict[str, Any]:
    """`conversationUpdate` with `membersAdded` (the bot installed and/or `user` joined) or
    `membersRemoved` (the bot uninstalled and/or `user` left).

    In a team, the conversation is the General channel (whose id is the team's) and
    `channelData` has `eventType` "teamMemberAdded" (or "teamMemberRemoved") and the team's
    id, name and AAD group.
    """
    event = "teamMemberAdded" if change == "added" else "teamMemberRemoved"
    activity = _membership(service_url, scope, by, event)
    activity["membersAdded" if change == "added" else "membersRemoved"] = _members(bot, user)
    return activity


members_added = partial(membership_change, "added")
members_removed = partial(membership_change, "removed")


# -- invokes and the rest ---------------------------------------------------------------------


def compose_query(
    query: str,
    service_url: str,
    skip: int = 0,
    count: int = 25,
    command_id: str = "lookup",
    personal: bool = False,
    initial_run: bool = False,
    user: str = USER_ID,
    user_name: str = USER_NAME,
) -> dict[str, Any]:
    """A message extension search: invoke "composeExtension/query".

    `initial_run` is the query Teams sends when the extension opens, before anything is typed.
    The bot must answer in the HTTP response (an InvokeResponse), not via the Connector.
    """
    parameters = (
        [{"name": "initialRun", "value": "true"}]
        if initial_run
        else [{"name": "query", "value": query}]
    )
    if personal:
        conversation = _personal_conversation(user)
        channel_data: dict[str, Any] = {"tenant": _tenant()}
    else:
        conversation = _channel_conversation(CHANNEL_ID)
        channel_data = _channel_data()
    channel_data["source"] = {"name": "compose"}
    options = {"skip": skip, "count": count}
    value = {"commandId": command_id, "parameters": parameters, "queryOptions": options}
    where, sender = (conversation, channel_data), _user(user, user_name)
    return _from_client(
        "invoke", service_url, sender, where, name="composeExtension/query", value=value
    )


def task_invoke(
    name: Literal["task/fetch", "task/submit"],
    data: dict[str, Any],
    service_url: str,
    reply_to_id: str | None = None,
    user: str = USER_ID,
    user_name: str = USER_NAME,
    channel: str = CHANNEL_ID,
    personal: bool = False,
) -> dict[str, Any]:
    """A dialog's invoke, from the conversation of the card (a channel's thread,
    "{channel};messageid={root}"), answered in the HTTP response.

    "task/fetch": a dialog opened from a card: an `Action.Submit` whose data holds
    `"msteams": {"type": "task/fetch"}` sends it with that data under `value.data`, and the
    client's theme under `value.context`; the bot answers with the dialog
    (`{"task": {"type": "continue", …}}`).

    "task/submit": an Adaptive Card dialog's `Action.Submit`, `value.data` being the button's
    data with the inputs added under their ids, from the same conversation as the card that
    opened the dialog; answered with `message` or `continue`.
    """
    value: dict[str, Any] = {"data": data, "context": {"theme": "default"}}
    if name == "task/fetch":
        value = {"type": "task/fetch", **value}
    card_id = reply_to_id or next_message_id()
    where, sender = _from_card(personal, user, card_id, channel), _user(user, user_name)
    return _from_client(
        "invoke", service_url, sender, where, name=name, value=value, replyToId=card_id
    )


task_fetch = partial(task_invoke, "task/fetch")
task_submit = partial(task_invoke, "task/submit")


def unknown_activity(
    service_url: str,
    type_: str = "typing",
    user: str = USER_ID,
    user_name: str = USER_NAME,
) -> dict[str, Any]:
    """An activity the bot has no handler for ("typing" in a 1:1 chat, by default)."""
    activity = _activity(
        type_,
        f"f:{next_message_id()}",
        service_url,
        _user(user, user_name),
        _personal_conversation(user),
    )
    activity["channelData"] = {"tenant": _tenant()}
    return activity
