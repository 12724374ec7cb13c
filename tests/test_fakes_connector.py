"""The fake Bot Connector speaks the protocol botbuilder's real clients expect of the real one.

Facts these tests pin down (botbuilder 4.17, msrest 0.7):

* Anonymous ("emulator mode", no app id): `MicrosoftAppCredentials.empty()` — what
  `PasswordServiceClientCredentialFactory` hands out when APP_ID is empty — sends no
  Authorization header at all. `ConnectorClient(None, ...)` is refused by msrest.
* Errors surface as `ErrorResponseException`: `.response` is the `requests.Response`
  (`.status_code`, `.headers["Retry-After"]`), `.error.error.code` the ErrorResponse code.
* The default ConnectorClient sends with `requests` in the loop's default executor through one
  `requests.Session` per client: sequential calls share a keep-alive connection, concurrent
  ones open more, `async with client` (or garbage collection) closes them. CloudAdapter builds
  a new ConnectorClient, hence a new connection, for every turn and never closes it.
* urllib3 silently retries 408 and 5xx (not 501/505) for GET/PUT/DELETE, never for POST, and
  never retries 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from botbuilder.core import (  # type: ignore[import-untyped, unused-ignore]
    MessageFactory,
    TurnContext,
)
from botbuilder.core.teams import (  # type: ignore[import-untyped, unused-ignore]
    TeamsActivityHandler,
    TeamsInfo,
)
from botbuilder.integration.aiohttp import (  # type: ignore[import-untyped, unused-ignore]
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (  # type: ignore[import-untyped, unused-ignore]
    Activity,
    ConversationParameters,
    ErrorResponseException,
)
from botbuilder.schema.teams import (  # type: ignore[import-untyped, unused-ignore]
    ChannelInfo,
    MessagingExtensionResponse,
    MessagingExtensionResult,
    TaskModuleMessageResponse,
    TaskModuleResponse,
    TeamsChannelData,
)
from botframework.connector.aio import ConnectorClient  # type: ignore[import-untyped, unused-ignore]
from botframework.connector.auth import (  # type: ignore[import-untyped, unused-ignore]
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)

from tests.fakes import teams_activities as ta
from tests.fakes.connector import NOT_IN_ROSTER, FakeConnector
from tests.fakes.faults import CLIENT_SEES, Cut

THREAD = ta.thread_conversation_id("1700000000001")
OPENS = {"msteams": {"type": "task/fetch"}, "rounds": "reflect.anonymous", "value": "7"}
TYPED = {"rounds": "reflect.anonymous.submit", "value": "7", "text": "typed"}
PERSONAL = ta.personal_conversation_id()


def client(url: str) -> Any:
    """A ConnectorClient as CloudAdapter builds one when the bot has no app id."""
    return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=url)


def anonymous_adapter() -> Any:
    """CloudAdapter with no app id or password: inbound unauthenticated, outbound anonymous."""
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="")
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))


def message(text: str) -> Any:
    return Activity(type="message", text=text)


def status_of(error: Any) -> int:
    """The HTTP status of a failed Connector call."""
    return int(error.response.status_code)


def retry_after_of(error: Any) -> str | None:
    """The Retry-After header of a failed Connector call (None when absent)."""
    value = error.response.headers.get("Retry-After")
    return None if value is None else str(value)


def code_of(error: Any) -> str:
    """The ErrorResponse code ("Throttled", "BotNotInConversationRoster", ...)."""
    return str(error.error.error.code)


# -- conversations operations -----------------------------------------------------------------


async def test_send_reply_update_delete_round_trip(connector: FakeConnector) -> None:
    conversations = client(connector.url).conversations
    sent = await conversations.send_to_conversation(PERSONAL, message("hi"))
    reply = await conversations.reply_to_activity(THREAD, "1700000000001", message("re"))
    edit = Activity(type="message", text="edited", id=reply.id)
    updated = await conversations.update_activity(THREAD, reply.id, edit)
    deleted = await conversations.delete_activity(THREAD, reply.id)

    assert int(reply.id) > int(sent.id)
    assert updated.id == reply.id
    assert deleted is None
    calls = await connector.wait_for(4)
    assert [c.method for c in calls] == [
        "send_to_conversation",
        "reply_to_activity",
        "update_activity",
        "delete_activity",
    ]
    assert [c.conversation_id for c in calls] == [PERSONAL, THREAD, THREAD, THREAD]
    assert [c.reply_to for c in calls] == [None, "1700000000001", reply.id, reply.id]
    assert [c.response for c in calls[:3]] == [{"id": sent.id}, {"id": reply.id}, {"id": reply.id}]
    assert calls[0].activity == {"type": "message", "text": "hi"}
    assert calls[2].activity["text"] == "edited"
    assert all(c.authorization is None and c.status == 200 for c in calls)
    # ':' '@' ';' '=' travel percent-encoded and are decoded exactly once
    assert "19%3Afake0channel" in calls[1].path
    assert "%40thread.tacv2%3Bmessageid%3D1700000000001" in calls[1].path


@pytest.mark.parametrize("strip", [False, True], ids=["slash", "no-slash"])
async def test_service_url_with_or_without_trailing_slash(
    connector: FakeConnector, strip: bool
) -> None:
    assert connector.url.endswith("/")
    url = connector.url.rstrip("/") if strip else connector.url
    await client(url).conversations.send_to_conversation(PERSONAL, message("hi"))
    [call] = await connector.wait_for(method="send_to_conversation")
    assert call.path.startswith("/v3/conversations/a%3A1fake")


async def test_create_conversation_in_a_channel_starts_a_thread(connector: FakeConnector) -> None:
    conversations = client(connector.url).conversations
    parameters = ConversationParameters(
        is_group=True,
        channel_data=TeamsChannelData(channel=ChannelInfo(id=ta.CHANNEL_ID)),
        activity=message("a new thread"),
    )
    created = await conversations.create_conversation(parameters)
    assert created.id == f"{ta.CHANNEL_ID};messageid={created.activity_id}"
    assert created.service_url == connector.url
    followup = await conversations.send_to_conversation(created.id, message("in the thread"))

    create, send = await connector.wait_for(2)
    assert create.method == "create_conversation"
    assert create.conversation_id == ta.CHANNEL_ID
    assert create.activity["channelData"]["channel"] == {"id": ta.CHANNEL_ID}
    assert create.activity["activity"]["text"] == "a new thread"
    assert send.conversation_id == created.id
    assert int(followup.id) > int(created.activity_id)


async def test_create_personal_conversation_is_stable_per_user(connector: FakeConnector) -> None:
    conversations = client(connector.url).conversations
    parameters = ConversationParameters(
        is_group=False, members=[{"id": ta.USER_ID}], tenant_id=ta.TENANT_ID
    )
    first = await conversations.create_conversation(parameters)
    second = await conversations.create_conversation(parameters)
    assert first.id == second.id == PERSONAL
    assert first.activity_id is None  # no activity was sent with it
    assert connector.sent_to("create_conversation")[0].conversation_id == PERSONAL


async def test_members_and_team_details(connector: FakeConnector) -> None:
    conversations = client(connector.url).conversations
    [member] = await conversations.get_conversation_members(THREAD)
    one = await conversations.get_conversation_member(THREAD, ta.USER_ID)
    paged = await conversations.get_conversation_paged_members(THREAD)
    with pytest.raises(ErrorResponseException) as missing:
        await conversations.get_conversation_member(THREAD, "29:nobody")

    assert (member.id, member.name) == (ta.USER_ID, ta.USER_NAME)
    assert member.aad_object_id == ta.aad_object_id(ta.USER_ID)
    assert member.additional_properties["userPrincipalName"] == "alice@example.test"
    assert one.id == ta.USER_ID
    assert [m.id for m in paged.members] == [ta.USER_ID]
    assert (status_of(missing.value), code_of(missing.value)) == (
        404,
        "MemberNotFoundInConversation",
    )
    assert connector.sent_to("get_conversation_member")[0].member_id == ta.USER_ID


async def test_unknown_paths_and_bad_json_are_recorded_and_refused(
    connector: FakeConnector,
) -> None:
    async with aiohttp.ClientSession() as session:
        response = await session.get(f"{connector.url}v3/frobnicate")
        body = await response.json()
        headers = {"Content-Type": "application/json"}
        url = f"{connector.url}v3/conversations/a%3A1x/activities"
        bad = await session.post(url, data=b"{", headers=headers)
        bad_body = await bad.json()
    assert response.status == 404
    assert body["error"]["code"] == "NotFound"
    assert (bad.status, bad_body["error"]["code"]) == (400, "BadArgument")
    unknown, malformed = connector.sent
    assert unknown.method == "GET /v3/frobnicate"
    assert (malformed.method, malformed.conversation_id) == ("send_to_conversation", "a:1x")
    assert malformed.activity == {"raw": "{"}


# -- scripted failures ------------------------------------------------------------------------


async def test_throttled_429_carries_retry_after(connector: FakeConnector) -> None:
    connector.fail(429, retry_after=7)
    conversations = client(connector.url).conversations
    with pytest.raises(ErrorResponseException) as throttled:
        await conversations.reply_to_activity(THREAD, "1700000000001", message("hi"))
    retried = await conversations.reply_to_activity(THREAD, "1700000000001", message("hi"))

    error = throttled.value
    assert status_of(error) == 429
    assert retry_after_of(error) == "7"
    assert code_of(error) == "Throttled"
    assert str(error) == "(Throttled) Too many requests."
    assert retried.id
    assert [c.status for c in connector.sent_to("reply_to_activity")] == [429, 200]


async def test_429_without_retry_after_and_custom_codes(connector: FakeConnector) -> None:
    connector.fail(429)
    connector.fail(413, method="send_to_conversation", code="MessageSizeTooBig", message="Too big.")
    conversations = client(connector.url).conversations
    with pytest.raises(ErrorResponseException) as throttled:
        await conversations.update_activity(THREAD, "1", message("x"))
    with pytest.raises(ErrorResponseException) as too_big:
        await conversations.send_to_conversation(THREAD, message("x" * 100))
    assert retry_after_of(throttled.value) is None
    assert (status_of(too_big.value), str(too_big.value)) == (413, "(MessageSizeTooBig) Too big.")


async def test_server_errors_post_raises_put_is_retried_by_urllib3(
    connector: FakeConnector,
) -> None:
    connector.fail(503, method="send_to_conversation")
    connector.fail(503, method="update_activity")
    conversations = client(connector.url).conversations
    with pytest.raises(ErrorResponseException) as unavailable:
        await conversations.send_to_conversation(THREAD, message("hi"))
    updated = await conversations.update_activity(THREAD, "1700000000001", message("edit"))

    assert (status_of(unavailable.value), code_of(unavailable.value)) == (
        503,
        "ServiceUnavailable",
    )
    assert updated.id == "1700000000001"
    assert [c.status for c in connector.sent_to("update_activity")] == [503, 200]
    assert len(connector.sent_to("send_to_conversation")) == 1


async def test_fail_for_one_method_leaves_the_others_alone(connector: FakeConnector) -> None:
    connector.fail(429, times=2, method="reply_to_activity")
    conversations = client(connector.url).conversations
    await conversations.send_to_conversation(THREAD, message("fine"))
    for _ in range(2):
        with pytest.raises(ErrorResponseException):
            await conversations.reply_to_activity(THREAD, "1700000000001", message("no"))
    await conversations.reply_to_activity(THREAD, "1700000000001", message("ok now"))
    assert [c.status for c in connector.sent] == [200, 429, 429, 200]


async def test_forbid_answers_bot_not_in_conversation_roster(connector: FakeConnector) -> None:
    connector.forbid(ta.CHANNEL_ID)
    conversations = client(connector.url).conversations
    with pytest.raises(ErrorResponseException) as in_thread:
        await conversations.reply_to_activity(THREAD, "1700000000001", message("hi"))
    with pytest.raises(ErrorResponseException) as new_thread:
        parameters = ConversationParameters(
            is_group=True,
            channel_data=TeamsChannelData(channel=ChannelInfo(id=ta.CHANNEL_ID)),
            activity=message("hi"),
        )
        await conversations.create_conversation(parameters)
    elsewhere = await conversations.send_to_conversation(PERSONAL, message("hi"))

    for error in (in_thread.value, new_thread.value):
        assert status_of(error) == 403
        assert code_of(error) == "BotNotInConversationRoster"
        assert str(error) == f"({NOT_IN_ROSTER[0]}) {NOT_IN_ROSTER[1]}"
    assert elsewhere.id
    connector.allow(ta.CHANNEL_ID)
    assert (await conversations.reply_to_activity(THREAD, "1700000000001", message("hi"))).id


async def test_a_hang_answers_nothing_and_creates_nothing(connector: FakeConnector) -> None:
    connector.hang(method="send_to_conversation")
    url = f"{connector.url}v3/conversations/{PERSONAL}/activities"
    timeout = aiohttp.ClientTimeout(total=0.2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        with pytest.raises(TimeoutError):
            await session.post(url, json={"type": "message", "text": "lost"})
        async with session.post(url, json={"type": "message", "text": "next"}) as answer:
            assert answer.status == 200
    hung, sent = connector.sent_to("send_to_conversation")
    assert (hung.fault, hung.status, hung.response, hung.performed) == ("hang", 0, None, False)
    assert (sent.fault, sent.performed) == ("", True)


@pytest.mark.parametrize(("cut", "error"), list(CLIENT_SEES.items()))
@pytest.mark.parametrize("performed", [True, False])
async def test_a_drop_cuts_the_response_after_or_before_creating(
    connector: FakeConnector, cut: Cut, error: type[Exception], performed: bool
) -> None:
    connector.drop(method="reply_to_activity", performed=performed, cut=cut)
    url = f"{connector.url}v3/conversations/{THREAD}/activities/1700000000001"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(error):
            async with session.post(url, json={"type": "message"}) as answer:
                await answer.json()
        async with session.post(url, json={"type": "message"}) as answer:
            assert answer.status == 200
    dropped, sent = connector.sent_to("reply_to_activity")
    assert dropped.fault == ("drop-after" if performed else "drop-before")
    assert dropped.performed is performed
    assert (dropped.response is not None) is performed  # the id it gave, never heard of
    assert sent.performed and sent.response["id"] != (dropped.response or {}).get("id")


async def test_faults_queue_with_statuses_first_match_first(connector: FakeConnector) -> None:
    connector.fail(500, method="send_to_conversation")
    connector.drop(method="send_to_conversation", performed=False)
    connector.hang(method="update_activity", seconds=0.05)  # a short hang ends in a drop
    conversations = client(connector.url).conversations
    with pytest.raises(ErrorResponseException):
        await conversations.send_to_conversation(PERSONAL, message("a"))
    url = f"{connector.url}v3/conversations/{PERSONAL}/activities"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(url, json={"type": "message", "text": "b"})
        # aiohttp itself sends an idempotent PUT again, once, when the connection drops
        async with session.put(f"{url}/1", json={"type": "message", "text": "c"}) as answer:
            assert answer.status == 200
    await conversations.send_to_conversation(PERSONAL, message("d"))
    seen = [(s.method, s.status, s.fault) for s in connector.sent]
    assert seen == [
        ("send_to_conversation", 500, ""),
        ("send_to_conversation", 0, "drop-before"),
        ("update_activity", 0, "hang"),
        ("update_activity", 200, ""),
        ("send_to_conversation", 200, ""),
    ]


# -- waiting ----------------------------------------------------------------------------------


async def test_wait_for_wakes_on_a_later_call_and_times_out_listing_calls(
    connector: FakeConnector,
) -> None:
    conversations = client(connector.url).conversations

    async def later() -> None:
        await asyncio.sleep(0.05)
        await conversations.send_to_conversation(PERSONAL, message("late"))

    task = asyncio.create_task(later())
    [call] = await connector.wait_for(method="send_to_conversation", timeout=5)
    await task
    assert call.activity["text"] == "late"
    with pytest.raises(AssertionError, match=r"send_to_conversation a:1fakealice -> 200"):
        await connector.wait_for(method="reply_to_activity", timeout=0.05)


# -- connections ------------------------------------------------------------------------------


async def test_one_aiohttp_session_reuses_one_connection(connector: FakeConnector) -> None:
    url = f"{connector.url}v3/conversations/{PERSONAL}/activities"
    async with aiohttp.ClientSession() as session:
        for n in range(5):
            async with session.post(url, json={"type": "message", "text": str(n)}) as response:
                assert response.status == 200
        assert (connector.connections, connector.total_connections) == (1, 1)
    await connector.wait_for_connections(0)
    assert connector.total_connections == 1
    assert len(connector.sent_to("send_to_conversation")) == 5


async def test_a_connector_client_keeps_one_connection_cloud_adapter_opens_one_per_turn(
    connector: FakeConnector,
) -> None:
    reused = client(connector.url)  # one requests.Session (a keep-alive pool) per ConnectorClient
    for _ in range(3):
        await reused.conversations.send_to_conversation(PERSONAL, message("hi"))
    assert (connector.connections, connector.total_connections) == (1, 1)
    async with reused:  # leaving the context closes the session
        pass
    await connector.wait_for_connections(0)

    adapter = anonymous_adapter()

    async def two_replies(turn: Any) -> None:
        await turn.send_activity("one")
        await turn.send_activity("two")

    for _ in range(3):  # CloudAdapter builds a new ConnectorClient for every turn
        inbound = Activity().deserialize(ta.personal_message("hi", connector.url))
        await adapter.process_activity("", inbound, two_replies)
    assert len(connector.sent_to("reply_to_activity")) == 6
    assert connector.total_connections == 1 + 3


# -- credentials ------------------------------------------------------------------------------


class FakeTokenCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App credentials whose token comes from here instead of Azure AD."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "fake-token-not-real"


class FakeCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == ta.APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        return FakeTokenCredentials(app_id, "fake-password-not-real", oauth_scope=oauth_scope)


async def test_app_credentials_send_a_bearer_token(connector: FakeConnector) -> None:
    config = SimpleNamespace(APP_ID=ta.APP_ID, APP_PASSWORD="fake-password-not-real")
    auth = ConfigurationBotFrameworkAuthentication(
        config, credentials_factory=FakeCredentialsFactory()
    )
    inbound = Activity().deserialize(ta.personal_message("hi", connector.url))
    reference = TurnContext.get_conversation_reference(inbound)

    async def proactive(turn: Any) -> None:
        await turn.send_activity("reminder")

    await CloudAdapter(auth).continue_conversation(reference, proactive, ta.APP_ID)
    await client(connector.url).conversations.send_to_conversation(PERSONAL, message("anonymous"))
    proactive_call, anonymous_call = await connector.wait_for(2)
    assert proactive_call.authorization == "Bearer fake-token-not-real"
    assert anonymous_call.authorization is None


# -- through CloudAdapter ---------------------------------------------------------------------


async def test_cloud_adapter_replies_posts_and_continues_through_the_fake(
    connector: FakeConnector,
) -> None:
    adapter = anonymous_adapter()
    inbound = ta.channel_message("quote winter", connector.url)
    threads: list[Any] = []

    async def logic(turn: Any) -> None:
        assert turn.activity.text == "<at>Rounds</at> quote winter"
        await turn.send_activity(MessageFactory.text("A winter quote"))
        reference, _ = await TeamsInfo.send_message_to_teams_channel(
            turn, MessageFactory.text("Daily round"), ta.CHANNEL_ID, bot_app_id=ta.APP_ID
        )
        threads.append(reference)

    async def proactive(turn: Any) -> None:
        await turn.send_activity("Reminder")

    assert await adapter.process_activity("", Activity().deserialize(inbound), logic) is None
    await adapter.continue_conversation(threads[0], proactive, ta.APP_ID)

    reply, create, followup = await connector.wait_for(3)
    assert reply.method == "reply_to_activity"
    assert reply.conversation_id == inbound["conversation"]["id"]
    assert reply.reply_to == inbound["id"]
    assert reply.activity["text"] == "A winter quote"
    assert reply.activity["from"] == {"id": ta.BOT_ID, "name": ta.BOT_NAME}
    assert (create.method, create.conversation_id) == ("create_conversation", ta.CHANNEL_ID)
    new_thread = create.response["id"]
    assert new_thread == ta.thread_conversation_id(create.response["activityId"])
    # a proactive send is a reply to a made-up (uuid) activity id in the thread
    assert (followup.method, followup.conversation_id) == ("reply_to_activity", new_thread)
    assert followup.reply_to and followup.activity["text"] == "Reminder"


class RecordingHandler(TeamsActivityHandler):  # type: ignore[misc]
    """Which TeamsActivityHandler hook each builder's activity reaches."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, Any]] = []

    async def on_message_activity(self, turn: Any) -> None:
        self.seen.append(("message", turn.activity.value or turn.activity.text))

    async def on_teams_members_added(self, members: Any, team: Any, turn: Any) -> None:
        self.seen.append(("members_added", ([m.id for m in members], team and team.name)))

    async def on_teams_members_removed(self, members: Any, team: Any, turn: Any) -> None:
        self.seen.append(("members_removed", ([m.id for m in members], team and team.name)))

    async def on_teams_messaging_extension_query(self, turn: Any, query: Any) -> Any:
        self.seen.append(("query", (query.command_id, query.parameters[0].value)))
        result = MessagingExtensionResult(type="result", attachment_layout="list", attachments=[])
        return MessagingExtensionResponse(compose_extension=result)

    async def on_teams_task_module_fetch(self, turn: Any, request: Any) -> Any:
        self.seen.append(("task/fetch", (request.data, request.context.theme)))
        return TaskModuleResponse(task=TaskModuleMessageResponse(value="opened"))

    async def on_teams_task_module_submit(self, turn: Any, request: Any) -> Any:
        self.seen.append(("task/submit", (request.data, request.context.theme)))
        return TaskModuleResponse(task=TaskModuleMessageResponse(value="sent"))

    async def on_typing_activity(self, turn: Any) -> None:
        self.seen.append(("typing", turn.activity.conversation.conversation_type))


async def test_builders_reach_the_teams_activity_handler_hooks(connector: FakeConnector) -> None:
    adapter = anonymous_adapter()
    bot = RecordingHandler()
    url = connector.url
    activities = [
        ta.channel_message("quote winter", url),
        ta.personal_message("help", url),
        ta.card_submit({"action": "more"}, url),
        ta.members_added(url),
        ta.members_removed(url),
        ta.members_added(url, scope="personal"),
        ta.compose_query("winter", url),
        ta.task_fetch(OPENS, url),
        ta.task_submit(TYPED, url),
        ta.unknown_activity(url),
    ]
    statuses = []
    for activity in activities:
        response = await adapter.process_activity("", Activity().deserialize(activity), bot.on_turn)
        statuses.append(response and response.status)
    assert bot.seen == [
        ("message", "<at>Rounds</at> quote winter"),
        ("message", "help"),
        ("message", {"action": "more"}),
        ("members_added", ([ta.BOT_ID], ta.TEAM_NAME)),
        ("members_removed", ([ta.BOT_ID], ta.TEAM_NAME)),
        ("members_added", ([ta.BOT_ID], None)),
        ("query", ("lookup", "winter")),
        ("task/fetch", (OPENS, "default")),
        ("task/submit", (TYPED, "default")),
        ("typing", "personal"),
    ]
    assert statuses == [None] * 6 + [200, 200, 200, None]
    assert connector.sent == []  # nothing here talks to the Connector


# -- builders ---------------------------------------------------------------------------------

Builder = Callable[[str], dict[str, Any]]
BUILDERS: dict[str, Builder] = {
    "channel_message": lambda url: ta.channel_message("quote winter", url),
    "thread_reply": lambda url: ta.channel_message("more", url, reply_to_id="1700000000001"),
    "personal_message": lambda url: ta.personal_message("help", url),
    "card_submit": lambda url: ta.card_submit({"action": "more"}, url, reply_to_id="17"),
    "card_submit_personal": lambda url: ta.card_submit({"a": 1}, url, personal=True),
    "members_added": lambda url: ta.members_added(url, user="29:bob"),
    "members_added_personal": lambda url: ta.members_added(url, scope="personal"),
    "members_added_group": lambda url: ta.members_added(url, scope="groupChat"),
    "members_removed": lambda url: ta.members_removed(url),
    "compose_query": lambda url: ta.compose_query("winter", url, skip=25, count=10),
    "compose_initial_run": lambda url: ta.compose_query("", url, initial_run=True),
    "task_fetch": lambda url: ta.task_fetch(OPENS, url, reply_to_id="1700000000001"),
    "task_submit": lambda url: ta.task_submit(TYPED, url, reply_to_id="1700000000001"),
    "task_submit_personal": lambda url: ta.task_submit(TYPED, url, personal=True),
    "typing": lambda url: ta.unknown_activity(url),
    "reaction": lambda url: ta.unknown_activity(url, type_="messageReaction"),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_builder_parses_as_a_teams_activity(name: str) -> None:
    url = "https://smba.trafficmanager.net/fake-not-real/"
    raw = BUILDERS[name](url)
    activity = Activity().deserialize(raw)

    assert activity.type == raw["type"]
    assert activity.id == raw["id"]
    assert activity.channel_id == "msteams"
    assert activity.service_url == url
    assert activity.recipient.id == ta.BOT_ID
    assert activity.from_property.id.startswith("29:")
    assert activity.conversation.id == raw["conversation"]["id"]
    assert activity.timestamp is not None
    assert activity.text == raw.get("text")
    assert activity.value == raw.get("value")
    assert activity.name == raw.get("name")
    assert activity.reply_to_id == raw.get("replyToId")
    assert activity.channel_data == raw["channelData"]
    assert activity.channel_data["tenant"] == {"id": ta.TENANT_ID}
    assert TeamsChannelData().deserialize(raw["channelData"]).tenant.id == ta.TENANT_ID
    assert [e.type for e in activity.entities or []] == [e["type"] for e in raw.get("entities", [])]
    added = [m.id for m in activity.members_added or []]
    assert added == [m["id"] for m in raw.get("membersAdded", [])]
    removed = [m.id for m in activity.members_removed or []]
    assert removed == [m["id"] for m in raw.get("membersRemoved", [])]


def test_channel_message_shape() -> None:
    raw = ta.channel_message("quote winter", "https://x.test/")
    activity = Activity().deserialize(raw)
    mention, client_info = activity.entities
    assert mention.additional_properties == {
        "mentioned": {"id": ta.BOT_ID, "name": ta.BOT_NAME},
        "text": "<at>Rounds</at>",
    }
    assert client_info.type == "clientInfo"
    assert activity.attachments[0].content_type == "text/html"
    assert activity.conversation.conversation_type == "channel"
    assert activity.conversation.id == f"{ta.CHANNEL_ID};messageid={raw['id']}"
    # Teams sends "tenantId", the schema maps "tenantID": read the tenant from channelData
    assert activity.conversation.tenant_id is None
    assert TurnContext.remove_recipient_mention(activity).strip() == "quote winter"
    unmentioned = ta.channel_message("hello", "https://x.test/", mention=False)
    assert unmentioned["text"] == "hello"
    assert [e["type"] for e in unmentioned["entities"]] == ["clientInfo"]
    reply = ta.channel_message("more", "https://x.test/", reply_to_id="1700000000001")
    assert reply["conversation"]["id"] == THREAD


def test_dialog_invoke_shapes() -> None:
    fetch = ta.task_fetch(OPENS, "https://x.test/", reply_to_id="1700000000009")
    assert (fetch["type"], fetch["name"]) == ("invoke", "task/fetch")
    assert fetch["value"] == {"type": "task/fetch", "data": OPENS, "context": {"theme": "default"}}
    assert fetch["conversation"]["id"] == ta.thread_conversation_id("1700000000009")
    assert fetch["conversation"]["conversationType"] == "channel"
    assert fetch["channelData"]["channel"] == {"id": ta.CHANNEL_ID}
    assert fetch["channelData"]["team"] == {"id": ta.TEAM_ID}
    assert fetch["from"]["aadObjectId"] and "text" not in fetch
    sent = ta.task_submit(TYPED, "https://x.test/", reply_to_id="1700000000009")
    assert (sent["name"], sent["value"]["data"]) == ("task/submit", TYPED)
    assert sent["conversation"] == fetch["conversation"]  # the card's thread, both times
    personal = ta.task_submit(TYPED, "https://x.test/", personal=True)
    assert personal["conversation"]["id"] == PERSONAL


def test_personal_membership_and_query_shapes() -> None:
    personal = ta.personal_message("help", "https://x.test/")
    assert personal["conversation"] == {
        "conversationType": "personal",
        "tenantId": ta.TENANT_ID,
        "id": PERSONAL,
    }
    assert "attachments" not in personal
    submit = ta.card_submit({"action": "more"}, "https://x.test/", reply_to_id="1700000000009")
    assert "text" not in submit
    assert submit["conversation"]["id"] == ta.thread_conversation_id("1700000000009")
    added = ta.members_added("https://x.test/", user="29:bob")
    assert added["type"] == "conversationUpdate"
    assert added["conversation"]["id"] == ta.TEAM_ID
    assert added["channelData"]["eventType"] == "teamMemberAdded"
    assert added["channelData"]["team"]["name"] == ta.TEAM_NAME
    assert [m["id"] for m in added["membersAdded"]] == [ta.BOT_ID, "29:bob"]
    removed = ta.members_removed("https://x.test/")
    assert removed["channelData"]["eventType"] == "teamMemberRemoved"
    assert "eventType" not in ta.members_added("https://x.test/", scope="personal")["channelData"]
    query = ta.compose_query("winter", "https://x.test/", skip=25, count=10)
    assert query["value"] == {
        "commandId": "lookup",
        "parameters": [{"name": "query", "value": "winter"}],
        "queryOptions": {"skip": 25, "count": 10},
    }
    first = ta.compose_query("", "https://x.test/", initial_run=True)
    assert first["value"]["parameters"] == [{"name": "initialRun", "value": "true"}]
    ids = [ta.personal_message("x", "https://x.test/")["id"] for _ in range(3)]
    assert ids == sorted(ids, key=int) and len(set(ids)) == 3
