"""Rounds in Microsoft Teams, over real HTTP: activities shaped like Teams sends them into
`/api/messages`, botbuilder's real connector client talking to a fake Bot Connector."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botbuilder.schema import Activity
from botframework.connector.auth import MicrosoftAppCredentials

from adapters.pace import ChannelPace
from adapters.teams.check import problems
from adapters.teams.connectors import ReusingAuthentication, TeamsConfig
from adapters.teams.fit import MAX_RESULT_CARD_BYTES, size
from bot import messages as m
from bot.content.model import Library
from bot.events import Conversation
from bot.lookup import LookupIndex
from bot.outbox import DeliveryError
from bot.replies import Note, Paragraph, Reply, Visibility
from rounds.server import TEAMS_AUTH, TEAMS_EMULATOR
from tests.fakes.connector import FakeConnector, Sent
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    TENANT_ID,
    USER_ID,
    card_submit,
    channel_message,
    compose_query,
    members_added,
    members_removed,
    personal_conversation_id,
    personal_message,
    unknown_activity,
)
from tests.teams_harness import Teams, card_elements, card_texts, running

CHANNEL = Conversation("teams", CHANNEL_ID, TENANT_ID)


def cards(sent: Sent) -> list[dict[str, Any]]:
    return [a["content"] for a in sent.activity.get("attachments", [])]


def words(sent: Sent) -> str:
    return json.dumps(sent.activity, ensure_ascii=False)


def message_id(sent: Sent) -> str:
    """The id the connector gave the message it received."""
    return str(sent.response["id"])


def submit_of(card: dict[str, Any], title: str) -> dict[str, Any]:
    [action] = [a for a in card.get("actions", []) if a["title"] == title]
    data: dict[str, Any] = action["data"]
    return data


EXPECTED = {
    "help": "lookup",
    "lookup triumvirate": "triumvirate",
    "lookup triumverate": "you typed",
    "topics": "Manager",
    "articles": "read",
    "read no-more-silos": "silos",
    "privacy": "stores",
    "quote winter": "—",
    "prompt": "Discussion prompt",
    "qoute": "Did you mean",
}


@pytest.mark.parametrize("line", sorted(EXPECTED))
async def test_each_command_in_a_channel(teams: Teams, line: str) -> None:
    [reply] = await teams.send(channel_message(line, teams.fake.url))
    assert EXPECTED[line].lower() in words(reply).lower()
    [card] = cards(reply)
    assert problems(card) == [] and reply.activity.get("summary")
    assert reply.conversation_id.startswith(CHANNEL_ID)  # in the thread it was asked in


async def test_a_personal_chat_needs_no_mention(teams: Teams) -> None:
    [reply] = await teams.send(personal_message("lookup triumvirate", teams.fake.url))
    assert "triumvirate" in words(reply).lower()


def typed_commands(sent: Sent) -> list[str]:
    """The commands the message's card shows, as they are to be typed (monospace runs)."""
    activity = sent.activity.get("activity", sent.activity)  # a new thread's first post
    [card] = [a["content"] for a in activity["attachments"]]
    return [r["text"] for r in card_elements(card) if r.get("fontType") == "Monospace"]


async def test_commands_are_shown_with_the_mention_in_a_channel_only(teams: Teams) -> None:
    [channel] = await teams.send(channel_message("help", teams.fake.url))
    [personal] = await teams.send(personal_message("help", teams.fake.url))
    shown, alone = typed_commands(channel), typed_commands(personal)
    assert "@Rounds help <command>" in shown and "help <command>" in alone
    assert not any("@Rounds" in code for code in alone)
    assert [code.removeprefix("@Rounds ") for code in shown] == alone  # otherwise the same


async def test_the_mention_is_removed_using_its_entity(teams: Teams) -> None:
    [reply] = await teams.send(channel_message("help lookup", teams.fake.url))
    assert "Rounds is here" not in words(reply)  # the mention did not leave an empty command
    assert "lookup" in words(reply)


async def test_another_replaces_the_card(teams: Teams) -> None:
    message = channel_message("quote manager-medic", teams.fake.url)
    [first] = await teams.send(message)
    data = submit_of(cards(first)[0], "Another")
    [update] = await teams.send(card_submit(data, teams.fake.url, reply_to_id=message_id(first)))
    assert update.method == "update_activity" and update.reply_to == message_id(first)
    assert cards(update)[0] != cards(first)[0] and "—" in words(update)


async def test_share_posts_a_new_thread_in_the_channel(teams: Teams) -> None:
    [first] = await teams.send(channel_message("quote winter", teams.fake.url))
    data = submit_of(cards(first)[0], m.BUTTON_SHARE)
    [shared] = await teams.send(card_submit(data, teams.fake.url, reply_to_id=message_id(first)))
    assert shared.method == "create_conversation"
    assert "Shared by Alice Example" in words(shared)


async def test_discuss_starts_a_thread_and_replies_in_it(teams: Teams) -> None:
    [first] = await teams.send(channel_message("quote winter", teams.fake.url))
    data = submit_of(cards(first)[0], "Discuss")
    await teams.post(card_submit(data, teams.fake.url, reply_to_id=message_id(first)))
    await teams.fake.wait_for(3)
    created, invite = teams.fake.sent[-2:]
    assert created.method == "create_conversation"
    assert invite.conversation_id.startswith(CHANNEL_ID + ";messageid=")
    assert "Reply in this thread" in words(invite)


async def test_install_stores_the_reference_and_says_hello(teams: Teams) -> None:
    [hello] = await teams.send(members_added(teams.fake.url))
    assert "Thank you for adding Rounds" in words(hello)
    stored = await teams.server.bot.ctx.store.references("teams")
    assert next(iter(stored.values()))["serviceUrl"] == teams.fake.url
    response = await teams.post(members_removed(teams.fake.url))
    assert response.status in (200, 201)
    assert await teams.server.bot.ctx.store.references("teams") == {}


async def test_a_proactive_post_works_after_a_restart(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    db = tmp_path / "t.db"
    async with running(library, index, db, connector) as first:
        await first.send(channel_message("help", connector.url))  # the channel becomes known
    prompt = Reply("prompt", (Paragraph.of("A question"),), Visibility.CHANNEL, summary="Q")
    async with running(library, index, db, connector) as second:
        assert second.server.teams is not None
        outbox = second.server.teams.outbox
        root = await outbox.post(CHANNEL, prompt)
        thread = Conversation("teams", CHANNEL_ID, TENANT_ID, thread=root)
        await outbox.post(thread, prompt)
    new_thread, reply = connector.sent[-2:]
    assert new_thread.method == "create_conversation" and "A question" in words(new_thread)
    assert reply.conversation_id == f"{CHANNEL_ID};messageid={root}"


async def test_the_welcome_shows_commands_as_typed_where_rounds_was_added(teams: Teams) -> None:
    [group] = await teams.send(members_added(teams.fake.url, scope="groupChat"))
    [personal] = await teams.send(members_added(teams.fake.url, scope="personal"))
    assert "@Rounds help" in typed_commands(group)  # a group chat needs the mention too
    assert "help" in typed_commands(personal) and "@Rounds" not in words(personal)


async def test_a_post_shows_commands_as_typed_in_the_conversation_it_goes_to(
    teams: Teams,
) -> None:
    """A scheduled or proactive post knows its conversation from the stored reference: a
    channel's commands need the mention, a 1:1 chat's do not."""
    await teams.send(channel_message("help", teams.fake.url))
    await teams.send(personal_message("help", teams.fake.url))
    assert teams.server.teams is not None
    chat = Conversation("teams", personal_conversation_id(USER_ID), TENANT_ID)
    stored = await teams.server.bot.ctx.store.references("teams")
    assert stored[chat.key]["conversationType"] == "personal"
    said = Reply("prompt", (Note("Type `prompt` for another."),), Visibility.CHANNEL, summary="Q")
    await teams.server.teams.outbox.post(CHANNEL, said)
    await teams.server.teams.outbox.post(chat, said)
    in_channel, in_chat = teams.fake.sent[-2:]
    assert in_channel.conversation_id == CHANNEL_ID
    assert typed_commands(in_channel) == ["@Rounds prompt"]
    assert in_chat.conversation_id.startswith("a:") and typed_commands(in_chat) == ["prompt"]


async def test_a_conversation_the_bot_left_is_reported_not_crashed(teams: Teams) -> None:
    await teams.send(channel_message("help", teams.fake.url))
    teams.fake.forbid(CHANNEL_ID)
    assert teams.server.teams is not None
    prompt = Reply("prompt", (Paragraph.of("Q"),), Visibility.CHANNEL, summary="Q")
    with pytest.raises(DeliveryError) as raised:
        await teams.server.teams.outbox.post(CHANNEL, prompt)
    assert raised.value.permanent
    unknown = Conversation("teams", "19:never-installed@thread.tacv2", TENANT_ID)
    with pytest.raises(DeliveryError) as missing:
        await teams.server.teams.outbox.post(unknown, prompt)
    assert missing.value.permanent


async def test_compose_box_search_returns_cards(teams: Teams, library: Library) -> None:
    query = compose_query("leadership", teams.fake.url, skip=0, count=5)
    async with teams.http.post(teams.url, json=query) as response:
        assert response.status == 200
        body = await response.json()
    result = body["composeExtension"]
    assert result["type"] == "result" and len(result["attachments"]) == 5
    titles = {article.title for article in library.articles.values()}
    links: list[dict[str, Any]] = []
    for attachment in result["attachments"]:
        assert problems(attachment["content"]) == []
        assert size(attachment["content"]) < MAX_RESULT_CARD_BYTES
        preview = attachment["preview"]["content"]
        assert preview["title"] in titles  # the article's title: no rank number before it
        assert len(preview["text"]) <= 160 and "\n" not in preview["title"]
        assert card_texts(attachment["content"])[0] == preview["title"]  # a clean card
        links += attachment["content"].get("actions", [])
    assert all(a["type"] == "Action.OpenUrl" for a in links)  # Open article, if on the web
    query = compose_query("triumvirate", teams.fake.url, skip=0, count=3)
    async with teams.http.post(teams.url, json=query) as response:
        found = (await response.json())["composeExtension"]["attachments"]
    assert any(a["content"].get("actions") for a in found)
    later = compose_query("leadership", teams.fake.url, skip=5, count=5)
    async with teams.http.post(teams.url, json=later) as response:
        second = (await response.json())["composeExtension"]["attachments"]
    assert second and second[0] != result["attachments"][0]


async def test_a_rate_limited_reply_is_retried(teams: Teams) -> None:
    teams.fake.fail(429, times=1, retry_after=0)
    await teams.post(channel_message("help", teams.fake.url))
    sent = await teams.fake.wait_for(2)
    assert len(sent) == 2 and sent[0].activity == sent[1].activity


async def test_connector_connections_are_reused(teams: Teams) -> None:
    for _ in range(10):
        await teams.send(channel_message("lookup winter", teams.fake.url))
    assert teams.fake.total_connections <= 2


# Who may talk to the bot.


async def test_emulator_mode_refuses_a_non_loopback_service_url(teams: Teams) -> None:
    assert TEAMS_EMULATOR in teams.server.status
    activity = channel_message("help", "https://attacker.example/")
    response = await teams.post(activity)
    assert response.status == 403
    await asyncio.sleep(0.1)
    assert teams.fake.sent == []


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-real-token"])
async def test_with_an_app_id_requests_need_a_valid_token(
    library: Library,
    index: LookupIndex,
    connector: FakeConnector,
    tmp_path: Path,
    authorization: str | None,
) -> None:
    ids = {
        "microsoft_app_id": "00000000-0000-0000-0000-000000000b07",
        "teams_service_hosts": ("127.0.0.1",),  # the fake Bot Connector
    }
    async with running(library, index, tmp_path / "t.db", connector, **ids) as teams:
        assert TEAMS_AUTH in teams.server.status
        headers = {"Authorization": authorization} if authorization else {}
        response = await teams.post(channel_message("help", connector.url), **headers)
        assert response.status == 401
        await asyncio.sleep(0.1)
    assert connector.sent == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{}", "text/plain", 415),
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
    ],
)
async def test_malformed_requests_get_4xx(
    teams: Teams, body: bytes, content_type: str, status: int
) -> None:
    headers = {"Content-Type": content_type}
    async with teams.http.post(teams.url, data=body, headers=headers) as response:
        assert response.status == status
    assert teams.fake.sent == []


async def test_unknown_activity_types_are_accepted_and_ignored(teams: Teams) -> None:
    response = await teams.post(unknown_activity(teams.fake.url))
    assert response.status in (200, 201)
    await asyncio.sleep(0.1)
    assert teams.fake.sent == []


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_connector_errors_are_retried(teams: Teams, status: int) -> None:
    teams.fake.fail(status, times=2, retry_after=0)
    await teams.post(channel_message("help", teams.fake.url))
    sent = await teams.fake.wait_for(3)
    assert [s.status for s in sent] == [status, status, 200]


async def test_retries_are_bounded_and_the_user_is_told(teams: Teams) -> None:
    teams.fake.fail(502, times=50, retry_after=0)
    await teams.post(channel_message("help", teams.fake.url))
    await asyncio.sleep(0.5)
    replies = teams.fake.sent_to("reply_to_activity")
    assert 5 <= len(replies) <= 7  # five tries of the answer, then the apology (also refused)
    assert all(s.status == 502 for s in replies)


async def test_retry_after_is_honoured(teams: Teams) -> None:
    teams.fake.fail(429, times=1, retry_after=1)
    started = asyncio.get_running_loop().time()
    await teams.post(channel_message("help", teams.fake.url))
    await teams.fake.wait_for(2)
    assert asyncio.get_running_loop().time() - started >= 1.0


async def test_connections_to_the_connector_are_closed_at_shutdown(
    library: Library, index: LookupIndex, connector: FakeConnector, tmp_path: Path
) -> None:
    async with running(library, index, tmp_path / "t.db", connector) as teams:
        await teams.send(channel_message("help", connector.url))
        assert connector.connections >= 1
    await connector.wait_for_connections(0)


class _TestCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """botbuilder's credentials with the Azure AD call replaced by a fixed test token."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "test-token-not-real"


async def test_outbound_calls_carry_the_bot_token_as_botbuilder_signs_it(
    connector: FakeConnector,
) -> None:
    auth = ReusingAuthentication(TeamsConfig(APP_TYPE="MultiTenant"))
    try:
        credentials = _TestCredentials("00000000-0000-0000-0000-000000000b07", "not-a-secret")
        client = auth.client_for(connector.url, credentials)
        message = Activity(type="message", text="hello")
        await client.conversations.send_to_conversation("a:1fake", message)
        anonymous = auth.client_for(connector.url, MicrosoftAppCredentials.empty())
        await anonymous.conversations.send_to_conversation("a:1fake", message)
    finally:
        await auth.close()
    signed, unsigned = connector.sent
    assert signed.authorization == "Bearer test-token-not-real"
    assert unsigned.authorization is None


async def test_more_results_replaces_the_card_with_the_next_page(teams: Teams) -> None:
    [first] = await teams.send(channel_message("lookup leadership", teams.fake.url))
    assert "1–3 of" in words(first)
    data = submit_of(cards(first)[0], "More results")
    [update] = await teams.send(card_submit(data, teams.fake.url, reply_to_id=message_id(first)))
    assert update.method == "update_activity" and "4–6 of" in words(update)


async def test_posts_to_one_thread_are_paced(teams: Teams) -> None:
    await teams.send(channel_message("help", teams.fake.url))
    assert teams.server.teams is not None
    outbox = teams.server.teams.outbox
    outbox.pace = ChannelPace(rate=25, burst=2)
    thread = Conversation("teams", CHANNEL_ID, TENANT_ID, thread="1700000000001")
    prompt = Reply("prompt", (Paragraph.of("Q"),), Visibility.CHANNEL, summary="Q")
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(outbox.post(thread, prompt) for _ in range(6)))
    assert asyncio.get_running_loop().time() - started >= 0.15  # two at once, then 25 a second


async def test_a_scheduled_prompt_starts_a_new_thread_in_the_channel(teams: Teams) -> None:
    soon = dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(minutes=2)
    await teams.send(channel_message(f"schedule weekly {soon:%A} {soon:%H:%M}", teams.fake.url))
    assert teams.server.timer is not None
    teams.server.bot.ctx.clock = lambda: soon + dt.timedelta(minutes=1)
    report = await teams.server.timer.tick()
    assert report is not None and len(report.posted) == 1
    post = teams.fake.sent[-1]
    assert post.method == "create_conversation" and "Discussion prompt" in words(post)
