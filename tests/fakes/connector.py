"""A fake Bot Framework Connector: the REST service a Teams bot sends its replies to.

A real aiohttp server on 127.0.0.1. Put `fake.url` in an activity's `serviceUrl` and
botframework-connector's `ConnectorClient` (as CloudAdapter builds it for `send_activity`,
`update_activity`, `create_conversation`, `TeamsInfo.*` …) talks to it over HTTP. It serves the
Bot Connector REST API v3 paths with the real response shapes and `ErrorResponse` bodies,
records every call, can be scripted to fail (429 with Retry-After, 5xx, 403 for a conversation
the bot was removed from), to hang or to drop the connection mid-response (before or after the
call took effect), and counts TCP connections so tests can see connection reuse.

A bot opens a 1:1 (personal) chat with `create_conversation`, naming one member by Teams user
id ("29:…") — or by Entra object id in `id`, which Teams accepts only for users who installed
the app themselves (`installed_for`). The chat's id is stable per user, and `direct_to(user)`
returns what was sent into it.

Conversation and member ids arrive percent-encoded in the path ("19%3A…%40thread.tacv2%3B
messageid%3D…"); each path segment is decoded exactly once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from tests.fakes.changes import Changes
from tests.fakes.faults import HANG, Cut, Fault, drop, hang, nothing
from tests.fakes.teams_activities import (
    CHANNEL_ID,
    CHANNEL_NAME,
    GROUP_CHAT_ID,
    TEAM_AAD_GROUP_ID,
    TEAM_ID,
    TEAM_NAME,
    TENANT_ID,
    USER_ID,
    USER_NAME,
    aad_object_id,
    personal_conversation_id,
)

Handler = Callable[["_Call"], Any]

# Error codes as the Bot Connector / Teams report them in {"error": {"code", "message"}}.
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadArgument", "The request is invalid."),
    401: ("Unauthorized", "Authorization has been denied for this request."),
    403: ("Forbidden", "The bot is not permitted to perform this operation."),
    404: ("ConversationNotFound", "Conversation not found."),
    412: ("PreconditionFailed", "Precondition failed, please try again."),
    413: ("MessageSizeTooBig", "Message size too large."),
    429: ("Throttled", "Too many requests."),
    500: ("ServiceError", "An internal service error occurred."),
    502: ("ServiceError", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is unavailable."),
    504: ("GatewayTimeout", "The gateway timed out."),
}
NOT_IN_ROSTER = ("BotNotInConversationRoster", "The bot is not part of the conversation roster.")
_THREAD = re.compile(r";messageid=.*$")


@dataclass
class Sent:
    """One call the fake received; every call is recorded, scripted failures included."""

    method: str  # "send_to_conversation", "reply_to_activity", "update_activity", ...
    conversation_id: str  # decoded; for create_conversation the channel (or new chat) id
    activity: dict[str, Any]  # the JSON body: an activity, or ConversationParameters
    reply_to: str | None  # the activityId in the path, when any
    authorization: str | None  # the Authorization header (None when the bot is anonymous)
    member_id: str | None = None  # the memberId in the path, when any
    path: str = ""  # the raw (still percent-encoded) request path
    status: int = 200  # the HTTP status the fake answered (0: none, it hung or dropped)
    response: Any = None  # the JSON it answered with (None for an empty body)
    fault: str = ""  # "hang", "drop-before" or "drop-after" (then `status` is what it did)

    @property
    def performed(self) -> bool:
        """Whether the call took effect (a drop-after did, though the bot never heard)."""
        return 200 <= self.status < 300


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    method: str | None
    code: str | None
    message: str | None
    fault: Fault | None = None  # a hang or a drop instead of a status


class _NotFound(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class _Call:
    method: str
    conversation_id: str
    body: dict[str, Any]
    reply_to: str | None = None
    member_id: str | None = None


def error_body(code: str, message: str) -> dict[str, Any]:
    """The Bot Connector's `ErrorResponse`."""
    return {"error": {"code": code, "message": message}}


def _base(conversation_id: str) -> str:
    """A channel thread's conversation id without its ";messageid=…" suffix."""
    return _THREAD.sub("", conversation_id)


def _decoded_segments(raw_path: str) -> list[str]:
    return [unquote(segment) for segment in raw_path.split("/") if segment]


def _route(method: str, segments: list[str]) -> _Call | None:
    """Map an HTTP method and the path segments after "v3" to a Connector operation."""
    match (method, segments):
        case ("POST", ["conversations"]):
            return _Call("create_conversation", "", {})
        case ("GET", ["conversations"]):
            return _Call("get_conversations", "", {})
        case ("POST", ["conversations", conv, "activities"]):
            return _Call("send_to_conversation", conv, {})
        case ("POST", ["conversations", conv, "activities", "history"]):
            return _Call("send_conversation_history", conv, {})
        case ("POST", ["conversations", conv, "activities", activity]):
            return _Call("reply_to_activity", conv, {}, reply_to=activity)
        case ("PUT", ["conversations", conv, "activities", activity]):
            return _Call("update_activity", conv, {}, reply_to=activity)
        case ("DELETE", ["conversations", conv, "activities", activity]):
            return _Call("delete_activity", conv, {}, reply_to=activity)
        case ("GET", ["conversations", conv, "activities", activity, "members"]):
            return _Call("get_activity_members", conv, {}, reply_to=activity)
        case ("GET", ["conversations", conv, "members"]):
            return _Call("get_conversation_members", conv, {})
        case ("GET", ["conversations", conv, "members", member]):
            return _Call("get_conversation_member", conv, {}, member_id=member)
        case ("DELETE", ["conversations", conv, "members", member]):
            return _Call("delete_conversation_member", conv, {}, member_id=member)
        case ("GET", ["conversations", conv, "pagedmembers"]):
            return _Call("get_conversation_paged_members", conv, {})
        case ("POST", ["conversations", conv, "attachments"]):
            return _Call("upload_attachment", conv, {})
        case ("GET", ["teams", team]):
            return _Call("get_team_details", team, {})
        case ("GET", ["teams", team, "conversations"]):
            return _Call("get_teams_channels", team, {})
    return None


class _CountingServer(web.Server):
    """aiohttp's low-level server, telling its owner when TCP connections open and close."""

    def __init__(
        self,
        handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
        on_change: Callable[[int], None],
    ) -> None:
        super().__init__(handler, access_log=None)  # its logs would be Microsoft's, not ours
        self._on_change = on_change

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self._on_change(+1)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self._on_change(-1)


class FakeConnector:
    """The Bot Connector REST API v3 (as Teams runs it) on an ephemeral port of 127.0.0.1."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.connections = 0  # TCP connections open right now
        self.total_connections = 0  # TCP connections ever accepted
        self.members: list[dict[str, Any]] = [teams_member(USER_ID, USER_NAME)]
        self.installed_for: set[str] = set()  # users with the app installed personally
        self.chats: dict[str, str] = {}  # 1:1 chat id → the user's Teams id
        self._failures: list[_Failure] = []
        self._forbidden: set[str] = set()
        self._ids = itertools.count(1_800_000_000_001)
        self._chats = itertools.count(1)
        self._changed = Changes()
        self._released = asyncio.Event()  # set on stop: hanging requests give up
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.ServerRunner | None = None
        self._port = 0
        self._handlers: dict[str, Handler] = {
            "create_conversation": self._create_conversation,
            "get_conversations": self._get_conversations,
            "send_to_conversation": self._new_activity,
            "send_conversation_history": self._new_activity,
            "reply_to_activity": self._new_activity,
            "update_activity": self._update_activity,
            "delete_activity": lambda call: None,
            "get_activity_members": lambda call: self.members,
            "get_conversation_members": lambda call: self.members,
            "get_conversation_member": self._member,
            "delete_conversation_member": lambda call: None,
            "get_conversation_paged_members": self._paged_members,
            "upload_attachment": self._new_activity,
            "get_team_details": self._team_details,
            "get_teams_channels": self._teams_channels,
        }

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1."""
        server = _CountingServer(self._handle, self._connection_changed)
        self._runner = web.ServerRunner(server, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close every connection, then the server."""
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for task in list(self._tasks):
            await task

    @property
    def url(self) -> str:
        """The service URL, "http://127.0.0.1:<port>/", for an activity's `serviceUrl`."""
        assert self._port, "FakeConnector.start() has not been awaited"
        return f"http://127.0.0.1:{self._port}/"

    # -- scripting and assertions ---------------------------------------------------------------

    def sent_to(self, method: str | None = None) -> list[Sent]:
        """The calls recorded, or those to `method` ("send_to_conversation", ...)."""
        return [s for s in self.sent if method is None or s.method == method]

    def direct_to(self, user: str = USER_ID) -> list[Sent]:
        """The messages the bot sent into its 1:1 chat with `user` (a Teams user id)."""
        chat = personal_conversation_id(user)
        posts = ("send_to_conversation", "reply_to_activity")
        return [s for s in self.sent if s.conversation_id == chat and s.method in posts]

    async def wait_for(
        self,
        count: int = 1,
        method: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Sent]:
        """Wait until at least `count` calls (to `method`) were recorded; return them all."""
        if not await self._changed.wait_for(lambda: len(self.sent_to(method)) >= count, timeout):
            seen = [f"{s.method} {s.conversation_id} -> {s.status}" for s in self.sent]
            wanted = f"{count} call(s)" + (f" to {method}" if method else "")
            raise AssertionError(f"wanted {wanted} within {timeout}s; saw {seen}")
        return self.sent_to(method)

    async def wait_for_connections(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until exactly `count` TCP connections are open (closes are seen asynchronously)."""
        if not await self._changed.wait_for(lambda: self.connections == count, timeout):
            raise AssertionError(
                f"wanted {count} open connection(s) within {timeout}s; {self.connections} open"
            )

    def fail(
        self,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        method: str | None = None,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` calls (to `method`, or any) with HTTP `status`.

        The body is an `ErrorResponse` with the code Teams uses for that status ("Throttled"
        for 429, ...) unless `code`/`message` are given. With `retry_after` the answer carries
        a `Retry-After` header (seconds). Failures queue up: each call takes the first match.
        """
        self._failures.append(_Failure(status, times, retry_after, method, code, message))

    def hang(self, times: int = 1, method: str | None = None, seconds: float = HANG) -> None:
        """Accept the next `times` calls (to `method`, or any) and answer nothing (for
        `seconds`, or until the client gives up); the call does not take effect."""
        fault = Fault("hang", seconds)
        self._failures.append(_Failure(0, times, None, method, None, None, fault))

    def drop(
        self,
        times: int = 1,
        method: str | None = None,
        performed: bool = True,
        cut: Cut = "headers",
    ) -> None:
        """Drop the connection mid-response on the next `times` calls (to `method`, or any):
        after the call took effect (the activity is created) or, with `performed=False`,
        before. The client gets a status line and part of the headers (`cut="headers"`) or
        of the body. Queued with `fail`'s failures, first match first."""
        fault = Fault("drop-after" if performed else "drop-before", cut=cut)
        self._failures.append(_Failure(0, times, None, method, None, None, fault))

    def forbid(self, conversation_id: str) -> None:
        """Answer 403 BotNotInConversationRoster to every call about that conversation.

        A channel id covers its threads ("…;messageid=…") and channel posts to it; a team id
        covers the team's General channel and `teams/{id}` calls.
        """
        self._forbidden.add(_base(conversation_id))

    def allow(self, conversation_id: str) -> None:
        """Undo `forbid` (the bot was added back)."""
        self._forbidden.discard(_base(conversation_id))

    def _connection_changed(self, delta: int) -> None:
        self.connections += delta
        if delta > 0:
            self.total_connections += delta
        task = asyncio.get_running_loop().create_task(self._changed.notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method is None or failure.method == method:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    # -- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        segments = _decoded_segments(raw_path)
        version = segments.index("v3") if "v3" in segments else len(segments)
        call = _route(request.method, segments[version + 1 :])
        if call is None:
            call = _Call(f"{request.method} {request.rel_url.path}", "", {})
        malformed = False
        if request.can_read_body:
            text = await request.text()
            try:
                body = json.loads(text)
            except ValueError:
                body, malformed = {"raw": text}, True
            call.body = body if isinstance(body, dict) else {"value": body}
        if call.method == "create_conversation":
            call.conversation_id = self._create_target(call.body)
        fault: Fault | None = None
        headers: dict[str, str] = {}
        if malformed:
            status, answer = 400, error_body("BadArgument", "Malformed JSON body.")
        else:
            fault, (status, answer, headers) = self._outcome(call)
        sent = Sent(
            method=call.method,
            conversation_id=call.conversation_id,
            activity=call.body,
            reply_to=call.reply_to,
            authorization=request.headers.get("Authorization"),
            member_id=call.member_id,
            path=raw_path,
            status=status,
            response=answer,
            fault=fault.mode if fault is not None else "",
        )
        self.sent.append(sent)
        await self._changed.notify()
        if fault is not None:
            return await self._fail_wire(request, fault, answer)
        if answer is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(answer, status=status, headers=headers)

    def _outcome(self, call: _Call) -> tuple[Fault | None, tuple[int, Any, dict[str, str]]]:
        """The fault scripted for this call (if any) and the answer: for a drop-after, the
        call's real answer (it took effect); for a hang or a drop-before, none."""
        failure = self._take_failure(call.method)
        fault = failure.fault if failure is not None else None
        if fault is None:
            return None, self._answer(call, failure)
        if fault.performs:
            return fault, self._answer(call, None)
        return fault, (0, None, {})

    async def _fail_wire(
        self, request: web.BaseRequest, fault: Fault, answer: Any
    ) -> web.StreamResponse:
        if fault.mode == "hang":
            await hang(request, fault.seconds, self._released)
        else:
            drop(request, answer if answer is not None else {}, fault.cut)
        return nothing()

    def _answer(self, call: _Call, failure: _Failure | None) -> tuple[int, Any, dict[str, str]]:
        if failure is not None:
            code, message = _ERRORS.get(failure.status, ("ServiceError", "Unexpected error."))
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            body = error_body(failure.code or code, failure.message or message)
            return failure.status, body, headers
        if _base(call.conversation_id) in self._forbidden:
            return 403, error_body(*NOT_IN_ROSTER), {}
        handler = self._handlers.get(call.method)
        if handler is None:
            return 404, error_body("NotFound", f"No such operation: {call.method}"), {}
        try:
            return 200, handler(call), {}
        except _NotFound as missing:
            return 404, error_body(missing.code, missing.message), {}
        except _Refused as refused:
            return refused.status, error_body(refused.code, refused.message), {}

    # -- operations -----------------------------------------------------------------------------

    def _next_id(self) -> str:
        return str(next(self._ids))

    def _create_target(self, parameters: dict[str, Any]) -> str:
        """The channel a create_conversation posts to, or the chat it opens."""
        channel_data = parameters.get("channelData") or {}
        channel = (channel_data.get("channel") or {}).get("id")
        if channel:
            return str(channel)
        members = parameters.get("members") or []
        if len(members) == 1 and not parameters.get("isGroup"):
            return personal_conversation_id(self._user_of(str(members[0].get("id") or "")))
        return GROUP_CHAT_ID.replace("groupchat", f"groupchat{next(self._chats):03d}")

    def _user_of(self, member: str) -> str:
        """The Teams user id for a member named by Teams id or by Entra object id."""
        for known in self.members:
            if member and member in (known.get("id"), known.get("aadObjectId")):
                return str(known["id"])
        return member

    def _create_conversation(self, call: _Call) -> dict[str, Any]:
        members = call.body.get("members") or []
        if len(members) == 1 and not call.body.get("isGroup"):
            self._check_personal(call.body)
            self.chats[call.conversation_id] = self._user_of(str(members[0]["id"]))
        answer: dict[str, Any] = {"id": call.conversation_id, "serviceUrl": self.url}
        if call.body.get("activity"):
            activity_id = self._next_id()
            answer["activityId"] = activity_id
            channel_data = call.body.get("channelData") or {}
            if (channel_data.get("channel") or {}).get("id"):
                answer["id"] = f"{call.conversation_id};messageid={activity_id}"
        return answer

    def _check_personal(self, parameters: dict[str, Any]) -> None:
        """What Teams refuses when a bot opens a 1:1 chat: no member id (an `aadObjectId`
        field alone is not read), no tenant, or an Entra object id of a user who has not
        installed the app."""
        member = parameters["members"][0]
        member_id = member.get("id") if isinstance(member, dict) else None
        channel_data = parameters.get("channelData") or {}
        tenant = (  # botbuilder spells the field "tenantID"
            parameters.get("tenantID")
            or parameters.get("tenantId")
            or (channel_data.get("tenant") or {}).get("id")
        )
        if not isinstance(member_id, str) or not member_id:
            raise _Refused(400, "BadArgument", "Member id is required.")
        if not tenant:
            raise _Refused(400, "BadArgument", "Tenant id is required.")
        user = self._user_of(member_id)
        if not user.startswith("29:") or (member_id != user and user not in self.installed_for):
            raise _Refused(403, "Forbidden", "The bot is not installed for this user.")

    def _get_conversations(self, call: _Call) -> dict[str, Any]:
        return {
            "conversations": [
                {"id": TEAM_ID, "isGroup": True, "conversationType": "channel"},
                {"id": CHANNEL_ID, "isGroup": True, "conversationType": "channel"},
            ],
            "continuationToken": None,
        }

    def _new_activity(self, call: _Call) -> dict[str, Any]:
        return {"id": self._next_id()}

    def _update_activity(self, call: _Call) -> dict[str, Any]:
        return {"id": call.reply_to}

    def _member(self, call: _Call) -> dict[str, Any]:
        """A member by Teams user id or by Entra object id (Teams takes either)."""
        for member in self.members:
            if call.member_id in (member.get("id"), member.get("aadObjectId")):
                return member
        raise _NotFound("MemberNotFoundInConversation", "The member is not in the conversation.")

    def _paged_members(self, call: _Call) -> dict[str, Any]:
        return {"members": self.members, "continuationToken": None}

    def _team_details(self, call: _Call) -> dict[str, Any]:
        return {
            "id": call.conversation_id,
            "name": TEAM_NAME,
            "aadGroupId": TEAM_AAD_GROUP_ID,
            "channelCount": 2,
            "memberCount": len(self.members) + 1,
            "type": "standard",
        }

    def _teams_channels(self, call: _Call) -> dict[str, Any]:
        return {"conversations": [{"id": TEAM_ID}, {"id": CHANNEL_ID, "name": CHANNEL_NAME}]}


def teams_member(user: str, name: str) -> dict[str, Any]:
    """A conversation member as Teams lists it (a `TeamsChannelAccount`)."""
    given, _, surname = name.partition(" ")
    upn = f"{given.lower()}@example.test"
    return {
        "id": user,
        "name": name,
        "aadObjectId": aad_object_id(user),
        "givenName": given,
        "surname": surname,
        "email": upn,
        "userPrincipalName": upn,
        "tenantId": TENANT_ID,
        "userRole": "user",
    }
