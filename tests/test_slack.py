"""Rounds in Slack, over real HTTP: signed requests into `/slack/events`, the real slack_sdk
client talking to a fake Slack Web API on an ephemeral port."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from adapters.slack import text as slack_text
from adapters.slack.render import INVOKE
from bot import messages as m
from bot.content.model import Library
from bot.lookup import LookupIndex
from rounds.server import SLACK_OFF, SLACK_SOCKET
from rounds.settings import SettingsError
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    BOT_ID,
    BOT_USER_ID,
    FORM,
    JSON,
    app_mention,
    block_actions,
    block_actions_payload,
    event_callback,
    event_envelope,
    interactive,
    overflow_actions_payload,
    sign,
    slash_command,
    slash_payload,
    url_verification,
    view_submission,
)
from tests.slack_harness import (
    Rounds,
    buttons,
    choices,
    options,
    running,
    slack_settings,
    stale,
    valid,
    words,
)
from tests.test_slack_reflect import settle

QUOTE_CHOICES = {m.BUTTON_ANOTHER, m.BUTTON_SHARE, m.BUTTON_DISCUSS}
LINKED_QUOTE = 'quote "poor relative"'  # its article has an address: Open article


async def command(rounds: Rounds, line: str, **kwargs: Any) -> dict[str, Any]:
    return await rounds.send(slash_command(line, rounds.fake.response_url(), **kwargs))


async def press(rounds: Rounds, message: dict[str, Any], label: str, ephemeral: bool = True) -> str:
    """Press a button of a message, or choose it in the message's overflow menu; returns the
    response_url Slack would give."""
    url = rounds.fake.response_url()
    if label in options(message):
        menu, value = options(message)[label]
        chosen = overflow_actions_payload(menu, value, url, label=label, ephemeral=ephemeral)
        await rounds.send(interactive(chosen))
        return url
    action_id, value = buttons(message)[label]
    await rounds.send(block_actions(action_id, value, url, ephemeral=ephemeral))
    return url


async def answers_at(rounds: Rounds, url: str, count: int = 1) -> list[dict[str, Any]]:
    def at_url() -> list[dict[str, Any]]:
        return [c.params for c in rounds.fake.calls_to("response_url") if url.endswith(c.path)]

    for _ in range(200):
        if len(at_url()) >= count:
            return at_url()
        await asyncio.sleep(0.02)
    raise AssertionError(f"wanted {count} answer(s) at {url}; got {at_url()}")


# Every command, answered in the slash command's own HTTP response.

PRIVATE = {
    "help": "quote",
    "help lookup": "lookup",
    "lookup triumvirate": "triumvirate",
    "lookup triumverate": "you typed",
    "lookup zzqx wibble": "Nothing in the articles matches",
    "topics": "Manager",
    "articles": "read",
    "articles winter-pressures": "winter",
    "privacy": "stores",
    "quote winter": "—",
    "qoute": "Did you mean",
    "": "Rounds is here",
}


@pytest.mark.parametrize("line", sorted(PRIVATE))
async def test_each_command_answers_privately(rounds: Rounds, line: str) -> None:
    answer = await command(rounds, line)
    assert answer["response_type"] == "ephemeral"
    assert PRIVATE[line].lower() in words(answer).lower()
    valid(answer)


async def test_read_an_article(rounds: Rounds, library: Library) -> None:
    article = next(iter(library.articles.values()))
    answer = await command(rounds, f"read {article.id}")
    assert article.title.split()[0] in words(answer)
    valid(answer)


async def test_prompt_is_posted_in_the_channel(rounds: Rounds) -> None:
    answer = await command(rounds, "prompt manager-medic")
    assert answer["response_type"] == "in_channel"
    assert "Discussion prompt" in words(answer)
    valid(answer)


async def test_quote_is_verbatim_with_buttons(rounds: Rounds, library: Library) -> None:
    answer = await command(rounds, "quote")
    assert QUOTE_CHOICES <= choices(answer) <= {*QUOTE_CHOICES, m.BUTTON_OPEN_ARTICLE}
    quoted = [q for q in library.quotes.values() if q.text[:60] in words(answer)]
    assert len(quoted) == 1


# Buttons.


async def test_another_replaces_the_private_quote(rounds: Rounds) -> None:
    first = await command(rounds, "quote manager-medic")
    url = await press(rounds, first, m.BUTTON_ANOTHER)
    [answer] = await answers_at(rounds, url)
    assert answer["replace_original"] is True and answer["response_type"] == "ephemeral"
    assert answer["blocks"] != first["blocks"] and "—" in words(answer)


async def test_more_results_pages_on(rounds: Rounds) -> None:
    first = await command(rounds, "lookup leadership")
    assert "1–3 of" in words(first)
    url = await press(rounds, first, m.BUTTON_MORE)
    [answer] = await answers_at(rounds, url)
    assert answer["replace_original"] is True and "4–6 of" in words(answer)


async def test_share_posts_publicly_and_removes_the_private_copy(rounds: Rounds) -> None:
    first = await command(rounds, "quote winter")
    url = await press(rounds, first, m.BUTTON_SHARE)
    shared, removed = await answers_at(rounds, url, 2)
    assert shared["response_type"] == "in_channel" and "Shared by alice" in words(shared)
    assert removed == {"delete_original": True}


@pytest.mark.parametrize(("line", "in_menu"), [("quote winter", False), (LINKED_QUOTE, True)])
async def test_discuss_starts_a_thread_under_the_quote(
    rounds: Rounds, line: str, in_menu: bool
) -> None:
    """Pressed as a button, or chosen in the overflow menu: a quote with its article's
    address has four choices, so Another and Share stay buttons and Discuss and Open article
    go in the menu. Either way the same happens."""
    first = await command(rounds, line)
    menu = {m.BUTTON_DISCUSS, m.BUTTON_OPEN_ARTICLE} if in_menu else set()
    assert set(options(first)) == menu
    assert set(buttons(first)) == QUOTE_CHOICES - menu
    valid(first)
    url = await press(rounds, first, m.BUTTON_DISCUSS)
    quote, invite = await rounds.fake.wait_for("chat.postMessage", 2)
    assert quote.params["channel"] == "C0GENERAL" and "thread_ts" not in quote.params
    assert "Discussion started by alice" in words(quote.params)
    assert invite.params["thread_ts"] and "Reply in this thread" in words(invite.params)
    [removed] = await answers_at(rounds, url)
    assert removed == {"delete_original": True}


async def test_discuss_where_rounds_is_not_a_member_says_how_to_fix_it(rounds: Rounds) -> None:
    rounds.fake.channel_error("C0GENERAL", "not_in_channel")
    first = await command(rounds, "quote")
    url = await press(rounds, first, m.BUTTON_DISCUSS)
    [answer] = await answers_at(rounds, url)
    assert answer["text"] == slack_text.NOT_IN_CHANNEL and answer["response_type"] == "ephemeral"


async def test_a_slack_that_keeps_failing_gives_a_clear_error_and_keeps_the_quote(
    rounds: Rounds,
) -> None:
    rounds.fake.fail("chat.postMessage", 500, times=10)
    first = await command(rounds, "quote")
    url = await press(rounds, first, m.BUTTON_DISCUSS)
    [answer] = await answers_at(rounds, url)
    assert answer["text"] == slack_text.POST_FAILED
    assert len(rounds.fake.calls_to("chat.postMessage")) == 3  # one try and two retries
    await asyncio.sleep(0.1)
    assert not any(c.params.get("delete_original") for c in rounds.fake.calls_to("response_url"))


# At a glance: the overflow menu, links, commands as typed (issue 22).


async def test_an_overflow_option_rounds_does_not_know_changes_nothing(rounds: Rounds) -> None:
    """The option's value is the client's to choose: one naming no action is refused."""
    first = await command(rounds, LINKED_QUOTE)
    menu, _value = options(first)[m.BUTTON_DISCUSS]
    url = rounds.fake.response_url()
    forged = overflow_actions_payload(menu, "drop.tables:0 everything", url)
    assert await rounds.send(interactive(forged)) == {}
    [answer] = await answers_at(rounds, url)
    assert answer["text"] == m.BUTTON_EXPIRED.replace("`help`", f"`{INVOKE}help`")
    assert rounds.fake.calls_to("chat.postMessage") == []


def not_auth(rounds: Rounds) -> list[str]:
    """The calls made to Slack, but bolt's own `auth.test` on the first request."""
    return [c.method for c in rounds.fake.calls if c.method != "auth.test"]


async def test_open_article_is_a_link_and_pressing_it_posts_nothing(
    rounds: Rounds, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    article = library.articles["dark-side-managers"]
    answer = await command(rounds, "read dark-side-managers")
    [link] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert link["url"] == article.url and link["text"]["text"] == m.BUTTON_OPEN_ARTICLE
    url = rounds.fake.response_url()
    clicked = block_actions_payload(link["action_id"], "", url, ephemeral=True)
    clicked["actions"][0]["url"] = article.url  # Slack says which address it opened
    with caplog.at_level(logging.INFO):
        assert await rounds.send(interactive(clicked)) == {}  # acknowledged: a 200
        await settle(rounds)
    assert not_auth(rounds) == []  # no answer, no post, no "that button no longer…"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_open_article_chosen_in_the_overflow_menu_posts_nothing(rounds: Rounds) -> None:
    first = await command(rounds, LINKED_QUOTE)
    url = await press(rounds, first, m.BUTTON_OPEN_ARTICLE)
    await settle(rounds)
    assert not_auth(rounds) == []
    assert url  # the menu's option was chosen, Slack opened the address


async def test_answers_show_commands_as_typed_in_slack(rounds: Rounds) -> None:
    """In the slash command's answer and in a mention's private answer (chat.postEphemeral)
    a command reads `/rounds …`; a topic's slug does not. (An answer through response_url:
    `test_an_overflow_option_rounds_does_not_know_changes_nothing`.)"""
    answer = await command(rounds, "help")
    assert f"`{INVOKE}help lookup`" in words(answer) and "`help lookup`" not in words(answer)
    topics = await command(rounds, "topics")
    assert "`manager-medic`" in words(topics) and f"`{INVOKE}manager-medic`" not in words(topics)
    await rounds.send(event_callback(app_mention(f"<@{BOT_USER_ID}> help"), "EvTyped"), JSON)
    [private] = await rounds.fake.wait_for("chat.postEphemeral")
    assert f"`{INVOKE}help lookup`" in words(private.params)
    assert "`help lookup`" not in words(private.params)


# Mentions and events.


async def test_mention_posts_a_prompt_in_the_channel(rounds: Rounds) -> None:
    event = app_mention(f"<@{BOT_USER_ID}> prompt winter")
    assert await rounds.send(event_callback(event, "EvMention1"), JSON) == {}
    [post] = await rounds.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL" and "Discussion prompt" in words(post.params)
    assert "thread_ts" not in post.params and post.token == rounds.fake.bot_token


async def test_mention_asking_for_a_quote_answers_the_asker_with_buttons(rounds: Rounds) -> None:
    await rounds.send(event_callback(app_mention(f"<@{BOT_USER_ID}> quote winter"), "EvQ"), JSON)
    [private] = await rounds.fake.wait_for("chat.postEphemeral")
    assert private.params["user"] == "U0ALICE" and "—" in words(private.params)
    assert choices(private.params) >= QUOTE_CHOICES


async def test_mention_in_a_thread_answers_in_the_thread(rounds: Rounds) -> None:
    event = app_mention(f"<@{BOT_USER_ID}> prompt", thread_ts="1700000000.000001")
    await rounds.send(event_callback(event, "EvMention2"), JSON)
    [post] = await rounds.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000000.000001"


async def test_mention_asking_for_help_answers_only_the_asker(rounds: Rounds) -> None:
    await rounds.send(event_callback(app_mention(f"<@{BOT_USER_ID}> help"), "EvHelp"), JSON)
    [private] = await rounds.fake.wait_for("chat.postEphemeral")
    assert private.params["user"] == "U0ALICE" and "lookup" in words(private.params)
    assert rounds.fake.calls_to("chat.postMessage") == []


async def test_a_retried_event_is_processed_once(rounds: Rounds) -> None:
    body = event_callback(app_mention(f"<@{BOT_USER_ID}> prompt"), "EvRetry")
    await rounds.send(body, JSON)
    await rounds.send(body, JSON, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    await rounds.fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    assert len(rounds.fake.calls_to("chat.postMessage")) == 1


async def test_a_retry_to_another_replica_is_processed_once(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "shared.db")
    body = event_callback(app_mention(f"<@{BOT_USER_ID}> prompt"), "EvTwoReplicas")
    async with (
        running(library, index, settings, fake) as one,
        running(library, index, settings, fake) as two,
    ):
        await one.send(body, JSON)
        await two.send(body, JSON, **{"X-Slack-Retry-Num": "1"})
        await fake.wait_for("chat.postMessage")
        await asyncio.sleep(0.2)
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_the_bot_ignores_its_own_messages(rounds: Rounds) -> None:
    own = app_mention(f"<@{BOT_USER_ID}> prompt", user=BOT_USER_ID)
    own["bot_id"] = BOT_ID
    await rounds.send(event_callback(own, "EvOwn"), JSON)
    await rounds.send(event_callback(app_mention(f"<@{BOT_USER_ID}> prompt"), "EvOther"), JSON)
    await rounds.fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    assert len(rounds.fake.calls_to("chat.postMessage")) == 1


async def test_rate_limited_post_is_retried_after_retry_after(rounds: Rounds) -> None:
    rounds.fake.fail("chat.postMessage", 429, times=1, retry_after=0)
    await rounds.send(event_callback(app_mention(f"<@{BOT_USER_ID}> prompt"), "Ev429"), JSON)
    posts = await rounds.fake.wait_for("chat.postMessage", 2, timeout=5)
    assert len(posts) == 2 and posts[0].params == posts[1].params


async def test_url_verification_echoes_the_challenge(rounds: Rounds) -> None:
    answer = await rounds.send(url_verification("abc123"), JSON)
    assert answer == {"challenge": "abc123"}


# Requests Slack did not sign.


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "not-a-time"},
    ],
    ids=["bad", "missing", "garbled-timestamp"],
)
async def test_unsigned_requests_get_401_and_touch_nothing(
    rounds: Rounds, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = slash_command("quote SECRET-BODY-MARKER", rounds.fake.response_url())
    with caplog.at_level(logging.DEBUG):
        response = await rounds.post(body, FORM, headers)
    assert response.status == 401
    assert rounds.fake.calls == []
    assert "SECRET-BODY-MARKER" not in caplog.text


async def test_a_stale_signature_gets_401(rounds: Rounds) -> None:
    body = event_callback(app_mention(f"<@{BOT_USER_ID}> quote"), "EvStale")
    response = await rounds.post(body, JSON, sign(body, timestamp=stale()))
    assert response.status == 401
    await asyncio.sleep(0.1)
    assert rounds.fake.calls == []
    assert await rounds.server.bot.ctx.store.claim_event("EvStale")  # never recorded


# Slow and failing handlers.


async def test_a_slow_answer_follows_through_response_url(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db")
    async with running(library, index, settings, fake, ack_budget=0.0) as rounds:
        url = fake.response_url()
        ack = await rounds.send(slash_command("quote winter", url))  # quote waits on the database
        assert ack == {"response_type": "ephemeral", "text": slack_text.WORKING}
        [answer] = await answers_at(rounds, url)
    assert answer["replace_original"] is True and "—" in words(answer)


async def test_a_failing_handler_gives_a_polite_private_reply(rounds: Rounds) -> None:
    async with rounds.server.bot.ctx.store.engine.begin() as conn:
        await conn.execute(text("DROP TABLE rotation_seen"))
    answer = await command(rounds, "quote")
    assert answer["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in words(answer) and "Traceback" not in words(answer)


# Health and metrics on the same server.


async def test_health_readiness_and_metrics(rounds: Rounds) -> None:
    await command(rounds, "lookup triumvirate")
    base = rounds.server.url
    async with rounds.http.get(f"{base}/healthz") as health:
        assert health.status == 200
        assert await health.json() == {"status": "ok", "version": metadata.version("rounds")}
    async with rounds.http.get(f"{base}/readyz") as ready:
        assert ready.status == 200 and (await ready.json())["database"] is True
    async with rounds.http.get(f"{base}/metrics") as metrics:
        body = await metrics.text()
    assert 'rounds_commands_total{kind="command",name="lookup",outcome="ok",platform="slack"}' in (
        body
    )


# Socket Mode: the same bot over Slack's WebSocket, no public URL.


async def test_socket_mode_answers_commands_buttons_and_mentions(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db", slack_signing_secret=None)
    async with running(library, index, settings, fake, socket_mode=True) as rounds:
        await fake.wait_for_socket()
        sent = await fake.socket_send("slash_commands", slash_payload("lookup triumvirate", ""))
        answer = (await fake.socket_ack(sent))["payload"]
        assert answer["response_type"] == "ephemeral" and "triumvirate" in words(answer)
        url = fake.response_url()
        action_id, value = buttons(answer)[m.BUTTON_SHARE]
        pressed = block_actions_payload(action_id, value, url)
        await fake.socket_ack(await fake.socket_send("interactive", pressed))
        [shared, _removed] = await answers_at(rounds, url, 2)
        assert shared["response_type"] == "in_channel" and "Shared by alice" in words(shared)
        event = event_envelope(app_mention(f"<@{BOT_USER_ID}> prompt"), "EvSocket")
        await fake.socket_ack(await fake.socket_send("events_api", event))
        [post] = await fake.wait_for("chat.postMessage")
        assert "Discussion prompt" in words(post.params)
        response = await rounds.post(slash_command("help", url), FORM)
        assert response.status == 404  # no HTTP route in Socket Mode
    assert SLACK_SOCKET in rounds.server.status


async def test_socket_mode_needs_the_app_token(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db", slack_app_token=None)
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        async with running(library, index, settings, fake, socket_mode=True):
            pass


async def test_without_slack_settings_the_route_is_not_mounted(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db", slack_signing_secret=None)
    async with running(library, index, settings, fake) as rounds:
        response = await rounds.post(slash_command("help", fake.response_url()), FORM)
        assert response.status == 404
    assert SLACK_OFF in rounds.server.status
    assert fake.calls == []


async def test_every_command_works_over_socket_mode(
    library: Library, index: LookupIndex, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = slack_settings(fake, tmp_path / "r.db", slack_signing_secret=None)
    async with running(library, index, settings, fake, socket_mode=True):
        await fake.wait_for_socket()
        for line, expected in [*PRIVATE.items(), ("prompt winter", "Discussion prompt")]:
            sent = await fake.socket_send("slash_commands", slash_payload(line, ""))
            answer = (await fake.socket_ack(sent))["payload"]
            assert expected.lower() in words(answer).lower(), line
            valid(answer)


async def test_a_form_rounds_does_not_know_is_closed_and_changes_nothing(rounds: Rounds) -> None:
    values = {"b": {"a": {"type": "plain_text_input", "value": "my reflection"}}}
    await rounds.send(view_submission("stale.form", "", values))
    await asyncio.sleep(0.1)
    assert rounds.fake.calls_to("chat.postMessage") == []
    assert await rounds.server.bot.ctx.store.seen("slack:T0TEST:C0GENERAL", "quote") == set()


async def test_a_scheduled_prompt_is_posted_with_its_slot_in_the_metadata(rounds: Rounds) -> None:
    soon = dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(minutes=2)
    await command(rounds, f"schedule weekly {soon:%A} {soon:%H:%M}")
    assert rounds.server.timer is not None
    rounds.server.bot.ctx.clock = lambda: soon + dt.timedelta(minutes=1)
    report = await rounds.server.timer.tick()
    assert report is not None and len(report.posted) == 1
    [post] = await rounds.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL" and "Discussion prompt" in words(post.params)
    metadata = post.params["metadata"]
    assert metadata["event_type"] == "rounds_prompt"
    assert metadata["event_payload"]["slot"] == report.posted[0]
    again = await rounds.server.timer.tick()
    assert again is not None and again.posted == []
    async with rounds.http.get(f"{rounds.server.url}/metrics") as metrics:
        assert 'rounds_deliveries_total{outcome="posted"}' in await metrics.text()


async def test_a_429_storm_still_delivers_every_channel_once(rounds: Rounds) -> None:
    soon = dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(minutes=2)
    for n in range(12):
        body = slash_command(f"schedule weekly {soon:%A} {soon:%H:%M}", "", channel=f"C{n:02d}")
        await rounds.send(body)
    rounds.fake.fail("chat.postMessage", 429, times=40, retry_after=0)
    assert rounds.server.timer is not None
    store = rounds.server.bot.ctx.store.schedules
    store.lease = dt.timedelta(seconds=0)  # a failed pass's claims are free again at once
    later = soon + dt.timedelta(minutes=1)
    rounds.server.bot.ctx.clock = lambda: later
    for _ in range(6):
        await rounds.server.timer.tick()
    delivered = [c.params["channel"] for c in rounds.fake.calls_to("chat.postMessage")]
    assert sorted(rounds.fake.history) == [f"C{n:02d}" for n in range(12)]
    assert all(len(messages) == 1 for messages in rounds.fake.history.values())
    assert len(delivered) > 12  # the storm was real: posts were refused and retried
