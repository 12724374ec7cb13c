"""Pure translation from Teams activities to neutral events and back to stored references.

Functions take botbuilder's `Activity` (as CloudAdapter hands it over) and read it
defensively: any field may be missing or of the wrong type in what arrives over HTTP."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.cards import MENTION, TASK_FETCH, read_submit
from bot import limits
from bot.actions import ANONYMOUS_SUBMIT, EVALUATE_COMMENT, EVALUATE_SCORE, REFLECT_ANONYMOUS
from bot.events import Action, Command, Conversation, Deletion, Event, Message, Person

PLATFORM = "teams"
TASK_SUBMIT = "task/submit"
# The dialogs (task modules) Rounds opens: the invoke's name and the actions it may carry
# (the anonymous form; an evaluation's score, whose dialog holds its comment form).
DIALOGS = {
    TASK_FETCH: frozenset({REFLECT_ANONYMOUS, EVALUATE_SCORE}),
    TASK_SUBMIT: frozenset({ANONYMOUS_SUBMIT, EVALUATE_COMMENT}),
}
# actions that never carry who sent them (a score does: the core keeps it as a digest)
ANONYMOUS = frozenset({REFLECT_ANONYMOUS, ANONYMOUS_SUBMIT, EVALUATE_COMMENT})
# Every pattern reads each character a bounded number of times: none scans on past a `<`
# from each `<` it tries (`<at>(.*?)</at>` and `<[^>]+>` did: 160 KB of `<at>` stalled the
# loop for tens of seconds). A name holds no tag, a tag no `<` (Teams escapes it: `&lt;`).
_AT = re.compile(r"<at>([^<]*)</at>", re.IGNORECASE)
MENTIONS = 16  # the bot's own mentions removed from one message (Teams sends one per @)
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
_NAME_OPEN, _NAME_CLOSE = "\ue000", "\ue001"  # private use: a mention's name, while tags go
_NAME = re.compile("\ue000([0-9]+)\ue001")
_PIECES = re.compile("[<>]|\ue000[0-9]+\ue001|[^<>\ue000]+|\ue000")


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
    return plain_command(_str(activity.text), _mention_texts(activity))


def message_text(activity: Activity) -> str:
    """What someone wrote in a thread, as plain text: like `command_text`, but keeping the
    line breaks of a longer reply."""
    return plain_message(_str(activity.text), _mention_texts(activity))


def plain_command(text: str, mentions: Sequence[str] = ()) -> str:
    """Teams' HTML as the command typed: each of `mentions` (the bot's `<at>…</at>`) removed
    once, other mentions kept as names, tags dropped, entities decoded, spaces collapsed.
    Time linear in the length; text over `limits.RAW_CHARS` is not cleaned (the core refuses
    it by its length)."""
    if len(text) > limits.RAW_CHARS:
        return " ".join(text.split())
    kept, names = _without_mention(text, mentions)
    return " ".join(html.unescape(_named(strip_tags(kept), names)).split())


def plain_message(text: str, mentions: Sequence[str] = ()) -> str:
    """Like `plain_command`, keeping line breaks (at most one blank line in a row)."""
    if len(text) > limits.RAW_CHARS:
        return text
    kept, names = _without_mention(text, mentions)
    text = _BREAK.sub("\n", kept.replace("\r\n", "\n"))
    text = html.unescape(_named(strip_tags(text), names))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_tags(text: str) -> str:
    """Tags dropped (each replaced by a space), in one pass: every `>` closes the nearest
    `<` still open before it, so a tag with a stray `<` inside it (`<br <at>>`) goes whole and
    no `<…>` is left; a `<` never closed stays as text. Linear: each piece is kept or
    dropped once (a regex such as `<[^>]+>` rescans to the end from every unclosed `<`)."""
    out: list[str] = []
    opened: list[int] = []  # where in `out` each `<` not yet closed stands
    for piece in _PIECES.findall(text):
        if piece == "<":
            opened.append(len(out))
        elif piece == ">" and opened:
            del out[opened.pop() :]
            piece = " "
        elif len(piece) > 1 and piece[0] == _NAME_OPEN:
            opened.clear()  # a mention's name is never inside a tag: strays stay text
        out.append(piece)
    return "".join(out)


def _named(text: str, names: list[str]) -> str:
    """The mentions' names back in place of their markers."""
    return _NAME.sub(lambda match: names[int(match[1])], text) if names else text


def _without_mention(text: str, mentions: Sequence[str]) -> tuple[str, list[str]]:
    """The text with each of the bot's mentions removed once (one pass per distinct mention,
    of at most MENTIONS), and every other `<at>name</at>` replaced by a marker, so that no
    stray `<` or `>` around it can take the name for part of a tag; the names, in order."""
    text = text.replace(_NAME_OPEN, "").replace(_NAME_CLOSE, "")
    for said, times in Counter(mentions[:MENTIONS]).items():
        if said:
            text = text.replace(said, " ", times)
    names: list[str] = []

    def marker(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"{_NAME_OPEN}{len(names) - 1}{_NAME_CLOSE}"

    return _AT.sub(marker, text), names


def _mention_texts(activity: Activity) -> list[str]:
    return [_str(entity.get("text")) for entity in _bot_mentions(activity)]


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
    button's or form's data, from the conversation of the card it was opened from. No person
    is read, except for an evaluation's score (one answer a person); None for anything else."""
    allowed = DIALOGS.get(_str(activity.name)) if activity.type == "invoke" else None
    pressed = read_submit(_dict(activity.value).get("data"))
    if allowed is None or pressed is None or pressed.action not in allowed:
        return None
    person = Person("") if pressed.action in ANONYMOUS else person_of(activity)
    return Action(conversation_of(activity), person, pressed.action, pressed.value, pressed.text)


def is_channel(activity: Activity) -> bool:
    conversation = activity.conversation or ConversationAccount()
    return _str(conversation.conversation_type) == "channel"


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation or ConversationAccount()
    return _str(conversation.conversation_type) == "personal"


def invoke_in(conversation_type: str) -> str:
    """What starts a command typed in a conversation of this type (`conversationType`):
    nothing in a 1:1 chat with Rounds ("personal"), the mention in a channel or group chat
    (and wherever the type is not known)."""
    return "" if conversation_type == "personal" else MENTION


def invoke_of(activity: Activity) -> str:
    """What starts a command typed where the activity came from (see `invoke_in`)."""
    conversation = activity.conversation or ConversationAccount()
    return invoke_in(_str(conversation.conversation_type))


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
