"""Property tests: the pure translation functions (platform payloads to neutral events, and
the command parser) never raise on arbitrary input, return neutral events with `str` fields
only, never let an anonymous form carry who sent it, and never turn free text into a metrics
label."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from azure.core.exceptions import DeserializationError
from botbuilder.schema import Activity
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.console import render as console
from adapters.slack import translate as slack
from adapters.slack.render import FORM_BLOCK, FORM_INPUT
from adapters.teams import translate as teams
from adapters.teams.cards import FORM_TEXT, INPUT, KEY, MAX_VALUE, read_submit
from bot import actions
from bot.core import ACTIONS, COMMANDS, NAMES, TOO_LONG, event_name, parsed_command
from bot.events import Action, Command, Conversation, Deletion, Event, Message, Person
from bot.limits import COMMAND_CHARS
from bot.parser import INVISIBLE, PREFIXES, Parsed, clean, parse, suggest
from bot.replies import Button, Form, Paragraph, Reply
from tests.conftest import form_of

FUZZ = settings(max_examples=200, deadline=None)
LABELS = frozenset(COMMANDS) | frozenset(ACTIONS) | {"message", "deletion", "empty", "unknown"}
LABELS |= {TOO_LONG}
FORMS = frozenset({actions.ANONYMOUS_SUBMIT, "reflect.form"})
BOT = "B0T"

# --- strategies ----------------------------------------------------------------------------

EDGES = [
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200d",  # zero-width joiner
    "\u200b",
    "\u2060",
    "\ufeff",
    "\x00",
    "\ud800",  # lone surrogates
    "\udfff",
    "🩺",
    "👩\u200d⚕️",
    "ﬁ",
    "²",
    "İ",
    "\n",
    "\r\n",
    "\t",
    "\u00a0",
    " ",
    "<@U1>",
    f"<@{BOT}>",
    f"<@{BOT}|rounds>",
    "<#C1|general>",
    "<https://x.example|x>",
    "&amp;",
    "&lt;",
    "<at>Rounds</at>",
    "<p>",
    "</div>",
    "/rounds",
    "@rounds",
    "quote",
    "Help",
    "FORGET",
    "?",
    "1",
]
CHARS = st.characters(exclude_categories=()) | st.characters(categories=["Cs"])
PIECE = st.text(CHARS, max_size=12) | st.sampled_from(EDGES)
SHORT = st.lists(PIECE, max_size=8).map("".join)
LONG = st.builds(lambda piece, times: piece * times, PIECE, st.integers(100, 1000))
TEXT = SHORT | SHORT | SHORT | LONG
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT, inner, max_size=3),
    max_leaves=8,
)
# Mostly text (so the interesting paths run), sometimes any JSON value of the wrong type.
VALUE = TEXT | TEXT | JSON


def shaped(**keys: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with the real keys, each present or not, holding what the strategies give."""
    return st.fixed_dictionaries({}, optional=keys)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A container where one is expected, or nothing (missing, null, empty)."""
    return st.none() | st.just({}) | strategy


# --- checks --------------------------------------------------------------------------------


def assert_neutral(event: object, platform: str) -> None:
    """A neutral event whose every field is a `str` (the thread may be None, and the console
    may name a reflection by number)."""
    assert type(event) in (Command, Action, Message, Deletion)
    for f in fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if f.name == "conversation":
            assert type(value) is Conversation
            assert value.platform == platform
            assert type(value.channel) is str and type(value.workspace) is str
            assert value.thread is None or (type(value.thread) is str and value.thread)
        elif f.name == "person":
            assert type(value) is Person
            assert type(value.id) is str and type(value.name) is str
        elif f.name == "reflection":
            assert value is None or (platform == "console" and type(value) is int and value >= 0)
        else:
            assert type(value) is str, f"{f.name} is {type(value).__name__}"


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- Slack ---------------------------------------------------------------------------------

COMMAND_BODY = shaped(
    channel_id=VALUE, team_id=VALUE, user_id=VALUE, user_name=VALUE, text=VALUE, command=VALUE
)
MESSAGE_EVENT = shaped(
    text=VALUE,
    thread_ts=VALUE,
    ts=VALUE,
    user=VALUE,
    channel=VALUE,
    bot_id=st.none() | VALUE,
    subtype=st.sampled_from([None, "thread_broadcast", "message_changed"]) | JSON,
)
ID = st.text(CHARS, min_size=1, max_size=6) | st.sampled_from(["1.1", "1.2", "\u200f"])
# Replies as Slack sends them: these get past the filters, so their events are checked too.
REPLY_EVENT = st.fixed_dictionaries(
    {"thread_ts": ID, "ts": ID, "user": ID, "text": TEXT},
    optional={"channel": VALUE, "subtype": st.just("thread_broadcast")},
)
ANY_MESSAGE = MESSAGE_EVENT | REPLY_EVENT
DELETED_REPLY = st.fixed_dictionaries(
    {
        "subtype": st.just("message_deleted"),
        "deleted_ts": ID,
        "previous_message": st.fixed_dictionaries({"thread_ts": ID}),
    },
    optional={"channel": VALUE},
)
DELETION_EVENT = DELETED_REPLY | shaped(
    subtype=st.just("message_deleted") | JSON,
    deleted_ts=VALUE,
    channel=VALUE,
    previous_message=shaped(thread_ts=VALUE, user=VALUE, text=VALUE) | JSON,
)
METADATA = shaped(channel=VALUE, team=VALUE, value=VALUE).map(json.dumps)
FORM_VIEW = shaped(
    callback_id=st.sampled_from(sorted(FORMS)) | VALUE,
    private_metadata=METADATA | VALUE,
    state=maybe(
        shaped(
            values=maybe(
                shaped(**{FORM_BLOCK: maybe(shaped(**{FORM_INPUT: maybe(shaped(value=VALUE))}))})
            )
        )
    ),
    user=shaped(id=VALUE, name=VALUE),  # Slack sends who submitted: it must not be read
)
ACTION_BODY = shaped(
    actions=maybe(st.lists(shaped(value=VALUE, action_id=VALUE), max_size=2)),
    user=maybe(shaped(id=VALUE, name=VALUE, username=VALUE, team_id=VALUE)),
    channel=maybe(shaped(id=VALUE)),
    container=maybe(shaped(thread_ts=VALUE, channel_id=VALUE, is_ephemeral=JSON)),
    team=maybe(shaped(id=VALUE)),
)
TEAM = TEXT
BOT_USER = st.none() | st.just(BOT) | TEXT


@FUZZ
@given(COMMAND_BODY)
def test_slack_command_event_keeps_only_strings(body: dict[str, Any]) -> None:
    event = slack.command_event(body)
    assert_neutral(event, "slack")
    assert event.conversation.channel == text_of(body.get("channel_id"))
    assert event.conversation.workspace == text_of(body.get("team_id"))
    assert event.person == Person(text_of(body.get("user_id")), text_of(body.get("user_name")))
    assert event.text == slack.plain(text_of(body.get("text")))


@FUZZ
@given(ANY_MESSAGE, TEAM, BOT_USER)
def test_slack_mention_event_drops_the_bot_mention(
    event: dict[str, Any], team: str, bot_user: str | None
) -> None:
    command = slack.mention_event(event, team, bot_user)
    assert_neutral(command, "slack")
    assert command.conversation.workspace == team
    assert command.conversation.thread == (text_of(event.get("thread_ts")) or None)
    assert command.person == Person(text_of(event.get("user")))
    assert command.text == command.text.strip()


@FUZZ
@given(TEXT.filter(lambda t: not set(t) & set("<>&")), st.sampled_from([BOT, None]), st.booleans())
def test_slack_mention_event_removes_the_bot_mention(
    rest: str, bot_user: str | None, named: bool
) -> None:
    mention = f"<@{BOT}|rounds>" if named else f"<@{BOT}>"
    command = slack.mention_event({"text": mention + rest, "user": "U1"}, "T1", bot_user)
    assert command.text == rest.strip()
    assert command.person == Person("U1") and command.conversation.thread is None


@FUZZ
@given(ANY_MESSAGE, TEAM, BOT_USER)
def test_slack_thread_message_is_a_reply_or_none(
    event: dict[str, Any], team: str, bot_user: str | None
) -> None:
    message = slack.thread_message(event, team, bot_user)
    thread, ts, user = (text_of(event.get(k)) for k in ("thread_ts", "ts", "user"))
    if message is None:
        return
    assert_neutral(message, "slack")
    assert thread and thread != ts and user and not event.get("bot_id")
    assert event.get("subtype") in (None, "thread_broadcast")
    assert message.conversation == Conversation(
        "slack", text_of(event.get("channel")), team, thread
    )
    assert message.person == Person(user)
    assert message.message_id == ts
    assert message.text == slack.plain(text_of(event.get("text")))


@FUZZ
@given(DELETION_EVENT, TEAM)
def test_slack_thread_deletion_is_a_reply_deletion_or_none(
    event: dict[str, Any], team: str
) -> None:
    deletion = slack.thread_deletion(event, team)
    if deletion is None:
        return
    assert_neutral(deletion, "slack")
    assert event["subtype"] == "message_deleted"
    assert deletion.message_id == event["deleted_ts"] != deletion.conversation.thread
    assert deletion.conversation.thread == event["previous_message"]["thread_ts"]


@FUZZ
@given(FORM_VIEW)
def test_slack_form_event_is_anonymous(view: dict[str, Any]) -> None:
    action = slack.form_event(view, FORMS)
    if action is None:
        return
    assert_neutral(action, "slack")
    assert action.person == Person("", "")
    assert action.action == view["callback_id"] and action.action in FORMS
    assert event_name(action) in LABELS


@FUZZ
@given(shaped(callback_id=st.just("f"), private_metadata=VALUE, state=JSON))
@example({"callback_id": "f", "state": "s"})
def test_slack_form_event_survives_any_state(view: dict[str, Any]) -> None:
    action = slack.form_event(view, frozenset({"f"}))
    assert action is None or action.person == Person("", "")


@FUZZ
@given(ACTION_BODY, st.sampled_from(sorted(ACTIONS)) | TEXT)
def test_slack_action_event_keeps_only_strings(body: dict[str, Any], name: str) -> None:
    action = slack.action_event(body, name)
    assert_neutral(action, "slack")
    assert action.action == name
    user = body.get("user") or {}
    assert action.person.id == text_of(user.get("id"))
    assert action.text == ""
    assert slack.is_ephemeral_source(body) is bool(
        (body.get("container") or {}).get("is_ephemeral")
    )


@FUZZ
@given(shaped(actions=JSON, user=JSON, channel=JSON, container=JSON, team=JSON))
@example({"user": "u"})
def test_slack_action_event_survives_any_containers(body: dict[str, Any]) -> None:
    assert_neutral(slack.action_event(body, "n"), "slack")


@FUZZ
@given(shaped(container=JSON))
@example({"container": "c"})
def test_slack_is_ephemeral_source_survives_any_container(body: dict[str, Any]) -> None:
    assert isinstance(slack.is_ephemeral_source(body), bool)


@FUZZ
@given(TEXT)
def test_slack_plain_returns_text_without_wire_links(text: str) -> None:
    result = slack.plain(text)
    assert type(result) is str
    assert len(result) <= len(text)  # links become their labels, entities their characters
    if "<" not in text and "&" not in text:
        assert result == text


# --- Teams ---------------------------------------------------------------------------------

VALID_SUBMIT = st.fixed_dictionaries(
    {KEY: st.sampled_from(sorted(ACTIONS))}, optional={"value": SHORT, INPUT: SHORT}
)
SUBMIT = VALID_SUBMIT | shaped(
    **{
        KEY: st.sampled_from(sorted(ACTIONS)) | VALUE,
        "value": VALUE,
        INPUT: VALUE,
    }
)
ANONYMOUS_SUBMIT = st.fixed_dictionaries(
    {KEY: st.just(actions.ANONYMOUS_SUBMIT), "value": SHORT, INPUT: SHORT}
)
ACCOUNT = shaped(id=VALUE, aadObjectId=VALUE, name=VALUE)
CONVERSATION_ID = VALUE | st.builds(lambda a, b: f"{a};messageid={b}", SHORT, SHORT)
SHAPED_ACTIVITY = shaped(
    type=st.sampled_from(["message", "messageDelete", "conversationUpdate", "invoke"]) | JSON,
    id=VALUE,
    text=VALUE,
    value=SUBMIT | JSON,
    channelData=shaped(channel=shaped(id=VALUE) | JSON, tenant=shaped(id=VALUE) | JSON) | JSON,
    conversation=shaped(
        id=CONVERSATION_ID,
        tenantId=VALUE,
        conversationType=st.sampled_from(["channel", "personal", "groupChat"]) | JSON,
    ),
    recipient=shaped(id=st.just(BOT) | VALUE, name=VALUE),
    entities=st.lists(
        shaped(
            type=st.just("mention") | VALUE,
            mentioned=shaped(id=st.just(BOT) | VALUE) | JSON,
            text=st.just("<at>Rounds</at>") | VALUE,
        ),
        max_size=3,
    ),
    serviceUrl=VALUE,
    channelId=VALUE,
    membersAdded=st.lists(shaped(id=st.just(BOT) | VALUE), max_size=3),
    membersRemoved=st.lists(shaped(id=VALUE), max_size=3),
    **{"from": ACCOUNT},
)


ACTIVITY_KEYS = ["type", "id", "text", "value", "channelData", "conversation", "from", "recipient"]
ACTIVITY_KEYS += ["entities", "membersAdded", "serviceUrl", "channelId"]


CHANNEL_POST = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["message", "messageDelete"]),
        "id": ID,
        "text": TEXT,
        "conversation": st.fixed_dictionaries(
            {
                "id": st.builds(lambda a, b: f"{a};messageid={b}", ID, ID),
                "conversationType": st.just("channel"),
            },
            optional={"tenantId": VALUE},
        ),
        "from": ACCOUNT,
        "recipient": st.fixed_dictionaries({"id": st.just(BOT)}),
    },
    optional={"value": SUBMIT, "channelData": st.fixed_dictionaries({"channel": ACCOUNT})},
)
PERSONAL_MESSAGE = st.fixed_dictionaries(
    {
        "type": st.just("message"),
        "text": TEXT,
        "conversation": st.fixed_dictionaries({"id": ID, "conversationType": st.just("personal")}),
        "from": ACCOUNT,
    },
    optional={"value": SUBMIT | JSON, "id": VALUE, "channelData": shaped(tenant=ACCOUNT)},
)
ACTIVITY = SHAPED_ACTIVITY | CHANNEL_POST | PERSONAL_MESSAGE


def activity_from(data: dict[str, Any]) -> Activity | None:
    """The activity as CloudAdapter builds it, or None where botbuilder itself refuses it."""
    try:
        return Activity().deserialize(data)
    except DeserializationError:
        return None


def check_activity(activity: Activity) -> None:
    conversation = teams.conversation_of(activity)
    assert type(conversation) is Conversation and conversation.platform == "teams"
    assert all(type(v) is str for v in (conversation.channel, conversation.workspace))
    assert conversation.thread is None or type(conversation.thread) is str
    person = teams.person_of(activity)
    assert type(person) is Person and type(person.id) is str and type(person.name) is str
    text = teams.command_text(activity)
    assert type(text) is str and text == " ".join(text.split())
    reference = teams.reference_data(activity)
    assert set(reference) == {
        "serviceUrl",
        "channelId",
        "conversationId",
        "conversationType",
        "tenantId",
        "botId",
        "botName",
    }
    assert all(type(v) is str for v in reference.values())
    assert reference["conversationId"] == conversation.channel
    for field in ("members_added", "members_removed"):
        member = teams.bot_is_member(activity, field)
        assert type(member) is bool
        assert not member or bool(reference["botId"])
    deletion = teams.deletion_of(activity)
    if deletion is not None:
        assert_neutral(deletion, "teams")
        assert activity.type == "messageDelete"
        assert deletion.message_id == activity.id != deletion.conversation.thread
    event = teams.to_event(activity)
    if event is not None:
        assert_neutral(event, "teams")
        assert activity.type == "message"
        assert event.conversation == conversation
        assert event_name(event) in LABELS
        anonymous = (actions.ANONYMOUS_SUBMIT, actions.REFLECT_ANONYMOUS, actions.EVALUATE_COMMENT)
        if isinstance(event, Action) and event.action in anonymous:  # the form, and its button
            assert event.person == Person("", "")
        elif not isinstance(event, Deletion):
            assert event.person == person


@FUZZ
@given(ACTIVITY)
def test_teams_translation_of_shaped_activities(data: dict[str, Any]) -> None:
    activity = activity_from(data)
    if activity is not None:
        check_activity(activity)


@FUZZ
@given(st.dictionaries(st.sampled_from(ACTIVITY_KEYS) | SHORT, JSON, max_size=6))
def test_teams_translation_of_any_json(data: dict[str, Any]) -> None:
    activity = activity_from(data)
    if activity is not None:
        check_activity(activity)


@FUZZ
@given(ANONYMOUS_SUBMIT, ACCOUNT, ACTIVITY)
def test_teams_anonymous_submit_never_carries_the_sender(
    value: dict[str, Any], sender: dict[str, Any], rest: dict[str, Any]
) -> None:
    activity = activity_from({**rest, "type": "message", "value": value, "from": sender})
    if activity is None:
        return
    event = teams.to_event(activity)
    assert isinstance(event, Action)
    assert_neutral(event, "teams")
    assert event.action == actions.ANONYMOUS_SUBMIT
    assert event.person == Person("", "")
    assert (event.value, event.text) == (value["value"], value[INPUT])


@FUZZ
@given(SUBMIT | JSON)
def test_read_submit_accepts_only_bounded_strings(value: Any) -> None:
    submit = read_submit(value)
    if submit is None:
        return
    assert isinstance(value, dict)
    assert submit.action == value[KEY] and submit.action.isascii() and submit.action
    assert all(type(v) is str for v in submit)
    assert len(submit.value) <= MAX_VALUE and len(submit.text) <= FORM_TEXT
    assert submit.value == value.get("value", "") and submit.text == value.get(INPUT, "")


# --- console -------------------------------------------------------------------------------

PERSON = st.builds(Person, SHORT, SHORT)
WHERE = st.builds(Conversation, st.just("console"), SHORT, SHORT)
BUTTONS = st.lists(st.builds(Button, SHORT, st.sampled_from(sorted(ACTIONS)), SHORT), max_size=4)
FORM = st.builds(
    lambda value: Reply(
        kind="form",
        blocks=(Paragraph.of("Anonymous"),),
        form=Form(actions.ANONYMOUS_SUBMIT, value, "Anonymous", "Words", "Post"),
    ),
    SHORT,
)


@FUZZ
@given(TEXT, PERSON, WHERE, BUTTONS)
def test_console_to_event_reads_typed_lines(
    line: str, person: Person, where: Conversation, buttons: list[Button]
) -> None:
    event = console.to_event(line, person, where, buttons)
    text = line.strip()
    if event is None:
        assert not text
        return
    assert_neutral(event, "console")
    assert isinstance(event, Command | Action | Message)
    assert event.conversation == where and event.person == person
    if isinstance(event, Command):
        assert event.text == text
    assert event_name(event) in LABELS


@FUZZ
@given(st.text(st.sampled_from("0123456789²³¹٣߃"), min_size=1), PERSON, WHERE)
@example("²", Person("u"), Conversation("console", "c"))
def test_console_to_event_survives_any_digits(
    line: str, person: Person, where: Conversation
) -> None:
    event = console.to_event(line, person, where, [])
    assert isinstance(event, Command) and event.text == line


@FUZZ
@given(TEXT, PERSON, WHERE, BUTTONS, FORM)
def test_console_form_answer_is_anonymous(
    line: str, person: Person, where: Conversation, buttons: list[Button], form: Reply
) -> None:
    event = console.to_event(line, person, where, buttons, form)
    if console.cancels(line):  # `cancel` or an empty line: nothing is sent
        assert event is None
        return
    assert isinstance(event, Action)
    assert_neutral(event, "console")
    assert event.person == Person("", "")
    assert (event.action, event.value, event.text) == (
        actions.ANONYMOUS_SUBMIT,
        form_of(form).value,
        line.strip(),
    )


# --- parser and metrics labels ---------------------------------------------------------------


@FUZZ
@given(TEXT)
def test_clean_removes_nul_and_zero_width_characters(text: str) -> None:
    cleaned = clean(text)
    assert not set(map(ord, cleaned)) & set(INVISIBLE)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert all(not c.isspace() or c == " " for c in cleaned)


@FUZZ
@given(TEXT)
def test_parse_names_a_known_command_or_the_lowercased_first_word(text: str) -> None:
    parsed = parse(text, NAMES)
    if len(text) > COMMAND_CHARS:  # answered with the limit, never parsed
        assert parsed_command(text) == Parsed(TOO_LONG, "", "", known=True)
    else:
        assert parsed == parsed_command(text)
    words = clean(text).split()
    if words and words[0].lower() in PREFIXES:
        words = words[1:]
    if not words:
        assert parsed.name == parsed.typed == parsed.args == "" and parsed.known
        return
    first = words[0]
    assert parsed.typed == first
    assert parsed.args == " ".join(words[1:])
    assert parsed.known == (first.lower() in NAMES)
    assert parsed.name == NAMES.get(first.lower(), first.lower())
    assert parsed.name in COMMANDS or not parsed.known


EVENTS: st.SearchStrategy[Event] = st.one_of(
    st.builds(Command, WHERE, PERSON, TEXT),
    st.builds(Action, WHERE, PERSON, st.sampled_from(sorted(ACTIONS)) | TEXT, TEXT, TEXT),
    st.builds(Message, WHERE, PERSON, TEXT, SHORT),
    st.builds(Deletion, WHERE, SHORT),
    COMMAND_BODY.map(slack.command_event),
    st.builds(slack.mention_event, ANY_MESSAGE, TEAM, BOT_USER),
    st.builds(slack.action_event, ACTION_BODY, st.sampled_from(sorted(ACTIONS)) | TEXT),
)


@FUZZ
@given(EVENTS)
def test_event_name_is_only_ever_a_known_label(event: Event) -> None:
    label = event_name(event)
    assert label in LABELS
    if isinstance(event, Command):
        parsed = parsed_command(event.text)
        expected = (parsed.name or "empty") if parsed.known else "unknown"
        assert label == expected
    elif isinstance(event, Action):
        assert label == (event.action if event.action in ACTIONS else "unknown")
    else:
        assert label == type(event).__name__.lower()


@FUZZ
@given(TEXT, st.lists(TEXT, max_size=6) | st.just(sorted(COMMANDS)), st.integers(1, 5))
def test_suggest_returns_distinct_choices(word: str, choices: list[str], limit: int) -> None:
    options = suggest(word, choices, limit)
    assert len(options) <= limit
    assert len(set(options)) == len(options)
    assert set(options) <= set(choices)
    for prefixed in (c for c in choices if len(word) >= 2 and c.startswith(word.lower())):
        assert prefixed in options or len(options) == limit
