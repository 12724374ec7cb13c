"""The Teams side of the outbound port: post to a conversation the bot was installed in,
from its stored reference, through CloudAdapter's proactive calls."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError
from msrest.serialization import Model

from adapters.pace import ChannelPace
from adapters.teams.cards import MENTION, TeamsMessage, attachment, render
from adapters.teams.connectors import ReusingAuthentication, TeamsConfig
from adapters.teams.fit import markdown_pages
from adapters.teams.retry import status_of, with_retries
from adapters.teams.translate import invoke_in, reference_from
from bot import limits
from bot.durations import OUTBOUND_TIMEOUT
from bot.events import Conversation, Person
from bot.memo import IdentityMemo, rendered_size
from bot.outbox import Delivered, DeliveryError, File, Outbox
from bot.replies import Reply
from bot.store import Store

log = logging.getLogger("rounds.teams")

# Statuses after which posting to that conversation again will not help: the bot was
# removed (403 BotNotInConversationRoster), the conversation is gone (404).
PERMANENT = frozenset({401, 403, 404})
CONNECTOR_ERRORS = (HttpOperationError, ClientRequestError, aiohttp.ClientError, OSError)
GONE = 404  # a deletion answered so has nothing left to delete
DIRECT = "teams:direct"  # one pace for all 1:1 messages: no person's id is kept for it
TEAMS_USER = "29:"  # how a Teams user id begins (otherwise an Entra object id)


class Prepared(Model):
    """JSON that is ready as it is. msrest would otherwise walk every node of a card as an
    untyped object (most of a reply's cost: see the README's measured figures); a model whose
    only field is `additional_properties` is copied in one step, by msrest's own rules."""

    _attribute_map = {"additional_properties": {"key": "", "type": "{object}"}}  # noqa: RUF012

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.additional_properties = data

    def __deepcopy__(self, memo: dict[int, Any]) -> Prepared:
        """Never changed once made, so botbuilder's copy of each outgoing activity can
        share it instead of copying the whole card."""
        return self


def card_attachment(card: dict[str, Any]) -> Attachment:
    described = attachment(card)
    return Attachment(content_type=described["contentType"], content=Prepared(card))


# the cards of replies read in a 1:1 chat, and in a channel or group chat (half each)
_RENDERED: IdentityMemo[Reply, list[TeamsMessage]] = IdentityMemo(
    "teams-cards", limits.REPLY_MEMO_BYTES // 2, rendered_size
)
_MEMOS: dict[str, IdentityMemo[Reply, list[TeamsMessage]]] = {
    "": _RENDERED,
    MENTION: IdentityMemo("teams-cards", limits.REPLY_MEMO_BYTES // 2, rendered_size),
}


def rendered(reply: Reply, invoke: str = "") -> list[TeamsMessage]:
    """The cards for a reply, its commands typed after `invoke` (see `cards.render`); a
    reply handed out again (a repeated lookup) is rendered once for each place."""
    memo = _MEMOS.get(invoke)
    if memo is None:
        return render(reply, invoke)
    return memo.get(reply, lambda same: render(same, invoke))


def message_activity(message: TeamsMessage) -> Activity:
    """A message carrying one card; `summary` is the notification and screen-reader text."""
    card = {**message.card, "fallbackText": message.text}
    return Activity(type="message", summary=message.text, attachments=[card_attachment(card)])


def markdown_activity(text: str) -> Activity:
    return Activity(type="message", text=text, text_format="markdown")


def direct_activities(reply: Reply, file: File | None) -> list[Activity]:
    """A reply's cards for a 1:1 chat (commands typed without a mention), then a document's
    Markdown as text messages of bounded size."""
    activities = [message_activity(message) for message in rendered(reply)]
    pages = markdown_pages(file.name, file.text) if file is not None else []
    return activities + [markdown_activity(page) for page in pages]


def delivery_error(exc: Exception) -> DeliveryError:
    """Turn a connector error into the port's error, without tokens or bodies."""
    status = status_of(exc)
    if status is not None:
        return DeliveryError(f"teams: http {status}", permanent=status in PERMANENT)
    return DeliveryError(f"teams: {type(exc).__name__}")


RECENT = 256  # conversations whose reference is kept at hand


class TeamsOutbox(Outbox):
    """Proactive posts. Teams has no private messages in a channel: `post_private` posts
    where the person asked, which is the thread they are reading; `send_direct` writes to
    the person in a 1:1 chat."""

    def __init__(
        self, cloud: CloudAdapter, store: Store, app_id: str, pace: ChannelPace | None = None
    ) -> None:
        self.cloud, self.store, self.app_id = cloud, store, app_id
        # Teams allows about 7 messages a second per thread; stay under it.
        self.pace = pace or ChannelPace(rate=6.0, burst=6)
        self._recent: dict[str, dict[str, str]] = {}  # references of the latest posts

    @classmethod
    def connect(
        cls, config: TeamsConfig, store: Store, timeout: float = OUTBOUND_TIMEOUT.total_seconds()
    ) -> TeamsOutbox:
        """The outbox on a Bot Connector connection of its own (`timeout`: seconds for each
        call), which the adapter receives activities through too."""
        return cls(CloudAdapter(ReusingAuthentication(config, timeout)), store, config.APP_ID or "")

    async def close(self) -> None:
        await self.cloud.bot_framework_authentication.close()

    async def post(self, conversation: Conversation, reply: Reply) -> str:
        data = await self.store.reference(conversation.key)
        if data is None:
            raise DeliveryError("teams: Rounds is not installed in that conversation", True)
        self._recent[conversation.key] = data
        while len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        first = ""
        for message in rendered(reply, invoke_in(data.get("conversationType", ""))):
            sent = await self._send(data, conversation.thread, message_activity(message))
            first = first or sent
        return first

    async def post_private(self, conversation: Conversation, person: Person, reply: Reply) -> None:
        await self.post(conversation, reply)

    async def withdraw(self, conversation: Conversation, message_id: str) -> None:
        """Delete a post; a channel post is also its thread, reached by its own id. The
        reference is the one just posted with, so this works with the database away."""
        data = self._recent.get(conversation.key) or await self.store.reference(conversation.key)
        if data is None:
            return
        try:
            await self._turn(reference_from(data, message_id), _deletion(message_id))
        except CONNECTOR_ERRORS as exc:
            raise delivery_error(exc) from None

    async def send_direct(
        self, conversation: Conversation, person: Person, reply: Reply, file: File | None = None
    ) -> Delivered:
        """A 1:1 chat with the person, reached through the channel they were in. `person.id`
        may be the Entra object id Rounds stores: it is looked up in the channel's roster
        first, as Teams opens a chat by object id only for people who installed the app."""
        data = await self.store.reference(conversation.key)
        if data is None:
            raise DeliveryError("teams: Rounds is not installed in that conversation", True)
        return await self.direct(data, person.id, reply, file)

    async def direct(
        self, data: dict[str, str], member: str, reply: Reply, file: File | None = None
    ) -> Delivered:
        """Send to `member` (a Teams user id, or an Entra object id) in a 1:1 chat, opened
        through the stored reference `data`; the chat and the messages' ids. Neither the
        member nor the chat is logged."""
        if not member:
            raise DeliveryError("teams: no one to send it to", permanent=True)
        try:
            chat = await self._open_chat(data, await self._user_id(data, member))
        except CONNECTOR_ERRORS as exc:
            raise _direct_failed(exc) from None
        sent = await self._send_all(chat, direct_activities(reply, file))
        return Delivered(chat["conversationId"], tuple(sent))

    async def _send_all(self, chat: dict[str, str], activities: list[Activity]) -> list[str]:
        """Send in order; the ids. One failing takes back those sent before it (a
        transcript is there whole, and recorded for deletion, or not at all), then raises."""
        sent: list[str] = []
        try:
            for activity in activities:
                async with self.pace.limiter(DIRECT):
                    sent.append(await self._in_conversation(chat, None, activity))
        except CONNECTOR_ERRORS as exc:
            error = _direct_failed(exc)
            for message_id in filter(None, sent):
                with contextlib.suppress(*CONNECTOR_ERRORS):
                    await self._turn(reference_from(chat), _deletion(message_id))
            raise error from None
        return [ident for ident in sent if ident]

    async def withdraw_direct(self, conversation: Conversation, delivered: Delivered) -> None:
        """Delete messages from a 1:1 chat, reached with the reference of the channel they
        were sent from (or, if Rounds has left it, of any conversation in the tenant). A
        message gone already (404) counts as deleted."""
        data = await self._reference_in(conversation)
        if data is None:
            raise DeliveryError("teams: no conversation left to reach that chat from", True)
        chat = {**data, "conversationId": delivered.conversation, "conversationType": "personal"}
        for message_id in delivered.message_ids:
            try:
                await self._turn(reference_from(chat), _deletion(message_id))
            except CONNECTOR_ERRORS as exc:
                if status_of(exc) == GONE:
                    continue
                error = delivery_error(exc)
                log.warning("teams: deleting a direct message failed: %s", error.reason)
                raise error from None

    async def _reference_in(self, conversation: Conversation) -> dict[str, str] | None:
        data = await self.store.reference(conversation.key)
        if data is not None:
            return data
        known = await self.store.references(conversation.platform)
        same = (d for d in known.values() if d.get("tenantId") == conversation.workspace)
        return next(same, None)

    async def _user_id(self, data: dict[str, str], member: str) -> str:
        """The Teams user id (`29:…`) of a member of the stored conversation, or `member` as
        given when it is one already or the roster does not have it."""
        if member.startswith(TEAMS_USER) or data.get("conversationType") == "personal":
            return member
        found: dict[str, str] = {}

        async def look_up(context: TurnContext) -> None:
            client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
            where = str(context.activity.conversation.id)
            account = await client.conversations.get_conversation_member(where, member)
            found["id"] = str(getattr(account, "id", "") or "")

        try:
            await self._turn(reference_from(data), look_up)
        except CONNECTOR_ERRORS:
            log.info("teams: a member was not found in the roster; using the id as given")
        return found.get("id") or member

    async def _open_chat(self, data: dict[str, str], member: str) -> dict[str, str]:
        """Create (or find: Teams keeps one per user) the bot's 1:1 chat with `member`; the
        stored reference, pointing at that chat."""
        tenant = data.get("tenantId", "")
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=data.get("botId", ""), name=data.get("botName", "")),
            members=[ChannelAccount(id=member)],
            tenant_id=tenant or None,
            channel_data={"tenant": {"id": tenant}},
        )
        created: dict[str, str] = {}
        callback: Callable[[TurnContext], Awaitable[Any]] = _remember_chat(created)
        service_url = data.get("serviceUrl", "")
        await with_retries(
            lambda: self.cloud.create_conversation(
                self.app_id, callback, parameters, "msteams", service_url
            )
        )
        return {**data, "conversationId": created.get("id", ""), "conversationType": "personal"}

    async def _send(self, data: dict[str, str], thread: str | None, activity: Activity) -> str:
        where = f"{data.get('conversationId', '')};{thread or ''}"
        async with self.pace.limiter(where):
            try:
                if thread is None and data.get("conversationType") == "channel":
                    return await self._new_thread(data, activity)
                return await self._in_conversation(data, thread, activity)
            except CONNECTOR_ERRORS as exc:
                error = delivery_error(exc)
                log.warning("teams post to %s failed: %s", where, error.reason)
                raise error from None

    async def _in_conversation(
        self, data: dict[str, str], thread: str | None, activity: Activity
    ) -> str:
        sent: dict[str, str] = {}

        async def send(context: TurnContext) -> None:
            response = await with_retries(lambda: context.send_activity(activity))
            sent["id"] = str(getattr(response, "id", "") or "")

        await self._turn(reference_from(data, thread), send)
        return sent.get("id", "")

    async def _turn(
        self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        """Run `work` in a proactive turn and raise what it raised. (CloudAdapter hands an
        exception in a turn to `on_turn_error`, which tells the conversation something went
        wrong and returns: a failed post would pass for a delivered one.)"""
        failed: list[Exception] = []

        async def guarded(context: TurnContext) -> None:
            try:
                await work(context)
            except Exception as exc:
                failed.append(exc)

        await self.cloud.continue_conversation(reference, guarded, self.app_id)
        if failed:
            raise failed[0]

    async def _new_thread(self, data: dict[str, str], activity: Activity) -> str:
        """A new post in a channel starts a new thread: a new conversation in the channel, as
        `TeamsInfo.send_message_to_teams_channel` makes (called directly, so that it also
        works without an app id, in emulator mode)."""
        created: dict[str, str] = {}
        parameters = ConversationParameters(
            is_group=True,
            channel_data={"channel": {"id": data.get("conversationId", "")}},
            activity=activity,
            tenant_id=data.get("tenantId") or None,
        )
        callback: Callable[[TurnContext], Awaitable[Any]] = _remember_id(created)
        service_url = data.get("serviceUrl", "")
        await with_retries(
            lambda: self.cloud.create_conversation(
                self.app_id, callback, parameters, "msteams", service_url
            )
        )
        return created.get("id", "")


def _direct_failed(exc: Exception) -> DeliveryError:
    error = delivery_error(exc)
    log.warning("teams direct message failed: %s", error.reason)
    return error


def _deletion(message_id: str) -> Callable[[TurnContext], Awaitable[None]]:
    async def remove(context: TurnContext) -> None:
        await with_retries(lambda: context.delete_activity(message_id))

    return remove


def _remember_chat(created: dict[str, str]) -> Callable[[TurnContext], Awaitable[None]]:
    async def remember(context: TurnContext) -> None:
        created["id"] = str(context.activity.conversation.id or "")

    return remember


def _remember_id(created: dict[str, str]) -> Callable[[TurnContext], Awaitable[None]]:
    async def remember(context: TurnContext) -> None:
        created["id"] = str(context.activity.id or "")

    return remember
