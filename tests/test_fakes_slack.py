"""The fake Slack behaves as slack_sdk and slack_bolt expect of the real one."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack_requests as req
from tests.fakes.faults import CLIENT_SEES, Cut
from tests.fakes.slack_api import FakeSlack


def web_client(fake: FakeSlack, token: str | None = None, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token or fake.bot_token, base_url=fake.api_url, **kwargs)


def api_error(info: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return info.value.response["error"]


# -- Web API ----------------------------------------------------------------------------------


async def test_auth_test_answers_like_slack(fake: FakeSlack) -> None:
    response = await web_client(fake).auth_test()
    assert response["ok"] is True
    assert response["user_id"] == "U0BOT"
    assert response["bot_id"] == "B0BOT"
    assert response["team_id"] == "T0TEST"
    assert fake.calls_to("auth.test")[0].token == fake.bot_token


async def test_post_message_returns_the_posted_message(fake: FakeSlack) -> None:
    client = web_client(fake)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = await client.chat_postMessage(channel="C0GENERAL", text="hi", blocks=blocks)
    second = await client.chat_postMessage(channel="C0GENERAL", text="re", thread_ts=first["ts"])
    assert first["channel"] == "C0GENERAL"
    assert first["message"]["blocks"] == blocks
    assert first["message"]["user"] == "U0BOT"
    assert "thread_ts" not in first["message"]
    assert second["message"]["thread_ts"] == first["ts"]
    assert float(second["ts"]) > float(first["ts"])
    calls = await fake.wait_for("chat.postMessage", count=2)
    assert calls[0].params == {"channel": "C0GENERAL", "text": "hi", "blocks": blocks}


async def test_wrong_token_is_invalid_auth_but_recorded(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        await web_client(fake, token="xoxb-test-wrong-not-real").chat_postMessage(
            channel="C0GENERAL", text="hi"
        )
    assert api_error(info) == "invalid_auth"
    assert info.value.response.status_code == 200
    assert fake.calls_to("chat.postMessage")[0].token == "xoxb-test-wrong-not-real"


async def test_bot_token_cannot_open_a_socket_connection(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        await web_client(fake).apps_connections_open(app_token=fake.bot_token)
    assert api_error(info) == "not_allowed_token_type"


async def test_missing_channel_and_unknown_method(fake: FakeSlack) -> None:
    client = web_client(fake)
    with pytest.raises(SlackApiError) as missing:
        await client.api_call("chat.postMessage", json={"text": "hi"})
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("chat.frobnicate", json={"channel": "C0GENERAL"})
    assert api_error(missing) == "channel_not_found"
    assert api_error(unknown) == "unknown_method"


async def test_rate_limit_is_retried_by_the_sdk_handler(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", 429, retry_after=0)
    client = web_client(fake, retry_handlers=[AsyncRateLimitErrorRetryHandler()])
    response = await client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert response["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_rate_limit_without_handler_raises_with_retry_after(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", 429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await web_client(fake, retry_handlers=[]).chat_postMessage(channel="C0GENERAL", text="x")
    assert info.value.response.status_code == 429
    assert api_error(info) == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "7"


async def test_server_error_without_retry_handler_raises_once(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", 500, times=1)
    client = web_client(fake)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert info.value.response.status_code == 500
    assert (await client.chat_postMessage(channel="C0GENERAL", text="hi"))["ok"] is True


async def test_channel_error_answers_200_not_ok(fake: FakeSlack) -> None:
    fake.channel_error("C0ARCHIVED", "is_archived")
    client = web_client(fake)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postEphemeral(channel="C0ARCHIVED", user="U0ALICE", text="hi")
    assert api_error(info) == "is_archived"
    assert info.value.response.status_code == 200
    assert (await client.chat_postMessage(channel="C0GENERAL", text="hi"))["ok"] is True


async def test_update_delete_and_views_open(fake: FakeSlack) -> None:
    client = web_client(fake)
    posted = await client.chat_postMessage(channel="C0GENERAL", text="hi")
    updated = await client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="bye")
    deleted = await client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    view = {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "T"}}
    opened = await client.views_open(trigger_id="1.2.abc", view=view)
    assert (updated["ts"], updated["text"]) == (posted["ts"], "bye")
    assert deleted["ts"] == posted["ts"]
    assert fake.calls_to("chat.delete")[0].params == {"channel": "C0GENERAL", "ts": posted["ts"]}
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "cb"


async def test_form_encoded_fields_are_decoded(fake: FakeSlack) -> None:
    blocks = [{"type": "divider"}]
    data = {"channel": "C0GENERAL", "blocks": json.dumps(blocks), "token": fake.bot_token}
    await AsyncWebClient(base_url=fake.api_url).api_call("chat.postMessage", data=data)
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params == {"channel": "C0GENERAL", "blocks": blocks}
    assert call.token == fake.bot_token


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url()
    assert url != fake.response_url()
    response = await AsyncWebhookClient(url).send(text="hi", response_type="ephemeral")
    assert response.status_code == 200
    assert json.loads(response.body) == {"ok": True}
    [call] = await fake.wait_for("response_url")
    assert call.params == {"text": "hi", "response_type": "ephemeral"}
    assert call.path == url.removeprefix(fake.base_url)


# -- connection faults ------------------------------------------------------------------------


async def test_a_hang_outlasts_the_client_timeout_and_posts_nothing(fake: FakeSlack) -> None:
    fake.hang("chat.postMessage")
    client = web_client(fake, timeout=0.2, retry_handlers=[])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await client.chat_postMessage(channel="C0GENERAL", text="lost")
    assert 0.2 <= time.monotonic() - started < 2
    posted = await client.chat_postMessage(channel="C0GENERAL", text="next")
    assert [c.fault for c in fake.calls_to("chat.postMessage")] == ["hang", ""]
    assert [m["text"] for m in fake.history["C0GENERAL"]] == ["next"]
    assert posted["ok"] is True


@pytest.mark.parametrize(("cut", "error"), list(CLIENT_SEES.items()))
@pytest.mark.parametrize("performed", [True, False])
async def test_a_drop_cuts_the_response_after_or_before_posting(
    fake: FakeSlack, cut: Cut, error: type[Exception], performed: bool
) -> None:
    fake.drop("chat.postMessage", performed=performed, cut=cut)
    client = web_client(fake, retry_handlers=[])
    with pytest.raises(error):
        await client.chat_postMessage(channel="C0GENERAL", text="cut off")
    [call] = fake.calls_to("chat.postMessage")
    assert (call.fault, call.performed) == (
        "drop-after" if performed else "drop-before",
        performed,
    )
    assert len(fake.history.get("C0GENERAL", [])) == (1 if performed else 0)
    assert (await client.chat_postMessage(channel="C0GENERAL", text="next"))["ok"] is True


async def test_the_sdk_connection_retry_posts_again_after_a_drop_after_posting(
    fake: FakeSlack,
) -> None:
    """What makes a blind retry unsafe: the first post went out, the client never heard."""
    fake.drop("chat.postMessage", performed=True)
    retry = AsyncConnectionErrorRetryHandler(
        interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    client = web_client(fake, retry_handlers=[retry])
    assert (await client.chat_postMessage(channel="C0GENERAL", text="twice"))["ok"] is True
    assert [m["text"] for m in fake.history["C0GENERAL"]] == ["twice", "twice"]


async def test_response_url_can_hang_and_drop(fake: FakeSlack) -> None:
    fake.hang("response_url")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        with pytest.raises(TimeoutError):
            await AsyncWebhookClient(fake.response_url(), session=session).send(text="a")
    fake.drop("response_url", times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await AsyncWebhookClient(fake.response_url(), retry_handlers=[]).send(text="b")
    fake.drop("response_url", performed=False)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await AsyncWebhookClient(fake.response_url(), retry_handlers=[]).send(text="c")
    answered = await AsyncWebhookClient(fake.response_url()).send(text="d")
    assert answered.status_code == 200
    seen = [(c.params["text"], c.fault, c.performed) for c in fake.calls_to("response_url")]
    assert seen == [
        ("a", "hang", False),
        ("b", "drop-after", True),
        ("c", "drop-before", False),  # scripting a method again replaces what was left
        ("d", "", True),
    ]


async def test_stopping_releases_a_request_still_hanging(fake: FakeSlack) -> None:
    fake.hang("auth.test", seconds=30)
    call = asyncio.create_task(web_client(fake, retry_handlers=[]).auth_test())
    await fake.wait_for("auth.test")
    started = time.monotonic()
    await fake.stop()
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call
    assert time.monotonic() - started < 2


async def test_wait_for_times_out_with_the_calls_seen(fake: FakeSlack) -> None:
    await web_client(fake).auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        await fake.wait_for("chat.postMessage", timeout=0.05)


# -- Socket Mode ------------------------------------------------------------------------------


async def test_socket_mode_round_trip(fake: FakeSlack) -> None:
    client = SocketModeClient(
        app_token=fake.app_token, web_client=AsyncWebClient(base_url=fake.api_url)
    )
    messages: list[dict[str, Any]] = []
    requests: asyncio.Queue[SocketModeRequest] = asyncio.Queue()

    async def on_message(_: AsyncBaseSocketModeClient, message: dict[str, Any], __: Any) -> None:
        messages.append(message)

    async def on_request(sock: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        await requests.put(request)
        await sock.send_socket_mode_response(
            SocketModeResponse(request.envelope_id, {"text": "ok"})
        )

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    try:
        await client.connect()  # type: ignore[no-untyped-call]
        await fake.wait_for_socket()
        payload = req.slash_payload("quote", fake.response_url())
        envelope_id = await fake.socket_send("slash_commands", payload)
        ack = await fake.socket_ack(envelope_id)
        request = await asyncio.wait_for(requests.get(), 5)
    finally:
        await client.close()  # type: ignore[no-untyped-call]
    assert fake.calls_to("apps.connections.open")[0].token == fake.app_token
    assert messages[0]["type"] == "hello"
    assert (request.type, request.payload) == ("slash_commands", payload)
    assert ack == {"envelope_id": envelope_id, "payload": {"text": "ok"}}


# -- Signed requests --------------------------------------------------------------------------


def test_signature_verifies_and_detects_tampering() -> None:
    body = req.slash_command("quote", "http://127.0.0.1/respond/1")
    headers = req.sign(body)
    verifier = SignatureVerifier(req.SIGNING_SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + b"x", headers)
    stale = req.sign(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


def test_builders_match_slack_shapes() -> None:
    form = parse_qs(req.slash_command("quote x", "http://r").decode())
    assert form["text"] == ["quote x"] and form["command"] == ["/rounds"]
    action = json.loads(parse_qs(req.block_actions("a", "v", "http://r").decode())["payload"][0])
    assert action["container"]["is_ephemeral"] is True and "message" not in action
    assert action["actions"][0]["value"] == "v"
    shared = req.block_actions_payload("a", "v", "http://r", ephemeral=False)
    assert shared["message"]["ts"] == shared["container"]["message_ts"]
    escaped = req.event_callback(req.message_event("see https://x.org/a"))
    assert b'"see https:\\/\\/x.org\\/a"' in escaped
    assert json.loads(escaped)["event"]["text"] == "see https://x.org/a"
    mention = json.loads(req.event_callback(req.app_mention("<@U0BOT> quote")))["event"]
    assert mention["blocks"][0]["elements"][0]["elements"][0] == {
        "type": "user",
        "user_id": "U0BOT",
    }
    bot = req.message_event("hi", bot_id=req.BOT_ID)
    assert (bot["user"], bot["bot_id"]) == ("U0BOT", "B0BOT")


async def bolt_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(
        client=web_client(fake),
        signing_secret=req.SIGNING_SECRET,
    )


def bolt_request(body: bytes, content_type: str) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = {"Content-Type": content_type, **req.sign(body)}
    return AsyncBoltRequest(body=body.decode(), headers=headers)


FORM = "application/x-www-form-urlencoded"


async def test_bolt_accepts_signed_interactions(fake: FakeSlack) -> None:
    app = await bolt_app(fake)
    seen: list[str] = []

    @app.command("/rounds")
    async def command(ack: AsyncAck, command: dict[str, Any]) -> None:
        seen.append(command["text"])
        await ack()

    @app.action("more")
    async def action(ack: AsyncAck, body: dict[str, Any]) -> None:
        seen.append(body["actions"][0]["value"])
        await ack()

    @app.view("feedback")
    async def view(ack: AsyncAck, view: dict[str, Any]) -> None:
        seen.append(view["state"]["values"]["b"]["a"]["value"])
        await ack()

    values = {"b": {"a": {"type": "plain_text_input", "value": "typed"}}}
    bodies = [
        req.slash_command("quote", fake.response_url()),
        req.block_actions("more", "v1", fake.response_url()),
        req.view_submission("feedback", "{}", values),
    ]
    for body in bodies:
        assert (await app.async_dispatch(bolt_request(body, FORM))).status == 200
    assert seen == ["quote", "v1", "typed"]


async def test_bolt_accepts_signed_events(fake: FakeSlack) -> None:
    app = await bolt_app(fake)
    mentioned = asyncio.Event()

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        mentioned.set()

    verification = req.url_verification("chal-123")
    challenge = await app.async_dispatch(bolt_request(verification, "application/json"))
    event = req.event_callback(req.app_mention("<@U0BOT> quote"))
    response = await app.async_dispatch(bolt_request(event, "application/json"))
    assert json.loads(challenge.body) == {"challenge": "chal-123"}
    assert response.status == 200
    await asyncio.wait_for(mentioned.wait(), 5)
