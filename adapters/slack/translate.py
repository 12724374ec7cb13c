"""Pure translation from Slack payloads to neutral events. No SDK objects in, none out."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from adapters import nesting
from adapters.slack.render import FORM_BLOCK, FORM_INPUT, action_name, chosen
from bot import limits
from bot.events import Action, Command, Conversation, Deletion, Message, Person

PLATFORM = "slack"
# No pattern scans on past a `<` (Slack escapes a typed one as `&lt;`): each character is
# read a bounded number of times, whatever the text (`[^>]*` read to the end of the text
# from every unclosed `<@U…|`).
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
_REPLY_SUBTYPES = (None, "thread_broadcast")  # typed replies ("also send to channel" too)
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def plain(text: str) -> str:
    """Slack's wire text to what the person typed: links to their labels, mentions kept as
    @id, `&amp;`, `&lt;` and `&gt;` decoded. Time linear in the length; text over
    `limits.RAW_CHARS` is not cleaned (the core refuses it by its length)."""
    if len(text) > limits.RAW_CHARS:
        return text

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if label and target.startswith("#C"):
            return f"#{label}"
        return label or target

    text = _LINK.sub(link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def malformed(body: str, content_type: str) -> tuple[int, str] | None:
    """Why Slack would never send this request (a status and a reason), or None. bolt
    raises on such bodies, which would be a 500. It reads as JSON a JSON body, any body
    starting with `{`, and a form's last `payload` field; JSON too deep or too big for a
    parser (`adapters.nesting`) is refused before anything parses it."""
    if content_type not in (JSON, FORM):
        return 415, "expected a form or JSON body"
    if content_type == JSON or body.startswith("{"):
        return _not_object(body, "the body")
    if "payload" not in body:
        return None
    payloads = [v for k, v in parse_qsl(body, keep_blank_values=True) if k == "payload"]
    return _not_object(payloads[-1], "the payload") if payloads else None


def _not_object(text: str, what: str) -> tuple[int, str] | None:
    problem = nesting.refusal(text)
    if problem is not None:
        return 400, problem
    return None if _json_object(text) else (400, f"{what} is not a JSON object")


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(value: Any) -> dict[str, Any]:
    """The first item of a list when it is an object (Slack's `actions`), else {}."""
    return _dict(value[0]) if isinstance(value, list) and value else {}


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
        text = re.sub(_mention_of(bot_user), " ", text)
    else:
        text = _MENTION.sub(" ", text, count=1)
    thread = _str(event.get("thread_ts")) or None
    conversation = Conversation(PLATFORM, _str(event.get("channel")), team, thread)
    person = Person(_str(event.get("user")))
    return Command(conversation, person, plain(text).strip())


HOME_COMMAND = "home"  # what opening the App Home tab asks the bot


def home_event(event: dict[str, Any], team: str) -> Command | None:
    """`app_home_opened` on the Home tab, as the person asking for `home` in their App Home
    (its DM channel); None for the Messages or About tab, or without a user."""
    user = _str(event.get("user"))
    if event.get("tab") != "home" or not user:
        return None
    conversation = Conversation(PLATFORM, _str(event.get("channel")), team)
    return Command(conversation, Person(user), HOME_COMMAND)


def mentions(text: str, user: str) -> bool:
    """Whether Slack's wire text mentions `user` (`<@U123>` or `<@U123|name>`)."""
    return bool(user) and re.search(_mention_of(user), text) is not None


def _mention_of(user: str) -> str:
    return rf"<@{re.escape(user)}(?:\|[^<>]*)?>"


def thread_message(event: dict[str, Any], team: str, bot_user: str | None) -> Message | None:
    """A reply someone typed in a thread, or None for anything else: top-level posts, bots,
    edits, joins, and replies mentioning the bot (the `app_mention` event brings those)."""
    thread, ts, user = _str(event.get("thread_ts")), _str(event.get("ts")), _str(event.get("user"))
    text = _str(event.get("text"))
    if not thread or thread == ts or not user or event.get("bot_id"):
        return None
    if event.get("subtype") not in _REPLY_SUBTYPES or mentions(text, bot_user or ""):
        return None
    conversation = Conversation(PLATFORM, _str(event.get("channel")), team, thread)
    return Message(conversation, Person(user), plain(text), message_id=ts)


def thread_deletion(event: dict[str, Any], team: str) -> Deletion | None:
    """A reply in a thread that its author deleted (`message_deleted`), or None."""
    previous = event.get("previous_message")
    previous = previous if isinstance(previous, dict) else {}
    thread, deleted = _str(previous.get("thread_ts")), _str(event.get("deleted_ts"))
    if event.get("subtype") != "message_deleted" or not thread or not deleted or thread == deleted:
        return None
    return Deletion(Conversation(PLATFORM, _str(event.get("channel")), team, thread), deleted)


def form_event(view: dict[str, Any], forms: frozenset[str]) -> Action | None:
    """A submitted Rounds form (`view_submission`), or None for a form that is not one of
    `forms`. Only the view is read, never who submitted it: the person stays empty."""
    callback = _str(view.get("callback_id"))
    try:
        metadata = json.loads(_str(view.get("private_metadata")) or "{}")
    except ValueError:
        return None
    if callback not in forms or not isinstance(metadata, dict):
        return None
    values = _dict(_dict(view.get("state")).get("values"))
    typed = _dict(_dict(values.get(FORM_BLOCK)).get(FORM_INPUT))
    where = Conversation(PLATFORM, _str(metadata.get("channel")), _str(metadata.get("team")))
    value = _str(metadata.get("value"))
    return Action(where, Person(""), callback, value, text=_str(typed.get("value")))


def pressed(body: dict[str, Any]) -> tuple[str, str]:
    """What was pressed (`block_actions`): the action's name and the value it carries, of a
    button, or of the option chosen in an overflow menu (whose value holds both:
    `render.option_value`). Slack signs the request; both are still the client's to
    choose, and the core checks them as it checks a button's."""
    action = _first(body.get("actions"))
    if action.get("type") == "overflow":
        return chosen(_str(_dict(action.get("selected_option")).get("value")))
    return action_name(_str(action.get("action_id"))), _str(action.get("value"))


def action_event(body: dict[str, Any], name: str, value: str | None = None) -> Action:
    """A button press (`block_actions`). `name` is the action's name without the
    per-message suffix of its action id; `value`, when given, replaces the button's
    (an overflow option's)."""
    action = _first(body.get("actions"))
    user = _dict(body.get("user"))
    channel = _str(_dict(body.get("channel")).get("id"))
    container = _dict(body.get("container"))
    team = _str(_dict(body.get("team")).get("id")) or _str(user.get("team_id"))
    thread = _str(container.get("thread_ts")) or None
    channel = channel or _str(container.get("channel_id"))
    conversation = Conversation(PLATFORM, channel, team, thread)
    person = Person(_str(user.get("id")), _str(user.get("name")) or _str(user.get("username")))
    return Action(conversation, person, name, _str(action.get("value")) if value is None else value)


def is_ephemeral_source(body: dict[str, Any]) -> bool:
    """Whether the pressed button was on a message only its reader could see."""
    return bool(_dict(body.get("container")).get("is_ephemeral"))


def display_name(user: Any) -> str | None:
    """The name to show for a `users.info` user: the profile's display name, else the real
    name (the profile's, then the user's), else the username; None when there is none."""
    if not isinstance(user, dict):
        return None
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    for name in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
    ):
        if isinstance(name, str) and name.strip():
            return " ".join(name.split())
    return None
