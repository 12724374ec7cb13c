"""The Slack side of the outbound port: slack_sdk's AsyncWebClient with bounded retries and
a per-channel pace. Also what only Slack does: direct messages with a file, modals, and
answers through `response_url`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import default_interval_calculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters import observe
from adapters.pace import ChannelPace
from adapters.proxies import Proxies
from adapters.slack.render import SlackMessage, render
from adapters.slack.translate import display_name
from bot.durations import OUTBOUND_TIMEOUT
from bot.events import Conversation, Person
from bot.memo import ByteBudgetLRU
from bot.outbox import Delivered, DeliveryError, File, Outbox
from bot.replies import Reply

log = logging.getLogger("rounds.slack")
# slack_sdk logs every request and response body at DEBUG: what people wrote, who to. Its
# clients log here instead, never below INFO.
api_log = logging.getLogger("rounds.slack.api")
api_log.setLevel(logging.INFO)

SLOT_EVENT = "rounds_prompt"  # Slack message metadata on scheduled posts
SERVER_ERROR_RETRIES = 2  # a 5xx is tried again this many times

# Errors after which posting to that channel again will not help.
PERMANENT = frozenset(
    {
        "not_in_channel",
        "is_archived",
        "channel_not_found",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "user_not_in_channel",
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "cannot_dm_bot",
    }
)


class AnyServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """slack_sdk's handler retries 500 and 503 only; Slack's gateways also answer 502/504."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


class Counted(AsyncRetryHandler):
    """A retry handler that reports each retry it makes (for the outbound-retries metric)."""

    def __init__(self, inner: AsyncRetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return await self.inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        reason = str(response.status_code) if response is not None else type(error).__name__
        observe.retried("slack", reason)
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers(
    interval: RetryIntervalCalculator = default_interval_calculator,
    connection_errors: bool = True,
) -> list[AsyncRetryHandler]:
    """Bounded retries of rate limits, 5xx and (unless `connection_errors` is False) a
    connection lost before the answer came."""
    return [Counted(handler) for handler in _handlers(interval, connection_errors)]


def _handlers(
    interval: RetryIntervalCalculator, connection_errors: bool
) -> list[AsyncRetryHandler]:
    handlers: list[AsyncRetryHandler] = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AnyServerErrorRetryHandler(SERVER_ERROR_RETRIES, interval_calculator=interval),
    ]
    if connection_errors:
        handlers.insert(
            0, AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=interval)
        )
    return handlers


# `auth.test` answered with one of these: Slack will not take the bot token as it is.
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "org_login_required",
        "ekm_access_denied",
        "team_access_not_granted",
        "not_allowed_token_type",  # an app-level (xapp-) token where the bot token goes
    }
)

# People's display names (`users.info`), remembered within a byte budget for an hour.
NAME_CACHE_BYTES = 256 * 1024
NAME_SECONDS = 3600.0
NAMES_ASKED = 200  # the most people one `names` call looks up; the rest keep their ids
UNKNOWN_USER = ("user_not_found", "user_not_visible")  # about one person: ask the next

# A deletion answered with one of these has nothing left to delete.
GONE = frozenset({"message_not_found", "file_not_found", "file_deleted"})

FAILURES = (SlackClientError, aiohttp.ClientError, TimeoutError)  # SlackApiError is one


def error_code(exc: Exception) -> str | None:
    """Slack's error code (`not_in_channel`), or `http 500`; None for a network error."""
    if not isinstance(exc, SlackApiError):
        return None
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    return str(error or f"http {exc.response.status_code}")


def delivery_error(exc: Exception) -> DeliveryError:
    """Turn an SDK or network error into the port's error, without tokens or bodies."""
    code = error_code(exc)
    if code is not None:
        return DeliveryError(f"slack: {code}", permanent=code in PERMANENT)
    return DeliveryError(f"slack: {type(exc).__name__}")


class SlackOutbox(Outbox):
    def __init__(
        self,
        token: str,
        api_url: str,
        interval: RetryIntervalCalculator = default_interval_calculator,
        pace: ChannelPace | None = None,
        workspace_per_minute: int = 600,
        timeout: float = OUTBOUND_TIMEOUT.total_seconds(),  # for each call; each retry has its own
    ) -> None:
        # each request through the environment's proxy for its URL, NO_PROXY honoured
        # (slack_sdk's own choice ignores NO_PROXY): `adapters.proxies`
        proxies = Proxies.from_env()
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout), middlewares=(proxies.middleware,)
        )
        self.interval = interval
        self.handlers = retry_handlers(interval)
        self.client = AsyncWebClient(
            token=token,
            base_url=api_url,
            session=self.session,
            retry_handlers=self.handlers,
            logger=api_log,
        )
        # A scheduled post whose connection drops mid-answer may have gone out: it is not
        # sent again blindly but left to the ledger, whose retry first looks for it by its
        # slot id (`find_posted`).
        self.slots = AsyncWebClient(
            token=token,
            base_url=api_url,
            session=self.session,
            retry_handlers=retry_handlers(interval, connection_errors=False),
            logger=api_log,
        )
        self.pace = pace or ChannelPace()
        # Slack also limits a workspace as a whole; fan-out stays within this budget.
        self.workspace = AsyncLimiter(workspace_per_minute / 60, 1)  # a second's worth at most
        self.known: ByteBudgetLRU[str, tuple[str, float]] = ByteBudgetLRU(
            "slack-names", NAME_CACHE_BYTES
        )

    async def check_token(self) -> None:
        """Ask Slack whether it takes the bot token (`auth.test`). A `DeliveryError` when
        not: `permanent` when Slack refused the token (the reason names Slack's code),
        otherwise Slack could not be reached or answered with an error of its own. Nothing
        is logged: the caller says it once."""
        client = self.client
        try:
            await client.auth_test()
        except FAILURES as exc:
            code = error_code(exc)
            if code is None:
                raise DeliveryError(f"slack: {type(exc).__name__}") from None
            raise DeliveryError(f"slack: {code}", permanent=code in REFUSED) from None

    async def names(self, conversation: Conversation, people: Sequence[str]) -> dict[str, str]:
        """Display names (`users.info`: the profile's display name, else the real name),
        remembered for NAME_SECONDS. Whoever Slack cannot name is left out; an error that is
        not about one person (no `users:read` scope, Slack away) ends the asking, logged
        once. This never raises."""
        found: dict[str, str] = {}
        for user in list(dict.fromkeys(people))[:NAMES_ASKED]:
            try:
                name = await self._name(user)
            except DeliveryError as exc:
                if exc.reason.endswith(UNKNOWN_USER):
                    continue
                break
            if name:
                found[user] = name
        return found

    async def _name(self, user: str) -> str | None:
        remembered = self.known.peek(user)
        if remembered is not None and time.monotonic() - remembered[1] < NAME_SECONDS:
            return remembered[0]
        client = self.client
        data = await self._direct("users.info", lambda: client.users_info(user=user))
        name = display_name(data.get("user"))
        if name:
            self.known.put(user, (name, time.monotonic()))
        return name

    async def _call(
        self, method: str, channel: str, client: AsyncWebClient | None = None, **params: Any
    ) -> dict[str, Any]:
        client = client or self.client
        async with self.pace.limiter(channel), self.workspace:
            try:
                response = await client.api_call(method, json={"channel": channel, **params})
            except FAILURES as exc:
                error = delivery_error(exc)
                log.warning("%s to %s failed: %s", method, channel, error.reason)
                raise error from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _direct(
        self, method: str, call: Callable[[], Awaitable[AsyncSlackResponse]]
    ) -> dict[str, Any]:
        """A Web API call that is not a post to a channel: opening a DM or a modal, an
        upload. Slack limits these per method, apart from posts: no pace or budget here (a
        modal must open within the 3 seconds its trigger lives)."""
        try:
            response = await call()
        except FAILURES as exc:
            error = delivery_error(exc)
            log.warning("%s failed: %s", method, error.reason)
            raise error from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        first = ""
        client = self.client
        for message in render(reply):
            fields = _fields(message, conversation.thread)
            if reply.marker:  # a scheduled post says which slot it is
                payload = {"slot": reply.marker}
                fields["metadata"] = {"event_type": SLOT_EVENT, "event_payload": payload}
                client = self.slots
            data = await self._call("chat.postMessage", conversation.channel, client, **fields)
            first = first or str(data.get("ts", ""))
        return first

    async def withdraw(self, conversation: Conversation, message_id: str) -> None:
        await self._call("chat.delete", conversation.channel, ts=message_id)

    async def find_posted(self, conversation: Conversation, marker: str) -> str | None:
        """Scheduled posts carry their slot id in message metadata: look for it among the
        channel's recent messages."""
        data = await self._call(
            "conversations.history", conversation.channel, limit=200, include_all_metadata=True
        )
        for message in data.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == SLOT_EVENT and payload.get("slot") == marker:
                return str(message.get("ts", ""))
        return None

    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        for message in render(reply):
            fields = _fields(message, conversation.thread)
            await self._call("chat.postEphemeral", conversation.channel, user=person.id, **fields)

    async def send_direct(
        self, conversation: Conversation, person: Person, reply: Reply, file: File | None = None
    ) -> Delivered:
        """A direct message from the bot: the reply, then the file (a reflection's transcript
        for its facilitator). The messages' ts and the file's id come back, for
        `withdraw_direct` (a file's own comment could not be deleted with it, so the reply
        is a message of its own)."""
        client = self.client
        opened = await self._direct(
            "conversations.open", lambda: client.conversations_open(users=person.id)
        )
        channel = str((opened.get("channel") or {}).get("id", ""))
        posted = []
        for message in render(reply):
            data = await self._call("chat.postMessage", channel, **_fields(message, None))
            posted.append(str(data.get("ts", "")))
        files: tuple[str, ...] = ()
        if file is not None:
            files = await self._upload(channel, file)
        return Delivered(channel, tuple(posted), files)

    async def _upload(self, channel: str, file: File) -> tuple[str, ...]:
        """Share a document in a DM; the file ids."""
        client = self.client
        uploaded = await self._direct(
            "file upload",
            lambda: client.files_upload_v2(
                channel=channel, content=file.text, filename=file.name, title=file.name
            ),
        )
        shared = uploaded.get("files") or []
        return tuple(str(f["id"]) for f in shared if isinstance(f, dict) and f.get("id"))

    async def upload_image(self, name: str, png: bytes, alt: str) -> str:
        """Upload an image without sharing it anywhere (a Home tab's chart, shown by an
        image block naming it); its file id."""
        client = self.client
        uploaded = await self._direct(
            "image upload",
            lambda: client.files_upload_v2(content=png, filename=name, title=name, alt_txt=alt),
        )
        shared = [f for f in uploaded.get("files") or [] if isinstance(f, dict)]
        if not shared or not shared[0].get("id"):
            raise DeliveryError("slack: the upload returned no file")
        return str(shared[0]["id"])

    async def publish_home(self, user: str, view: dict[str, Any]) -> None:
        """Show `view` as the person's App Home tab (`views.publish`)."""
        client = self.client
        await self._direct("views.publish", lambda: client.views_publish(user_id=user, view=view))

    async def withdraw_direct(self, conversation: Conversation, delivered: Delivered) -> None:
        """Delete a DM's messages (`chat.delete`) and files (`files.delete`, which takes the
        file's message in the DM with it). What is gone already counts as deleted."""
        client, channel = self.client, delivered.conversation
        for ts in delivered.message_ids:
            await self._removal("chat.delete", partial(client.chat_delete, channel=channel, ts=ts))
        for file_id in delivered.file_ids:
            await self._removal("files.delete", partial(client.files_delete, file=file_id))

    async def _removal(
        self, method: str, call: Callable[[], Awaitable[AsyncSlackResponse]]
    ) -> None:
        try:
            await call()
        except FAILURES as exc:
            if error_code(exc) in GONE:
                return
            error = delivery_error(exc)
            log.warning("%s failed: %s", method, error.reason)
            raise error from None

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal for the person whose click gave `trigger_id` (valid for 3 seconds).
        Returns the view id. Reflection threads use it for anonymous contributions."""
        client = self.client
        opened = await self._direct(
            "views.open", lambda: client.views_open(trigger_id=trigger_id, view=view)
        )
        return str((opened.get("view") or {}).get("id", ""))

    async def update_modal(self, view_id: str, view: dict[str, Any]) -> None:
        """Replace an open modal (what became of a form sent when Slack could not wait)."""
        client = self.client
        await self._direct("views.update", lambda: client.views_update(view_id=view_id, view=view))

    async def respond(self, response_url: str, payload: dict[str, Any]) -> None:
        """Answer through an interaction's `response_url` (no channel membership needed).
        slack_sdk's webhook client asks its retry handlers about 429 and connection errors
        only, so a 5xx is tried again here, as the Web API's are."""
        webhook = AsyncWebhookClient(
            response_url, session=self.session, retry_handlers=self.handlers, logger=api_log
        )
        status = await _respond_once(webhook, payload)
        for attempt in range(SERVER_ERROR_RETRIES):
            if status < 500:
                break
            observe.retried("slack", str(status))
            await asyncio.sleep(self.interval.calculate_sleep_duration(attempt))
            status = await _respond_once(webhook, payload)
        if status != 200:
            raise DeliveryError(f"slack: response_url http {status}")

    async def close(self) -> None:
        await self.session.close()


async def _respond_once(webhook: AsyncWebhookClient, payload: dict[str, Any]) -> int:
    try:
        return (await webhook.send_dict(payload)).status_code
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DeliveryError(f"slack: response_url {type(exc).__name__}") from None


def _fields(message: SlackMessage, thread: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": message.text, "blocks": message.blocks}
    if thread:
        fields["thread_ts"] = thread
    return fields
