"""Pure translation from Teams activities to neutral events and back to stored references.

Functions take botbuilder's `Activity` (as CloudAdapter hands it over) and read it
defensively: any field may be missing or of the wrong type in what arrives over HTTP."""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.cards import read_submit
from bot.events import Action, Command, Conversation, Event, Person

PLATFORM = "teams"
_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def channel_data(activity: Activity) -> dict[str, Any]:
    return _dict(activity.channel_data)


def conversation_of(activity: Activity) -> Conversation:
    """A Teams channel post is a thread: `19:…@thread.tacv2;messageid=<root>`. The channel is
    the part before `;messageid=` (or `channelData.channel.id`); the root id is the thread."""
    conversation = activity.conversation or ConversationAccount()
    whole = _str(conversation.id)
    channel, _sep, rest = whole.partition(";messageid=")
    channel = _str(_dict(channel_data(activity).get("channel")).get("id")) or channel
    tenant = _str(conversation.tenant_id) or _str(
        _dict(channel_data(activity).get("tenant")).get("id")
    )
    return Conversation(PLATFORM, channel, tenant, rest or None)


def person_of(activity: Activity) -> Person:
    """The Entra (AAD) object id when Teams gives it — what an admin would list in
    ROUNDS_ADMINS — otherwise the Teams user id."""
    sender = activity.from_property or ChannelAccount()
    ident = _str(sender.aad_object_id) or _str(sender.id)
    return Person(ident, _str(sender.name))


def command_text(activity: Activity) -> str:
    """The text with the bot's own @mention removed, found through the activity's mention
    entities (not by guessing at names); other people's mentions keep their names."""
    text = _str(activity.text)
    bot = _str((activity.recipient or ChannelAccount()).id)
    for entity in activity.entities or []:
        props = {**_dict(getattr(entity, "additional_properties", None)), **_entity(entity)}
        mentioned = _dict(props.get("mentioned"))
        if _str(getattr(entity, "type", "")).lower() == "mention" and mentioned.get("id") == bot:
            text = text.replace(_str(props.get("text")) or "\0", " ", 1)
    text = _AT.sub(lambda m: m.group(1), text)
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _entity(entity: Any) -> dict[str, Any]:
    """Mention entities arrive with `mentioned` and `text` as extra properties."""
    return {k: getattr(entity, k) for k in ("mentioned", "text") if hasattr(entity, k)}


def to_event(activity: Activity) -> Event | None:
    """A typed command, or a card button press; None for anything else."""
    if activity.type != "message":
        return None
    conversation, person = conversation_of(activity), person_of(activity)
    pressed = read_submit(activity.value)
    if pressed is not None:
        return Action(conversation, person, pressed[0], pressed[1])
    text = command_text(activity)
    return Command(conversation, person, text) if text or not activity.value else None


def bot_is_member(activity: Activity, field: str) -> bool:
    """Whether `membersAdded` / `membersRemoved` of a conversationUpdate includes the bot."""
    bot = _str((activity.recipient or ChannelAccount()).id)
    members = getattr(activity, field, None) or []
    return bool(bot) and any(_str(getattr(m, "id", "")) == bot for m in members)


def reference_data(activity: Activity) -> dict[str, str]:
    """What must be kept to post in this conversation later (no person in it)."""
    conversation = conversation_of(activity)
    kind = _str((activity.conversation or ConversationAccount()).conversation_type)
    recipient = activity.recipient or ChannelAccount()
    return {
        "serviceUrl": _str(activity.service_url),
        "channelId": _str(activity.channel_id) or "msteams",
        "conversationId": conversation.channel,
        "conversationType": kind or "channel",
        "tenantId": conversation.workspace,
        "botId": _str(recipient.id),
        "botName": _str(recipient.name),
    }


def reference_from(data: dict[str, str], thread: str | None = None) -> ConversationReference:
    """A botbuilder reference from stored data; with `thread`, one for that reply chain."""
    conversation_id = data.get("conversationId", "")
    if thread:
        conversation_id = f"{conversation_id};messageid={thread}"
    return ConversationReference(
        channel_id=data.get("channelId", "msteams"),
        service_url=data.get("serviceUrl", ""),
        bot=ChannelAccount(id=data.get("botId", ""), name=data.get("botName", "")),
        conversation=ConversationAccount(
            id=conversation_id,
            conversation_type=data.get("conversationType"),
            tenant_id=data.get("tenantId"),
            is_group=data.get("conversationType") != "personal",
        ),
    )
