"""The Slack adapter: bolt's AsyncApp wired to the bot. Translation lives in `translate`
(payloads to events) and `pages` (replies to payloads), what bolt may log in `logs`; this
module only routes.

Acknowledging: bolt runs with `process_before_response=True`, so Slack's HTTP response is
sent when a listener returns. A command's answer goes in that response when the bot has it
within `ack_budget` (lookups, quotes: milliseconds); otherwise Slack gets a short "working on
it" and the answer follows through `response_url`. Mentions and button presses are
acknowledged at once and handled in the background, so nothing slow sits on the ack path.
A submitted form is answered in its ack when the bot is quick (errors keep the form open with
what was typed), else the form shows "posting" and is updated when the answer comes.

Thread replies (`message` events with a `thread_ts`) go to the bot as `Message`s: in a
reflection's thread they are contributions, stored before Slack gets its 200 (a 500 when
they cannot be, so Slack sends them again). Every other message is acknowledged unread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack import text as t
from adapters.slack.home import HomeTab
from adapters.slack.logs import bolt_logger
from adapters.slack.outbox import SlackOutbox
from adapters.slack.pages import (
    answer_view,
    first_body,
    form_ack,
    form_of,
    opened_form,
    page_count,
    pages,
    private,
    working_view,
)
from adapters.slack.translate import (
    action_event,
    command_event,
    form_event,
    home_event,
    is_ephemeral_source,
    malformed,
    mention_event,
    pressed,
    thread_deletion,
    thread_message,
)
from bot import actions
from bot import messages as m
from bot.core import Bot, failed
from bot.events import Action, Command, Conversation, Deletion, Event, Message
from bot.outbox import DeliveryError
from bot.replies import Reply, Visibility
from bot.store import Store

log = logging.getLogger("rounds.slack")
ACK_BUDGET = 2.0  # seconds; Slack allows 3 for the whole round trip
TIMESTAMP = "X-Slack-Request-Timestamp"
# The forms Rounds opens. Their submissions reach the bot without the person who sent them.
FORMS = frozenset({actions.ANONYMOUS_SUBMIT, actions.EVALUATE_COMMENT})


async def _within(work: asyncio.Future[Any], seconds: float) -> bool:
    """Wait for `work` up to `seconds` without cancelling it; whether it finished.
    (A bare future and timer: `asyncio.wait` costs several times more per request.)"""
    if work.done():
        return True
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(*_: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_later(seconds, wake)
    work.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        work.remove_done_callback(wake)
    return work.done()


class NotStored(Exception):
    """A thread reply the database could not take: Slack is asked to send it again."""


def _last_try(request: AsyncBoltRequest) -> bool:
    """Slack retries an event three times (X-Slack-Retry-Num 1 to 3), then gives up."""
    tries = request.headers.get("x-slack-retry-num") or ["0"]
    return tries[0] == "3"


async def _on_error(error: Exception) -> None:
    """bolt answers a listener's exception with a 500; a reply not stored is expected
    during an outage and logged without a traceback."""
    if isinstance(error, NotStored):
        log.warning("a thread reply (%s) was not stored; Slack will send it again", error)
    else:
        log.error("slack listener failed: %s", type(error).__name__, exc_info=error)


OTHER_WORKSPACE = {"error": "this app serves one Slack workspace"}


class SameWorkspace(AsyncMiddleware):
    """A request from a workspace other than the bot token's (`auth.test`, which bolt asks
    once) is refused before any listener runs: Rounds is installed in one workspace. A
    middleware object, not a function: bolt calls it directly, without working out which
    arguments a function wants, on every request."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        authorized = req.context.authorize_result
        ours = authorized.team_id if authorized is not None else None
        if ours and req.context.team_id != ours:
            log.warning("slack: refused a request from another workspace (403)")
            return BoltResponse(status=403, body=json.dumps(OTHER_WORKSPACE))
        return await next()


class SlackAdapter:
    def __init__(
        self,
        bot: Bot,
        outbox: SlackOutbox,
        store: Store,
        signing_secret: str | None,
        ack_budget: float = ACK_BUDGET,
    ) -> None:
        self.bot, self.outbox, self.store, self.ack_budget = bot, outbox, store, ack_budget
        self.verifying = signing_secret is not None
        self.tasks: set[asyncio.Task[None]] = set()
        self.app = AsyncApp(
            client=outbox.client,
            signing_secret=signing_secret or "",
            request_verification_enabled=signing_secret is not None,
            process_before_response=True,
            logger=bolt_logger(),  # never below INFO: see `logs`
        )
        self.app.use(SameWorkspace())
        self.app.command(re.compile(r"^/"))(self._on_command)
        self.app.event("app_mention", middleware=[self._drop_repeats])(self._on_mention)
        self.home = HomeTab(bot, outbox)
        self.app.event("app_home_opened", middleware=[self._drop_repeats])(self._on_home)
        # thread replies: matched before any database access; a repeat is harmless (the
        # store keeps one copy of each message), so they are not claimed by event id
        self.app.event("message", [self._is_reply])(self._on_reply)
        self.app.event("message")(self._on_message)  # everything else
        self.app.action(re.compile(r".+"))(self._on_action)
        self.app.view(re.compile(r".*"))(self._on_form)
        self.app.error(_on_error)

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp route for `POST /slack/events`."""
        if self.verifying and not request.headers.get(TIMESTAMP, "").isdigit():
            return web.json_response({"error": "invalid request"}, status=401)  # bolt: 500
        try:
            text = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "the body is not UTF-8"}, status=400)
        problem = malformed(text, request.content_type)
        if problem is not None:
            return web.json_response({"error": problem[1]}, status=problem[0])
        # what `to_bolt_request` builds, from the text already decoded above
        bolt_request = AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
        response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def close(self) -> None:
        """Let replies already under way finish, then close connections."""
        if self.tasks:
            _done, waiting = await asyncio.wait(self.tasks, timeout=10)
            if waiting:  # stopped with the loop; nothing stored is lost (see the log line)
                log.warning(
                    "stopping with %d answers still under way; anonymous contributions among "
                    "them are posted by a later scheduler pass",
                    len(waiting),
                )
        await self.outbox.close()

    # middleware

    async def _drop_repeats(
        self, body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        """An event Slack sends again (a retry, or to another replica) is acknowledged and
        not processed twice: the store's unique key on the event id decides."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await self._claim(event_id):
            log.info("event %s already handled; acknowledged again", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    async def _claim(self, event_id: str) -> bool:
        try:
            return await self.store.claim_event(event_id)
        except Exception:  # the database is away: better to answer twice than never
            log.warning("could not record event %s; handling it anyway", event_id)
            return True

    # listeners

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        try:
            return await self._answer_command(ack, body)
        except Exception:  # the bot's own boundary failed too: still answer politely
            ref = uuid.uuid4().hex[:8]
            log.exception("slash command failed ref=%s", ref)
            text = f"{m.ERROR_TITLE} {m.ERROR_BODY.format(ref=ref)}"
            await ack(response_type="ephemeral", text=text)
            return None

    async def _answer_command(self, ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        """The answer's first page is the HTTP response (a listener may return it whole:
        the JSON of a reply asked for again, a popular search, is made once)."""
        event = command_event(body)
        url = str(body.get("response_url", ""))
        if self.bot.in_memory(event):
            replies = await self.bot.handle(event)
        else:
            work = asyncio.ensure_future(self.bot.handle(event))
            if not await _within(work, self.ack_budget):
                await ack(response_type="ephemeral", text=t.WORKING)
                self._spawn(self._respond_later(work, url, event))
                return None
            replies = work.result()
        first = first_body(replies)
        if first is not None and page_count(replies) == 1:  # most answers: one page
            return BoltResponse(status=200, body=first)
        answers = pages(replies)
        if answers[1:]:
            self._spawn(self._respond_all(url, answers[1:], event))
        if first is None:
            await ack(**(answers[0] if answers else {}))
            return None
        return BoltResponse(status=200, body=first)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._answer_action(action_event(body, *pressed(body)), body))

    async def _on_mention(
        self, ack: AsyncAck, event: dict[str, Any], context: dict[str, Any]
    ) -> None:
        await ack()
        team = str(context.get("team_id") or event.get("team") or "")
        command = mention_event(event, team, context.get("bot_user_id"))
        self._spawn(self._answer_mention(command))

    async def _on_form(self, ack: AsyncAck, view: dict[str, Any]) -> None:
        """A submitted form. Only the view is read: who sent it never reaches the bot, the
        store or a log line. A form Rounds does not know is closed."""
        action = form_event(view, FORMS)
        if action is None:
            await ack()
            return
        title = str((view.get("title") or {}).get("text", ""))
        work = asyncio.ensure_future(self.bot.handle(action))
        if await _within(work, self.ack_budget):
            await ack(**form_ack(work.result(), action, title))
            return
        await ack(response_action="update", view=working_view(title))
        self._spawn(self._update_form(work, action, str(view.get("id", "")), title))

    async def _on_home(self, ack: AsyncAck, event: dict[str, Any], context: dict[str, Any]) -> None:
        """The App Home tab opened: its `home` view is published in the background."""
        await ack()
        asked = home_event(event, str(context.get("team_id") or event.get("team") or ""))
        if asked is not None:
            self._spawn(self._publish_home(asked))

    async def _publish_home(self, asked: Command) -> None:
        try:
            await self.home.publish(asked)
        except DeliveryError as exc:
            log.warning("could not publish a home tab: %s", exc.reason)

    def _reply_of(
        self, event: dict[str, Any], context: dict[str, Any]
    ) -> Message | Deletion | None:
        team = str(context.get("team_id") or event.get("team") or "")
        typed = thread_message(event, team, context.get("bot_user_id"))
        return typed or thread_deletion(event, team)

    async def _is_reply(self, event: dict[str, Any], context: dict[str, Any]) -> bool:
        return self._reply_of(event, context) is not None

    async def _on_reply(
        self,
        ack: AsyncAck,
        event: dict[str, Any],
        context: dict[str, Any],
        request: AsyncBoltRequest,
    ) -> None:
        """A reply in a thread (or its deletion): the bot decides whether it is a
        reflection's. It is stored before Slack hears back, so a 200 means it is kept. When
        it cannot be (the database is away), Slack gets a 500 and sends it again later (a
        minute, then five); the same reply is never stored twice. On Slack's last try the
        person is told instead."""
        message = self._reply_of(event, context)
        if message is None:
            await ack()
            return
        replies = await self.bot.handle(message)
        if failed(replies) and not _last_try(request):
            raise NotStored(type(message).__name__)
        await ack()
        if replies and isinstance(message, Message):
            self._spawn(self._answer_reply(message, replies))

    async def _on_message(self, ack: AsyncAck) -> None:
        """Any other message (top-level posts, bots, edits) is not read or stored."""
        await ack()

    # answering in the background

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(self._guarded(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("slack delivery failed ref=%s", uuid.uuid4().hex[:8])

    async def _respond_later(
        self, work: asyncio.Future[list[Reply]], url: str, event: Event
    ) -> None:
        answers = pages(await work)
        answers[0]["replace_original"] = True
        await self._respond_all(url, answers, event)

    async def _respond(self, url: str, answers: list[dict[str, Any]]) -> None:
        for answer in answers:
            await self.outbox.respond(url, answer)

    async def _respond_all(self, url: str, answers: list[dict[str, Any]], event: Event) -> None:
        try:
            await self._respond(url, answers)
        except DeliveryError as exc:
            log.warning("could not answer %s: %s", type(event).__name__, exc.reason)

    async def _answer_reply(self, message: Message, replies: list[Reply]) -> None:
        try:
            await self._post_all(message.conversation, message, replies)
        except DeliveryError as exc:
            where = message.conversation.channel
            log.warning("could not answer a thread reply in %s: %s", where, exc.reason)

    async def _update_form(
        self, work: asyncio.Future[list[Reply]], action: Action, view_id: str, title: str
    ) -> None:
        view = answer_view(await work, action, title)
        try:
            await self.outbox.update_modal(view_id, view)
        except DeliveryError as exc:
            log.warning("could not update a form: %s", exc.reason)

    async def _answer_mention(self, command: Command) -> None:
        replies = await self.bot.handle(command)
        try:
            await self._post_all(command.conversation, command, replies)
        except DeliveryError as exc:
            log.warning("could not answer a mention in %s: %s", command.conversation.channel, exc)

    async def _post_all(
        self, where: Conversation, event: Command | Action | Message, replies: list[Reply]
    ) -> None:
        """Post through the Web API: channel replies in the channel (or the thread they came
        from), private ones as ephemeral messages, `in_thread` ones under the previous post."""
        parent = where.thread
        for reply in replies:
            if reply.visibility is Visibility.PRIVATE:
                await self.outbox.post_private(where, event.person, reply)
                continue
            target = Conversation(where.platform, where.channel, where.workspace, parent)
            posted = await self.outbox.post(target, reply)
            if not reply.in_thread and parent is None:
                parent = posted

    async def _answer_action(self, action: Action, body: dict[str, Any]) -> None:
        replies = await self.bot.handle(action)
        if not replies:  # a link (Open article): Slack opened it; nothing to say
            return
        url = str(body.get("response_url", ""))
        form = form_of(replies)
        if form is not None:
            await self._open_form(form, action, body, url)
            return
        public = [r for r in replies if r.visibility is Visibility.CHANNEL]
        if not public:
            answers = pages(replies)
            answers[0]["replace_original"] = is_ephemeral_source(body)
            await self._respond_all(url, answers, action)
            return
        await self._publish(action, body, replies, url)

    async def _publish(
        self, action: Action, body: dict[str, Any], replies: list[Reply], url: str
    ) -> None:
        """Share and Discuss: post in the channel; the private original then goes away."""
        try:
            if any(r.in_thread for r in replies):
                await self._post_all(action.conversation, action, replies)
            else:
                await self._respond(url, pages(replies))
        except DeliveryError as exc:
            text = t.NOT_IN_CHANNEL if exc.reason.endswith("not_in_channel") else t.POST_FAILED
            await self._respond_all(url, [private(text)], action)
            return
        if is_ephemeral_source(body):
            await self._respond_all(url, [{"delete_original": True}], action)

    async def _open_form(self, form: Reply, action: Action, body: dict[str, Any], url: str) -> None:
        """A button that asks for text (Contribute anonymously) opens a modal."""
        try:
            await self.outbox.open_modal(str(body.get("trigger_id", "")), opened_form(form, action))
        except DeliveryError as exc:
            log.warning("could not open a form: %s", exc.reason)
            failed = private(t.FORM_FAILED, replace_original=False)
            await self._respond_all(url, [failed], action)
