"""Pure translation from Slack payloads to neutral events. No SDK objects in, none out."""

from __future__ import annotations

import re
from typing import Any

from bot.events import Action, Command, Conversation, Person

PLATFORM = "slack"
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def plain(text: str) -> str:
    """Slack's wire text to what the person typed: links to their labels, mentions kept as
    @id, `&amp;`, `&lt;` and `&gt;` decoded."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label and target.startswith("#C"):
            return f"#{label}"
        return label or target

    text = _LINK.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def command_event(body: dict[str, Any]) -> Command:
    """A slash command (`/rounds quote winter`) as sent to the request URL."""
    conversation = Conversation(PLATFORM, _str(body.get("channel_id")), _str(body.get("team_id")))
    person = Person(_str(body.get("user_id")), _str(body.get("user_name")))
    return Command(conversation, person, plain(_str(body.get("text"))))


def mention_event(event: dict[str, Any], team: str, bot_user: str | None) -> Command:
    """`@Rounds quote winter` in a channel: the bot's own mention is removed; a mention in a
    thread keeps the thread, so the answer goes there."""
    text = _str(event.get("text"))
    if bot_user:
        text = re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>", " ", text)
    else:
        text = _MENTION.sub(" ", text, count=1)
    thread = _str(event.get("thread_ts")) or None
    conversation = Conversation(PLATFORM, _str(event.get("channel")), team, thread)
    person = Person(_str(event.get("user")))
    return Command(conversation, person, plain(text).strip())


def action_event(body: dict[str, Any], name: str) -> Action:
    """A button press (`block_actions`). `name` is the action's name without the
    per-message suffix of its action id."""
    action = (body.get("actions") or [{}])[0]
    user = body.get("user") or {}
    channel = _str((body.get("channel") or {}).get("id"))
    container = body.get("container") or {}
    team = _str((body.get("team") or {}).get("id")) or _str(user.get("team_id"))
    thread = _str(container.get("thread_ts")) or None
    channel = channel or _str(container.get("channel_id"))
    conversation = Conversation(PLATFORM, channel, team, thread)
    person = Person(_str(user.get("id")), _str(user.get("name")) or _str(user.get("username")))
    return Action(conversation, person, name, _str(action.get("value")))


def is_ephemeral_source(body: dict[str, Any]) -> bool:
    """Whether the pressed button was on a message only its reader could see."""
    return bool((body.get("container") or {}).get("is_ephemeral"))
