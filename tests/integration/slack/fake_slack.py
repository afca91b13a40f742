"""A fake Slack Web API (and response_url endpoint) on 127.0.0.1, served from its own thread.

It answers with bodies shaped like Slack's, records every call, and checks each one with
`validate.check_call`, so a test fails on anything real Slack would refuse. Failures can be scripted
per method (e.g. a 429 with Retry-After) to exercise the client's retry handlers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.integration.slack.validate import check_call, check_message

TEAM_ID = "T0MENTOR"
BOT_USER_ID = "UBOT0001"
BOT_TOKEN = "xoxb-1111-2222-fake"
APP_TOKEN = "xapp-1-A0MENTOR-3333-fake"


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    status: int
    at: float
    response: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def fake_email(user_id: str) -> str:
    """The work email of a fake user, as users.info and users.lookupByEmail give it."""
    return f"{user_id.lower()}@acme.test"


@dataclass
class FakeFile:
    """A file as the fake holds it: announced by files.getUploadURLExternal, its bytes POSTed to the
    upload URL, then shared by files.completeUploadExternal."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None


@dataclass
class FakeUser:
    id: str
    name: str
    tz: str = "Europe/London"
    deleted: bool = False
    is_bot: bool = False
    team_id: str = TEAM_ID
    """Another workspace's id: an external (Slack Connect) account users.info still answers for."""
    locale: str = "en-US"
    """Given by users.info only when asked with `include_locale`, as Slack does."""


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, list[str]] = {}
        """Channel id to member ids, for conversations.members; a channel missing here is one the bot
        is not in."""
        self.failures: dict[str, deque[tuple[Callable[[dict[str, Any]], bool], Failure]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-slack", daemon=True)
        self.port = 0
        self.files: dict[str, FakeFile] = {}
        self._file_ids = itertools.count(1)
        self.socket_acks: list[dict[str, Any]] = []
        self._sockets: list[web.WebSocketResponse] = []

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Slack did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(runner.cleanup())
            self._loop.close()

    # --- scripting and reading --------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        deleted: bool = False,
        is_bot: bool = False,
        team_id: str = TEAM_ID,
        locale: str = "en-US",
    ) -> None:
        self.users[user_id] = FakeUser(user_id, name, tz, deleted, is_bot, team_id, locale)

    def fail_next(
        self, method: str, failure: Failure, when: Callable[[dict[str, Any]], bool] = lambda args: True
    ) -> None:
        """Answer the next call of `method` whose arguments match `when` with `failure` (once)."""
        with self._lock:
            self.failures[method].append((when, failure))

    def _scripted_failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        with self._lock:
            for entry in self.failures[method]:
                if entry[0](args):
                    self.failures[method].remove(entry)
                    return entry[1]
        return None

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> set[str]:
        with self._lock:
            return {c.method for c in self.calls if not c.method.startswith("response_url")}

    def successful(self, method: str) -> list[Call]:
        return [c for c in self.of(method) if c.status == 200]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    # --- handlers ---------------------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                args.update(json.loads(raw or "{}"))
            else:
                args.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass
        return args

    def _record(self, method: str, args: dict[str, Any], status: int, response: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, args, status, time.monotonic(), response))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        if "token" in args:
            self.problems.append(f"{method}: the token travelled in the body instead of the header")
        failure = self._scripted_failure(method, args)
        if failure is not None:
            self._record(method, args, failure.status, failure.body)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        body = self._answer(method, args, auth)
        self._record(method, args, 200, body)
        headers = (
            {"x-oauth-scopes": "chat:write,commands,mpim:write,users:read,users:read.email"}
            if method == "auth.test"
            else {}
        )
        return web.json_response(body, headers=headers)

    def _answer(self, method: str, args: dict[str, Any], auth: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if auth != f"Bearer {APP_TOKEN}":
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if auth != f"Bearer {BOT_TOKEN}":
            return {"ok": False, "error": "not_authed" if not auth else "invalid_auth"}
        try:
            problems = check_call(method, args)
        except AssertionError as error:
            problems = [str(error)]
        if problems:
            self.problems += problems
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(args)

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        problems = check_message(body)
        if body.get("response_type") not in (None, "ephemeral", "in_channel"):
            problems.append(f"response_type {body.get('response_type')!r}")
        self.problems += [f"response_url: {p}" for p in problems]
        with self._lock:
            self.calls.append(Call(f"response_url:{request.match_info['name']}", body, 200, time.monotonic()))
            self.responses.append(body)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: takes the file's bytes with POST, and exactly the length announced."""
        file = self.files.get(request.match_info["file_id"])
        data = await request.read()
        if file is None:
            return web.Response(status=404, text="unknown upload")
        if len(data) != file.length:
            self.problems.append(f"upload of {file.filename}: {len(data)} bytes, announced {file.length}")
            return web.Response(status=400, text="length mismatch")
        with self._lock:
            file.data = data
        return web.Response(text=f"OK - {len(data)}")

    def shared_files(self) -> list[FakeFile]:
        """Files uploaded whole and shared in a channel, in the order they were shared."""
        with self._lock:
            return [f for f in self.files.values() if f.channel is not None]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then relay pushed envelopes and record the app's acks."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake"},
                "connection_info": {"app_id": "A0MENTOR"},
            }
        )
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                with self._lock:
                    self.socket_acks.append(json.loads(message.data))
        return socket

    def push_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to every connected app."""

        async def push() -> None:
            for socket in list(self._sockets):
                if not socket.closed:
                    await socket.send_json(envelope)

        asyncio.run_coroutine_threadsafe(push(), self._loop).result(5)

    @property
    def socket_connected(self) -> bool:
        return any(not s.closed for s in self._sockets)

    # --- method bodies, shaped like Slack's -------------------------------------------------------

    def _ts_now(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme-mentoring.slack.com/",
            "team": "Acme",
            "user": "mentorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "B0MENTOR",
            "is_enterprise_install": False,
        }

    def _user_error(self, user_id: str) -> str | None:
        user = self.users.get(user_id)
        if user is None:
            return "user_not_found" if user_id.startswith(("U", "W")) else None
        return "account_inactive" if user.deleted else None

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        if channel.startswith(("U", "W")):
            error = self._user_error(channel)
            if error:
                return {"ok": False, "error": "channel_not_found" if error == "user_not_found" else error}
            channel = "D" + channel[1:]
        elif channel.startswith("CNOTIN"):
            return {"ok": False, "error": "not_in_channel"}
        ts = self._ts_now()
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": "B0MENTOR",
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
                "ts": ts,
                "team": TEAM_ID,
            },
        }

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", "")}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = sorted(str(args.get("users", "")).split(","))
        for user_id in users:
            error = self._user_error(user_id)
            if error:
                return {
                    "ok": False,
                    "error": "user_not_found" if error == "user_not_found" else "user_disabled",
                }
        channel_id = ("G" if len(users) > 1 else "D") + "".join(u[-3:] for u in users).upper()
        return {
            "ok": True,
            "no_op": False,
            "already_open": False,
            "channel": {
                "id": channel_id,
                "is_mpim": len(users) > 1,
                "is_im": len(users) == 1,
                "created": int(time.time()),
            },
        }

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._file_ids):08d}"
        with self._lock:
            self.files[file_id] = FakeFile(
                file_id, str(args["filename"]), int(args["length"]), args.get("alt_txt") or None
            )
        return {
            "ok": True,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
            "file_id": file_id,
        }

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        """Shares uploaded files in a channel: every id must be one whose bytes arrived, and a channel
        is needed (without one the file would stay private, seen by nobody)."""
        items = json.loads(args["files"])
        channel = str(args.get("channel_id") or "")
        if not channel:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": ["no channel"]},
            }
        if channel.startswith("CNOTIN"):
            return {"ok": False, "error": "not_in_channel"}
        with self._lock:
            files = [self.files.get(item["id"]) for item in items]
            if any(f is None or f.data is None for f in files):
                return {"ok": False, "error": "file_not_found"}
            shared = []
            for item, file in zip(items, files, strict=True):
                assert file is not None
                file.title = item.get("title") or file.filename
                file.channel = channel
                shared.append(
                    {"id": file.id, "title": file.title, "name": file.filename, "size": file.length}
                )
        return {"ok": True, "files": shared}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        asked_locale = str(args.get("include_locale", "")).lower() in ("true", "1")
        return {
            "ok": True,
            "user": {
                **({"locale": user.locale} if asked_locale else {}),
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name.lower().replace(" ", "."),
                "deleted": user.deleted,
                "real_name": user.name,
                "tz": user.tz,
                "tz_label": user.tz,
                "tz_offset": 0,
                "is_bot": user.is_bot,
                "profile": {
                    "real_name": user.name,
                    "display_name": user.name,
                    "email": fake_email(user.id),
                },
            },
        }

    def _users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).strip().lower()
        user = next((u for u in self.users.values() if fake_email(u.id) == email), None)
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        if user.deleted:
            return {"ok": False, "error": "account_inactive"}
        return self._users_info({"user": user.id})

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """A channel's member ids, paged like users.list; `not_in_channel` where the bot is not."""
        members = self.channels.get(str(args["channel"]))
        if members is None:
            return {"ok": False, "error": "not_in_channel"}
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        more = start + limit < len(members)
        return {
            "ok": True,
            "members": members[start : start + limit],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every account, a page at a time (`limit`, `cursor`), as users.list pages them."""
        everyone = sorted(self.users)
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        page = everyone[start : start + limit]
        more = start + limit < len(everyone)
        return {
            "ok": True,
            "members": [self._users_info({"user": user_id})["user"] for user_id in page],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _view_body(self, view: dict[str, Any]) -> dict[str, Any]:
        number = next(self._views)
        return {
            **view,
            "id": f"V{number:08d}",
            "team_id": TEAM_ID,
            "hash": f"{number}.abc",
            "state": {"values": {}},
        }

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not str(args["trigger_id"]).startswith("trig-"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": self._view_body(args["view"])}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": self._view_body(args["view"])}
