"""The Slack side of the outbound port, against the fake Slack over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from adapters.pace import ChannelPace
from adapters.slack.outbox import SlackOutbox
from bot.events import Conversation, Person
from bot.outbox import DeliveryError
from bot.replies import Paragraph, Reply, Visibility
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import FAST_RETRIES

HELLO = Reply(
    kind="prompt", blocks=(Paragraph.of("Hello, channel"),), visibility=Visibility.CHANNEL
)
GENERAL = Conversation("slack", "C0GENERAL", "T0TEST")


@pytest.fixture
async def outbox(fake: FakeSlack) -> AsyncIterator[SlackOutbox]:
    box = SlackOutbox(fake.bot_token, fake.api_url, FAST_RETRIES)
    yield box
    await box.close()


async def test_posts_to_a_channel_and_into_its_thread(fake: FakeSlack, outbox: SlackOutbox) -> None:
    ts = await outbox.post(GENERAL, HELLO)
    thread = Conversation("slack", "C0GENERAL", "T0TEST", thread=ts)
    assert await outbox.post(thread, HELLO)
    first, second = fake.calls_to("chat.postMessage")
    assert first.params["text"] == "Hello, channel" and "thread_ts" not in first.params
    assert second.params["thread_ts"] == ts and first.token == fake.bot_token


async def test_posts_privately_to_one_person(fake: FakeSlack, outbox: SlackOutbox) -> None:
    await outbox.post_private(GENERAL, Person("U0ALICE"), HELLO)
    [call] = fake.calls_to("chat.postEphemeral")
    assert call.params["user"] == "U0ALICE" and call.params["channel"] == "C0GENERAL"


@pytest.mark.parametrize("error", ["is_archived", "not_in_channel", "channel_not_found"])
async def test_a_channel_that_cannot_be_posted_to_is_a_permanent_error(
    fake: FakeSlack, outbox: SlackOutbox, error: str
) -> None:
    fake.channel_error("C0GENERAL", error)
    with pytest.raises(DeliveryError) as raised:
        await outbox.post(GENERAL, HELLO)
    assert raised.value.permanent and raised.value.reason == f"slack: {error}"
    assert fake.bot_token not in str(raised.value)
    assert len(fake.calls_to("chat.postMessage")) == 1  # not retried


async def test_server_errors_are_retried_a_bounded_number_of_times(
    fake: FakeSlack, outbox: SlackOutbox
) -> None:
    fake.fail("chat.postMessage", 502, times=2)
    assert await outbox.post(GENERAL, HELLO)  # third try succeeds
    fake.fail("chat.postMessage", 500, times=10)
    with pytest.raises(DeliveryError) as raised:
        await outbox.post(GENERAL, HELLO)
    assert not raised.value.permanent
    assert len(fake.calls_to("chat.postMessage")) == 3 + 3


async def test_rate_limits_wait_for_retry_after(fake: FakeSlack, outbox: SlackOutbox) -> None:
    fake.fail("chat.postMessage", 429, times=1, retry_after=1)
    started = time.perf_counter()
    assert await outbox.post(GENERAL, HELLO)
    assert time.perf_counter() - started >= 1.0
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_an_unreachable_slack_is_a_temporary_error() -> None:
    box = SlackOutbox("xoxb-test-not-a-real-token", "http://127.0.0.1:9/api/", FAST_RETRIES)
    try:
        with pytest.raises(DeliveryError) as raised:
            await box.post(GENERAL, HELLO)
    finally:
        await box.close()
    assert not raised.value.permanent and "not-a-real-token" not in str(raised.value)


async def test_posts_are_paced_per_channel(fake: FakeSlack) -> None:
    pace = ChannelPace(rate=10, burst=2)
    box = SlackOutbox(fake.bot_token, fake.api_url, FAST_RETRIES, pace, workspace_per_minute=60_000)
    try:
        started = time.perf_counter()
        await asyncio.gather(*(box.post(GENERAL, HELLO) for _ in range(6)))
        one_channel = time.perf_counter() - started
        started = time.perf_counter()
        channels = [Conversation("slack", f"C{n}", "T0TEST") for n in range(6)]
        await asyncio.gather(*(box.post(c, HELLO) for c in channels))
        many_channels = time.perf_counter() - started
    finally:
        await box.close()
    assert one_channel >= 0.35  # two at once, then one every 100 ms
    assert many_channels < one_channel


async def test_response_url_errors_are_reported(fake: FakeSlack, outbox: SlackOutbox) -> None:
    fake.fail("response_url", 404, times=5)
    with pytest.raises(DeliveryError, match="response_url http 404"):
        await outbox.respond(fake.response_url(), {"text": "hi"})


async def test_opens_a_modal(fake: FakeSlack, outbox: SlackOutbox) -> None:
    view = {
        "type": "modal",
        "callback_id": "reflect.anonymous",
        "title": {"type": "plain_text", "text": "Contribute"},
        "blocks": [],
    }
    assert (await outbox.open_modal("trigger-1", view)).startswith("V")
    [call] = fake.calls_to("views.open")
    assert call.params["trigger_id"] == "trigger-1" and call.params["view"]["type"] == "modal"
    fake.fail("views.open", 500, times=10)
    with pytest.raises(DeliveryError):
        await outbox.open_modal("trigger-2", view)


async def test_posts_stay_within_the_workspace_budget(fake: FakeSlack) -> None:
    box = SlackOutbox(fake.bot_token, fake.api_url, FAST_RETRIES, workspace_per_minute=600)
    channels = [Conversation("slack", f"C{n}", "T0TEST") for n in range(14)]
    try:
        started = time.perf_counter()
        await asyncio.gather(*(box.post(c, HELLO) for c in channels))
        elapsed = time.perf_counter() - started
    finally:
        await box.close()
    assert elapsed >= 0.35  # ten a second: the first ten at once, then one every 100 ms
