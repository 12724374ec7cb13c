"""The Teams adapter: botbuilder's CloudAdapter wired to the bot. Translation lives in
`translate` and `cards`; this class routes activities and keeps conversation references.

Every botbuilder import stays in `adapters/teams/`, so a move to the Microsoft 365 Agents
SDK touches this folder only."""

from __future__ import annotations

import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, Attachment
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleResponse,
    TaskModuleTaskInfo,
)
from jwt import PyJWTError

from adapters import nesting
from adapters.teams.cards import (
    TeamsMessage,
    dialog,
    dialog_text,
    form_again,
    search_results,
    uncode,
)
from adapters.teams.fit import Json
from adapters.teams.gate import Gate
from adapters.teams.outbox import Prepared, TeamsOutbox, message_activity, rendered
from adapters.teams.retry import with_retries
from adapters.teams.translate import (
    ANONYMOUS,
    DIALOGS,
    bot_is_member,
    conversation_of,
    deletion_of,
    dialog_event,
    in_reply_chain,
    invoke_of,
    is_personal,
    person_of,
    reference_data,
    sender_id,
    to_event,
)
from bot import messages as m
from bot.actions import ANONYMOUS_SUBMIT
from bot.core import Bot, error_reply
from bot.events import Action, Conversation, Event, Message
from bot.identity import key_of
from bot.outbox import DeliveryError
from bot.replies import ANONYMOUS_DONE, Reply, Visibility
from bot.typed import typed

log = logging.getLogger("rounds.teams")

SEARCH = "composeExtension/query"
REFLECT = "reflect."  # the reflection buttons' actions begin with it
SAVED_KEEP = 4096  # conversations whose stored reference is remembered as up to date


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class TeamsAdapter:
    """Receives activities through the outbox's Bot Connector connection
    (`TeamsOutbox.connect`), which the bot's context posts through."""

    def __init__(self, bot: Bot, outbox: TeamsOutbox, gate: Gate | None = None) -> None:
        self.bot, self.outbox, self.store = bot, outbox, outbox.store
        self.gate = gate or Gate(emulator=not outbox.app_id)
        self.cloud = outbox.cloud
        self.cloud.on_turn_error = self._on_turn_error
        # conversation key → service URL already stored (most recently used last)
        self.saved: OrderedDict[str, str] = OrderedDict()
        self.turns: dict[str, Callable[[TurnContext], Awaitable[None]]] = {
            "message": self._on_message,
            "messageDelete": self._on_delete,
            "conversationUpdate": self._on_update,
            "invoke": self._on_invoke,
        }
        self.invokes: dict[str, Callable[[Activity], Awaitable[Any]]] = {
            SEARCH: self._search,
            **dict.fromkeys(DIALOGS, self._dialog),
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp route for `POST /api/messages`."""
        if request.content_type != "application/json":
            return _error(415, "expected application/json")
        if (request.charset or "utf-8").lower() != "utf-8":  # botbuilder decodes it as said
            return _error(415, "expected UTF-8")
        try:
            text = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the body is not UTF-8")
        problem = nesting.refusal(text)  # botbuilder parses the body again: refuse it before
        if problem is not None:
            return _error(400, problem)
        try:
            body = json.loads(text)
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _error(400, "the body is not an activity")
        refusal = self.gate.refusal(body)
        if refusal is not None:
            log.warning("teams: refused an activity (403): %s", refusal)
            return _error(403, refusal)
        try:
            response = await self.cloud.process(request, self)
        except PyJWTError:  # a token that is not even a JWT: botbuilder lets it escape
            return _error(401, "invalid token")
        except DeserializationError:
            return _error(400, "the body is not an activity")
        return response if response is not None else web.Response(status=201)

    async def on_turn(self, context: TurnContext) -> None:
        """Called by CloudAdapter for each authenticated activity."""
        handler = self.turns.get(str(context.activity.type))
        if handler is not None:
            await handler(context)

    async def close(self) -> None:
        await self.outbox.close()

    # activities

    async def _on_delete(self, context: TurnContext) -> None:
        """A reply deleted in Teams: its stored contribution goes too."""
        deletion = deletion_of(context.activity)
        if deletion is not None:
            await self.bot.handle(deletion)

    async def _on_message(self, context: TurnContext) -> None:
        event = to_event(context.activity)
        if event is None:
            return
        if not anonymous(event):  # not even the 1:1 chat it may come from is kept
            await self._remember(context.activity)
        replies = await self.bot.handle(event)
        reflective = await self._reflective(context.activity, event, replies)
        if reflective or about_someone(replies):
            await self._answer_privately(context, event, replies)
            return
        if isinstance(event, Action):
            await self._answer_action(context, event, replies)
            return
        for reply in replies:
            await self._send(context, reply)

    async def _on_update(self, context: TurnContext) -> None:
        activity = context.activity
        if bot_is_member(activity, "members_added"):
            await self._remember(activity, force=True)
            await self._send(context, self.bot.welcome())
        elif bot_is_member(activity, "members_removed"):
            key = conversation_of(activity).key
            self.saved.pop(key, None)
            await self.store.forget_reference(key)
            log.info("removed from a conversation; its reference is forgotten")

    async def _on_invoke(self, context: TurnContext) -> None:
        """Invokes are answered in the HTTP response, never in a chat."""
        answer = self.invokes.get(str(context.activity.name))
        if answer is None:
            await _invoke_response(context, 501, None)
            return
        await _invoke_response(context, 200, await answer(context.activity))

    async def _search(self, activity: Activity) -> MessagingExtensionResponse:
        query, skip, count = _search_args(activity.value)
        return compose_response(search_results(self.bot.search(query, skip, count)))

    async def _dialog(self, activity: Activity) -> TaskModuleResponse:
        """The anonymous form in a dialog: opened (`task/fetch`) and sent (`task/submit`) from
        the reflection's card in its channel. A refusal or an error is shown in the dialog,
        with the text kept; nothing is written into any chat."""
        event, invoke = dialog_event(activity), invoke_of(activity)
        if event is None:
            return task_response(uncode(typed(m.BUTTON_EXPIRED, invoke)))
        return task_response(dialog_answer(event, await self.bot.handle(event), invoke))

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        ref = uuid.uuid4().hex[:8]
        log.error("teams turn failed ref=%s: %s", ref, type(error).__name__)
        text = f"{m.ERROR_TITLE} {m.ERROR_BODY.format(ref=ref)}"
        try:
            if context.activity.type == "invoke":  # answered where it was asked, not in a chat
                await _invoke_response(context, *failed_invoke(context.activity, ref))
            else:
                await context.send_activity(Activity(type="message", text=text))
        except Exception:
            log.warning("could not tell the user about failure ref=%s", ref)

    # replies

    async def _reflective(self, activity: Activity, event: Event, replies: list[Reply]) -> bool:
        """Whether the replies belong to a reflection thread, whose public posts the core
        makes itself: thread messages, reflection buttons and forms, and commands typed in
        a reflection's thread (the store is asked only when there is something to say)."""
        if isinstance(event, Message):
            return True
        if isinstance(event, Action):
            return event.action.startswith(REFLECT)
        private = any(reply.visibility is Visibility.PRIVATE for reply in replies)
        return (
            private
            and in_reply_chain(activity)
            and await self.bot.in_reflection(event.conversation)
        )

    async def _answer_privately(
        self, context: TurnContext, event: Event, replies: list[Reply]
    ) -> None:
        """Private replies go to the person in a 1:1 chat, never into the reflection's
        thread or in place of its card. An anonymous form's answers are sent nowhere: a 1:1
        message would leave a record of who wrote it. (Its dialog answers in place; this is
        the form inside cards posted before the dialog.)"""
        for reply in replies:
            if reply.visibility is Visibility.CHANNEL:
                await self._send(context, reply)
            elif anonymous(event):
                log.info("teams: an anonymous form from an older card; its answer is not sent")
            else:
                await self._direct(context, reply)

    async def _direct(self, context: TurnContext, reply: Reply) -> None:
        activity = context.activity
        if is_personal(activity):  # already the 1:1 chat
            await self._send(context, reply)
            return
        try:  # the sender's id is used for this one send, and kept nowhere
            await self.outbox.direct(reference_data(activity), sender_id(activity), reply)
        except DeliveryError as exc:
            log.warning("teams: a private reply could not be sent: %s", exc.reason)

    async def _send(self, context: TurnContext, reply: Reply) -> None:
        for message in rendered(reply, invoke_of(context.activity)):
            await _send_one(context, message_activity(message))

    async def _answer_action(
        self, context: TurnContext, action: Action, replies: list[Reply]
    ) -> None:
        """Another and More results replace the card they came from; Share and Discuss post
        in the channel (Discuss as a new thread with its first reply)."""
        public = [r for r in replies if r.visibility is Visibility.CHANNEL]
        if not public:
            await self._replace(context, replies[0])
            for reply in replies[1:]:
                await self._send(context, reply)
            return
        root = replace(action.conversation, thread=None)  # a new post in the channel
        try:
            await self._publish(root, replies)
        except DeliveryError as exc:
            log.warning("teams share failed: %s", exc.reason)
            await context.send_activity(Activity(type="message", text=m.ERROR_TITLE))

    async def _publish(self, root: Conversation, replies: list[Reply]) -> None:
        parent: str | None = None
        for reply in replies:
            where = root
            if reply.in_thread and parent:
                where = Conversation(root.platform, root.channel, root.workspace, parent)
            posted = await self.outbox.post(where, reply)
            parent = parent or posted

    async def _replace(self, context: TurnContext, reply: Reply) -> None:
        """The first card takes the place of the pressed one; any further cards follow."""
        first, *rest = rendered(reply, invoke_of(context.activity))
        if not await self._update(context, first):
            await _send_one(context, message_activity(first))
        for message in rest:
            await _send_one(context, message_activity(message))

    async def _update(self, context: TurnContext, message: TeamsMessage) -> bool:
        original = context.activity.reply_to_id
        if not original:
            return False
        update = message_activity(message)
        update.id = original
        try:
            await with_retries(lambda: context.update_activity(update))
        except Exception as exc:  # the card may be too old to edit: send a new one
            log.info("could not update a card (%s); sending a new one", type(exc).__name__)
            return False
        return True

    async def _remember(self, activity: Activity, force: bool = False) -> None:
        """Keep how to reach this conversation, so prompts can be posted to it later."""
        key = conversation_of(activity).key
        data = reference_data(activity)
        if not force and self.saved.get(key) == data["serviceUrl"]:
            self.saved.move_to_end(key)
            return
        try:
            await self.store.save_reference(key, "teams", data, personal_owner(activity))
        except Exception:
            log.warning("could not store a conversation reference; will retry next time")
            return
        self.saved[key] = data["serviceUrl"]
        self.saved.move_to_end(key)
        while len(self.saved) > SAVED_KEEP:
            self.saved.popitem(last=False)


def personal_owner(activity: Activity) -> str | None:
    """Whose 1:1 chat this is (their identity key, for `forget-me`); None elsewhere."""
    if not is_personal(activity):
        return None
    return key_of(conversation_of(activity), person_of(activity))


def about_someone(replies: list[Reply]) -> bool:
    """Replies about the person asking (what Rounds holds about them): in a channel, where
    Teams has no private replies, they go to the person's 1:1 chat, never the thread."""
    return any(r.discreet and r.visibility is Visibility.PRIVATE for r in replies)


def anonymous(event: Event) -> bool:
    return isinstance(event, Action) and event.action in ANONYMOUS


def dialog_answer(event: Action, replies: list[Reply], invoke: str = "") -> Json | str:
    """What the dialog shows next: a form (the form, or the form again with the reason in
    words), or a short message (posted; or why the form cannot be opened). A refused
    `task/submit` keeps its text, even when the core's answer came without the form.
    Commands are typed after `invoke`, that of the conversation the dialog was opened from."""
    form = next((reply for reply in replies if reply.form is not None), None)
    if form is not None:
        return dialog(form, invoke)
    said = dialog_text(replies[0], invoke) if replies else m.ERROR_TITLE
    posted = any(reply.kind == ANONYMOUS_DONE for reply in replies)
    if event.action == ANONYMOUS_SUBMIT and not posted:
        return dialog(form_again(event, said), invoke)
    return said


def task_response(answer: Json | str) -> TaskModuleResponse:
    """A dialog's answer as botbuilder's models: `continue` with a form, or `message`."""
    if isinstance(answer, str):
        return TaskModuleResponse(task=TaskModuleMessageResponse(value=answer))
    card = answer["card"]
    info = TaskModuleTaskInfo(
        title=answer["title"],
        height=answer["height"],
        width=answer["width"],
        card=Attachment(content_type=card["contentType"], content=Prepared(card["content"])),
    )
    return TaskModuleResponse(task=TaskModuleContinueResponse(value=info))


def failed_invoke(activity: Activity, ref: str) -> tuple[int, Any]:
    """The answer to an invoke whose turn failed: a dialog says so in place (keeping the
    text of a form sent); anything else gets a bare 500."""
    if str(activity.name) not in DIALOGS:
        return 500, None
    event, failed, invoke = dialog_event(activity), error_reply(ref), invoke_of(activity)
    answer = dialog_answer(event, [failed], invoke) if event else dialog_text(failed, invoke)
    return 200, task_response(answer)


async def _send_one(context: TurnContext, activity: Activity) -> None:
    await with_retries(lambda: context.send_activity(activity))


def _search_args(value: Any) -> tuple[str, int, int]:
    """The query text and `queryOptions` of a compose-extension query, defensively."""
    value = value if isinstance(value, dict) else {}
    query = ""
    for parameter in value.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("name") == "query":
            query = str(parameter.get("value") or "")
    options = value.get("queryOptions") if isinstance(value.get("queryOptions"), dict) else {}
    return query, _int(options.get("skip"), 0), _int(options.get("count"), 10)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def compose_response(result: dict[str, Any]) -> MessagingExtensionResponse:
    """The `composeExtension` result as botbuilder's models, which it serialises itself."""
    attachments = [
        MessagingExtensionAttachment(
            content_type=item["contentType"],
            content=Prepared(item["content"]),
            preview=Attachment(
                content_type=item["preview"]["contentType"], content=item["preview"]["content"]
            ),
        )
        for item in result["attachments"]
    ]
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(
            type=result["type"],
            attachment_layout=result["attachmentLayout"],
            attachments=attachments,
        )
    )


async def _invoke_response(context: TurnContext, status: int, body: Any) -> None:
    response = InvokeResponse(status=status, body=body)
    await context.send_activity(Activity(type="invokeResponse", value=response))
