"""A fake Slack: a real aiohttp server that slack_sdk's clients talk to over HTTP and WebSocket.

Point `AsyncWebClient(base_url=fake.api_url)` (or `ROUNDS_SLACK_API_URL`) at it. It serves the
Web API methods the bot uses with Slack's response shapes, answers `response_url` POSTs, takes
file uploads the way `files_upload_v2` sends them (files.getUploadURLExternal hands out an
upload URL on this server, files.completeUploadExternal shares the file; files.delete and
chat.delete remove what the bot sent, once: again is `file_not_found`/`message_not_found`),
and runs Socket Mode: `apps.connections.open` hands out a `ws://` URL whose socket says
`hello`, carries envelopes from `socket_send` and collects the app's acks for `socket_ack`.

`users.info` describes the members added with `add_user` (others: `user_not_found`).

Faults are scripted per method for the next N calls: an HTTP status (`fail`), a request never
answered (`hang`), or a connection dropped mid-response, before or after the call took effect
(`drop`); a token can be refused on every call (`refuse`). Every call is recorded, with the
fault it met in `Call.fault`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes.changes import Changes
from tests.fakes.faults import HANG, Cut, Fault, drop, hang, nothing
from tests.fakes.slack_requests import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, TEAM_NAME

Handler = Callable[[dict[str, Any]], dict[str, Any]]

_JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "files"})
_CHAT_CHANNEL_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete"}
)
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage", ..., or "response_url"
    params: dict[str, Any]  # query, form and JSON fields merged; JSON-in-form fields decoded
    token: str | None  # the bearer token (or `token` field) seen
    path: str = ""
    # the fault it met: "" (answered), "500", "429", "hang", "drop-before", "drop-after"
    fault: str = ""

    @property
    def performed(self) -> bool:
        """Whether the call took effect (answered, or dropped only after taking effect)."""
        return self.fault in ("", "drop-after")


@dataclass
class Upload:
    """A file sent through files.getUploadURLExternal and its upload URL."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None  # None until the upload URL has been POSTed to
    title: str = ""
    channel: str = ""  # where files.completeUploadExternal shared it
    initial_comment: str = ""


class _Budget:
    def __init__(self, per_second: float, per_channel_per_second: float) -> None:
        self.rate, self.capacity = per_second, max(per_second, 1.0)
        self.tokens, self.at = self.capacity, time.monotonic()
        self.gap = 1 / per_channel_per_second
        self.last: dict[str, float] = {}

    def take(self, channel: str) -> float | None:
        """None when the post may go; otherwise how long to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        since = now - self.last.get(channel, -1e9)
        if since < self.gap:
            return self.gap - since
        if self.tokens < 1:
            return (1 - self.tokens) / self.rate
        self.tokens -= 1
        self.last[channel] = now
        return None


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    fault: Fault | None = None  # a hang or a drop instead of a status

    @property
    def name(self) -> str:
        return self.fault.mode if self.fault is not None else str(self.status)


def _maybe_json(key: str, value: str) -> Any:
    if key not in _JSON_FIELDS or not value.startswith(("[", "{")):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


async def _read_params(request: web.Request) -> dict[str, Any]:
    fields: dict[str, Any] = dict(request.query)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    params = {k: _maybe_json(k, v) for k, v in fields.items()}
    if request.content_type == "application/json" and request.can_read_body:
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    return params


def _bearer(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def _error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _failure_response(failure: _Failure) -> web.Response:
    if failure.status == 429:
        headers = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
        return web.json_response(_error("ratelimited"), status=429, headers=headers)
    return web.Response(status=failure.status, text=f"{failure.status} fake Slack error")


class FakeSlack:
    """A Slack Web API, `response_url` endpoint and Socket Mode server on 127.0.0.1."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-not-a-real-token",
        app_token: str = "xapp-test-not-a-real-token",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[Call] = []
        self._changed = Changes()
        self._released = asyncio.Event()  # set on stop: hanging requests give up
        self._failures: dict[str, _Failure] = {}
        self._channel_errors: dict[str, str] = {}
        self._serial = itertools.count(1)
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._publish_home,
            "apps.connections.open": self._connections_open,
            "conversations.history": self._history,
            "conversations.open": self._open_dm,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.delete": self._delete_file,
            "users.info": self._user_info,
        }
        self.users: dict[str, dict[str, Any]] = {}  # user id -> `users.info`'s user
        self._refused: dict[str, str] = {}  # token -> the error Slack answers it with
        self.uploads: dict[str, Upload] = {}  # file id -> upload
        self.homes: dict[str, dict[str, Any]] = {}  # user id -> the Home tab published last
        self.posted: set[tuple[str, str]] = set()  # (channel, ts) of every message posted
        self.deleted: list[tuple[str, str]] = []  # (channel, ts) deleted, in order
        self.deleted_files: list[str] = []  # file ids deleted, in order
        self._user_errors: dict[str, str] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, newest last
        self.delay = 0.0  # seconds each chat.postMessage takes (to catch a fan-out mid-way)
        self._budget: _Budget | None = None
        # more bot tokens taken as this app's: processes given one each can be told apart
        # by `Call.token` (replicas of one app, say)
        self.other_bot_tokens: set[str] = set()
        self.public_url: str | None = None  # see `base_url`

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{n}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close every Socket Mode connection, then the server."""
        self._released.set()
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake Slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def local_url(self) -> str:
        """Where the server listens: "http://127.0.0.1:<port>"."""
        assert self._port, "FakeSlack.start() has not been awaited"
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """Where Slack is said to be, in every URL the fake builds or hands out: `local_url`,
        or `public_url` when set (a name only a proxy in front resolves, say)."""
        return self.public_url or self.local_url

    @property
    def api_url(self) -> str:
        """The Web API base URL, e.g. "http://127.0.0.1:<port>/api/"."""
        return f"{self.base_url}/api/"

    def response_url(self) -> str:
        """A fresh `response_url`; POSTs to it are recorded as Call(method="response_url")."""
        return f"{self.base_url}/respond/{next(self._serial)}"

    # -- scripting and assertions ---------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until at least `count` calls to `method` were recorded; return them all."""
        ok = await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count, timeout)
        if not ok:
            seen = [f"{c.method} {c.params}" for c in self.calls]
            raise AssertionError(f"wanted {count} call(s) to {method} in {timeout}s; saw {seen}")
        return self.calls_to(method)

    def fail(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Answer the next `times` calls to `method` with HTTP `status` (429: ratelimited)."""
        self._failures[method] = _Failure(status, times, retry_after)

    def hang(self, method: str, times: int = 1, seconds: float = HANG) -> None:
        """Accept the next `times` calls to `method` and answer nothing (for `seconds`, or
        until the client gives up); the call does not take effect."""
        self._failures[method] = _Failure(0, times, None, Fault("hang", seconds))

    def drop(
        self, method: str, times: int = 1, performed: bool = True, cut: Cut = "headers"
    ) -> None:
        """Drop the connection mid-response on the next `times` calls to `method`: after the
        call took effect (the message is posted) or, with `performed=False`, before. The
        client gets a status line and part of the headers (`cut="headers"`) or of the body."""
        fault = Fault("drop-after" if performed else "drop-before", cut=cut)
        self._failures[method] = _Failure(0, times, None, fault)

    def limit(self, per_minute: int, per_channel_per_second: float = 1.0) -> None:
        """Enforce Slack's limits on chat.postMessage: a workspace budget (a token bucket
        refilled at per_minute/60 a second, holding one second's worth) and about one
        message a second per channel; over either, 429 with Retry-After."""
        self._budget = _Budget(per_minute / 60, per_channel_per_second)

    def channel_error(self, channel: str, error: str) -> None:
        """Make chat.* calls to `channel` answer HTTP 200 {"ok": false, "error": error}."""
        self._channel_errors[channel] = error

    def user_error(self, user: str, error: str) -> None:
        """Make conversations.open and users.info with `user` answer {"ok": false,
        "error": error} (user_not_found, cannot_dm_bot, missing_scope, ...)."""
        self._user_errors[user] = error

    def refuse(self, token: str, error: str = "token_revoked") -> None:
        """Answer every call made with `token` {"ok": false, "error": error}, as Slack does
        for a revoked token or a deactivated app (account_inactive). A token the fake does
        not know is refused already, with invalid_auth."""
        self._refused[token] = error

    def add_user(
        self, user: str, name: str, real_name: str = "", display_name: str = ""
    ) -> dict[str, Any]:
        """A member of the workspace, as `users.info` describes one (an empty display name
        is what Slack gives someone who never set one)."""
        self.users[user] = {
            "id": user,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": False,
            "real_name": real_name,
            "tz": "Europe/London",
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": display_name,
                "display_name_normalized": display_name,
                "team": TEAM_ID,
            },
            "is_bot": False,
            "is_app_user": False,
        }
        return self.users[user]

    def shared_files(self) -> list[Upload]:
        """Uploads completed and shared, in the order they were shared."""
        return [u for u in self.uploads.values() if u.channel]

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        await self._changed.notify()

    def _take_failure(self, method: str) -> _Failure | None:
        failure = self._failures.get(method)
        if failure is None:
            return None
        failure.times -= 1
        if failure.times <= 0:
            del self._failures[method]
        return failure

    # -- HTTP -----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        form_token = params.pop("token", None)
        token = _bearer(request) or form_token
        call = Call(method, params, token, request.path)
        await self._record(call)
        if method == "chat.postMessage" and self.delay:
            await asyncio.sleep(self.delay)
        if method == "chat.postMessage" and self._budget is not None:
            wait = self._budget.take(str(params.get("channel", "")))
            if wait is not None:
                call.fault = "429"
                return _failure_response(_Failure(429, 1, max(1, math.ceil(wait))))
        return await self._answer_or_fail(
            request, call, lambda: self._answer(method, params, token)
        )

    async def _answer_or_fail(
        self, request: web.Request, call: Call, answer: Callable[[], Any]
    ) -> web.StreamResponse:
        """The scripted fault for this call, if any; otherwise `answer()` as JSON."""
        failure = self._take_failure(call.method)
        if failure is None:
            return web.json_response(answer())
        call.fault = failure.name
        await self._changed.notify()
        fault = failure.fault
        if fault is None:
            return _failure_response(failure)
        if fault.mode == "hang":
            await hang(request, fault.seconds, self._released)
        else:
            drop(request, answer() if fault.performs else {"ok": True}, fault.cut)
        return nothing()

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        auth_error = self._auth_error(method, token)
        if auth_error is not None:
            return _error(auth_error)
        handler = self._methods.get(method)
        if handler is None:
            return _error("unknown_method")
        if method in _CHAT_CHANNEL_METHODS:
            channel = params.get("channel")
            if not channel:
                return _error("channel_not_found")
            if channel in self._channel_errors:
                return _error(self._channel_errors[channel])
        return handler(params)

    def _auth_error(self, method: str, token: str | None) -> str | None:
        if token in self._refused:
            return self._refused[token]
        bot_tokens = {self.bot_token, *self.other_bot_tokens}
        wanted = {self.app_token} if method in _APP_TOKEN_METHODS else bot_tokens
        if token in wanted:
            return None
        if token in bot_tokens or token == self.app_token:
            return "not_allowed_token_type"  # what Slack says for the wrong kind of token
        return "invalid_auth"

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        params = await _read_params(request)
        call = Call("response_url", params, None, request.path)
        await self._record(call)
        return await self._answer_or_fail(request, call, lambda: {"ok": True})

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        """The upload URL: the file's bytes as the body; Slack answers in plain text."""
        upload = self.uploads.get(request.match_info["file_id"])
        body = await request.read()
        await self._record(Call("upload", {"length": len(body)}, _bearer(request), request.path))
        failure = self._take_failure("upload")  # statuses only: uploads never hang or drop
        if failure is not None and failure.fault is None:
            return _failure_response(failure)
        if upload is None:
            return web.Response(status=404, text="Not Found")
        upload.content = body
        return web.Response(text=f"OK - {len(body)}", content_type="text/plain")

    # -- Web API methods ------------------------------------------------------------------------

    def _ts(self) -> str:
        n = next(self._serial) * 100
        return f"{1_700_000_000 + n // 1_000_000}.{n % 1_000_000:06d}"

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "rounds",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text", ""),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
            "blocks": params.get("blocks", []),
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        return message

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = self._ts()
        message = self._message(params, ts)
        self.posted.add((params["channel"], ts))
        if not params.get("thread_ts"):
            self.history.setdefault(params["channel"], []).append(message)
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, as Slack answers; metadata only with include_all_metadata."""
        channel = params.get("channel")
        if not channel:
            return _error("channel_not_found")
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = list(reversed(self.history.get(channel, [])))[:limit]
        if not with_metadata:
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        return {"ok": True, "messages": messages, "has_more": False}

    def _open_dm(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", ""))
        if not users:
            return _error("users_list_not_supplied")
        if users in self._user_errors:
            return _error(self._user_errors[users])
        if users == BOT_USER_ID:
            return _error("cannot_dm_bot")
        channel = {"id": "D0" + users.replace(",", ""), "is_im": True, "user": users}
        return {"ok": True, "channel": channel}

    def _user_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user", ""))
        if user in self._user_errors:
            return _error(self._user_errors[user])
        if user not in self.users:
            return _error("user_not_found")
        return {"ok": True, "user": self.users[user]}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(params.get("filename", "")), str(params.get("length", ""))
        if not filename or not length.isdigit():
            return _error("invalid_arguments")
        file_id = f"F0{next(self._serial):08d}"
        self.uploads[file_id] = Upload(file_id, filename, int(length))
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        found = [self.uploads.get(str(f.get("id"))) for f in files if isinstance(f, dict)]
        uploads = [u for u in found if u is not None and u.content is not None]
        if len(uploads) != len(files):
            return _error("file_not_found")
        if any(len(u.content or b"") != u.length for u in uploads):
            return _error("file_upload_size_mismatch")  # the length asked for was not sent
        for upload, item in zip(uploads, files, strict=True):
            upload.title = str(item.get("title") or upload.filename)
            upload.channel = str(params.get("channel_id") or params.get("channels") or "")
            upload.initial_comment = str(params.get("initial_comment") or "")
        shown = [{"id": u.file_id, "name": u.filename, "title": u.title} for u in uploads]
        return {"ok": True, "files": shown}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user"):
            return _error("user_not_in_channel")
        return {"ok": True, "message_ts": self._ts()}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("ts"):
            return _error("message_not_found")
        ts = params["ts"]
        message = self._message(params, ts)
        del message["ts"]
        channel = params["channel"]
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        """A message deleted once is gone: deleting it again is `message_not_found`."""
        where = (str(params["channel"]), str(params.get("ts") or ""))
        if not where[1] or where in self.deleted:
            return _error("message_not_found")
        self.deleted.append(where)  # (`history` keeps it: what the channel once showed)
        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}

    def _delete_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """A file the bot uploaded; one unknown or deleted already is `file_not_found`."""
        file_id = str(params.get("file") or "")
        if file_id not in self.uploads or file_id in self.deleted_files:
            return _error("file_not_found")
        self.deleted_files.append(file_id)
        return {"ok": True}

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        view_id = params.get("view_id") or f"V0{next(self._serial):08d}"
        return {"ok": True, "view": self._view_state(view, view_id)}

    def _publish_home(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.publish: a user's Home tab. An image block must name a file uploaded here."""
        view, user = params.get("view"), str(params.get("user_id") or "")
        if not isinstance(view, dict) or view.get("type") != "home" or not user:
            return _error("invalid_arguments")
        images = [b for b in view.get("blocks") or [] if b.get("type") == "image"]
        if any((b.get("slack_file") or {}).get("id") not in self.uploads for b in images):
            return _error("invalid_blocks")
        self.homes[user] = view
        return {"ok": True, "view": self._view_state(view, f"V0{next(self._serial):08d}")}

    def _view_state(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{uuid.uuid4().hex[:8]}",
            "title": view.get("title"),
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        base = self.base_url.replace("http", "ws", 1)  # http: ws, https: wss
        url = f"{base}/socket?ticket={ticket}&app_id={APP_ID}"
        return {"ok": True, "url": url}

    # -- Socket Mode ----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(request.query["ticket"])
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json(self._hello())
        self._sockets.append(ws)
        await self._changed.notify()
        try:
            await self._read_acks(ws)
        finally:
            self._sockets.remove(ws)
            await self._changed.notify()
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._sockets) + 1,
            "debug_info": {
                "host": "applink-fake-1",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": APP_ID},
        }

    async def _read_acks(self, ws: web.WebSocketResponse) -> None:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            if isinstance(ack, dict) and "envelope_id" in ack:
                self._acks[ack["envelope_id"]] = ack
                await self._changed.notify()

    async def wait_for_socket(self, timeout: float = 5.0, count: int = 1) -> None:  # noqa: ASYNC109
        """Wait until `count` Socket Mode clients are connected (and have had `hello`)."""
        if not await self._changed.wait_for(lambda: len(self._sockets) >= count, timeout):
            raise AssertionError(f"not {count} Socket Mode connections within {timeout}s")

    async def socket_send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        accepts_response_payload: bool = True,
        retry_attempt: int = 0,
        retry_reason: str = "",
        connection: int = -1,
    ) -> str:
        """Send an envelope ("slash_commands", "interactive", "events_api") over one of the
        open connections (the newest by default); return its id."""
        assert self._sockets, "no Socket Mode connection; await wait_for_socket() first"
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        await self._sockets[connection].send_json(envelope)
        return envelope_id

    async def socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait for the app's ack of `envelope_id` ({"envelope_id": ..., "payload": ...?})."""
        if not await self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
            raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
        return self._acks[envelope_id]
