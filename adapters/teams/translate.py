"""Pure translation from Teams activities to neutral events and back to stored references.

Functions take botbuilder's `Activity` (as CloudAdapter hands it over) and read it
defensively: any field may be missing or of the wrong type in what arrives over HTTP."""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.cards import TASK_FETCH, read_submit
from bot.actions import ANONYMOUS_SUBMIT, REFLECT_ANONYMOUS
from bot.events import Action, Command, Conversation, Deletion, Event, Message, Person

PLATFORM = "teams"
TASK_SUBMIT = "task/submit"
# The dialogs (task modules) Rounds opens: the invoke's name and the one action it may carry.
DIALOGS = {TASK_FETCH: REFLECT_ANONYMOUS, TASK_SUBMIT: ANONYMOUS_SUBMIT}
ANONYMOUS = frozenset(DIALOGS.values())  # actions that never carry who sent them
_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")


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
    return " ".join(_without_mention(activity).split())


def message_text(activity: Activity) -> str:
    """What someone wrote in a thread, as plain text: like `command_text`, but keeping the
    line breaks of a longer reply."""
    text = _BREAK.sub("\n", _without_mention(activity, unescape=False).replace("\r\n", "\n"))
    text = html.unescape(_TAG.sub(" ", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_mention(activity: Activity, unescape: bool = True) -> str:
    text = _str(activity.text)
    for entity in _bot_mentions(activity):
        text = text.replace(_str(entity.get("text")) or "\0", " ", 1)
    text = _AT.sub(lambda m: m.group(1), text)
    return html.unescape(_TAG.sub(" ", text)) if unescape else text


def _bot_mentions(activity: Activity) -> list[dict[str, Any]]:
    """The activity's mention entities that name the bot."""
    bot = _str((activity.recipient or ChannelAccount()).id)
    found = []
    for entity in activity.entities or []:
        props = {**_dict(getattr(entity, "additional_properties", None)), **_entity(entity)}
        mentioned = _dict(props.get("mentioned"))
        if _str(getattr(entity, "type", "")).lower() == "mention" and mentioned.get("id") == bot:
            found.append(props)
    return found


def mentions_bot(activity: Activity) -> bool:
    return bool(_bot_mentions(activity))


def _entity(entity: Any) -> dict[str, Any]:
    """Mention entities arrive with `mentioned` and `text` as extra properties."""
    return {k: getattr(entity, k) for k in ("mentioned", "text") if hasattr(entity, k)}


def to_event(activity: Activity) -> Event | None:
    """A typed command, a card button press, or a reply in a channel thread that does not
    mention the bot (Teams sends those with the `ChannelMessage.Read.Group` permission);
    None for anything else."""
    if activity.type != "message":
        return None
    conversation = conversation_of(activity)
    pressed = read_submit(activity.value)
    if pressed is not None:
        # An anonymous contribution never carries who sent it into the core.
        person = Person("") if pressed.action in ANONYMOUS else person_of(activity)
        return Action(conversation, person, pressed.action, pressed.value, pressed.text)
    if in_reply_chain(activity) and not mentions_bot(activity):
        text = message_text(activity)
        said = Message(conversation, person_of(activity), text, _str(activity.id))
        return said if text else None
    if is_channel(activity) and not mentions_bot(activity):
        return None  # a new post in the channel that is not for the bot
    text = command_text(activity)
    return Command(conversation, person_of(activity), text) if text or not activity.value else None


def dialog_event(activity: Activity) -> Action | None:
    """A dialog's `task/fetch` (its button pressed) or `task/submit` (its form sent): the
    button's or form's data, from the conversation of the card it was opened from. Only the
    anonymous form is a dialog, so no person is read; None for anything else."""
    action = DIALOGS.get(_str(activity.name)) if activity.type == "invoke" else None
    pressed = read_submit(_dict(activity.value).get("data"))
    if action is None or pressed is None or pressed.action != action:
        return None
    conversation = conversation_of(activity)
    return Action(conversation, Person(""), pressed.action, pressed.value, pressed.text)


def is_channel(activity: Activity) -> bool:
    conversation = activity.conversation or ConversationAccount()
    return _str(conversation.conversation_type) == "channel"


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation or ConversationAccount()
    return _str(conversation.conversation_type) == "personal"


def sender_id(activity: Activity) -> str:
    """The Teams user id (`29:…`) of who sent the activity: what a 1:1 chat is opened with."""
    sender = activity.from_property or ChannelAccount()
    return _str(sender.id) or _str(sender.aad_object_id)


def in_reply_chain(activity: Activity) -> bool:
    """A reply under a channel post (the root post's own id is its thread's id)."""
    thread = conversation_of(activity).thread
    return is_channel(activity) and bool(thread) and thread != _str(activity.id)


def deletion_of(activity: Activity) -> Deletion | None:
    """A reply in a channel thread deleted by its author (`messageDelete`), or None."""
    conversation = conversation_of(activity)
    ident = _str(activity.id)
    if activity.type != "messageDelete" or not conversation.thread or not ident:
        return None
    if ident == conversation.thread:
        return None  # the thread's own first post
    return Deletion(conversation, ident)


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
