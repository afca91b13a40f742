"""Running the Slack front end: on the project's aiohttp server, or over Socket Mode.

The HTTP handler is as thin as Bolt's own aiohttp adapter, plus the checks that keep an attacker from
spending the bot's time: the body is read only up to a size cap, and its HMAC signature and timestamp
are checked over the raw bytes before anything is decoded or parsed, so an unsigned megabyte costs a
hash and a 401. Only then is the body parsed, with caps on form fields and JSON depth, and a malformed
request is a 4xx, never a traceback. A rejected request writes one short log line, never its body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import SlackFrontEnd

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 256 * 1024
"""Slack's largest payloads (a submitted modal) are a few tens of kilobytes."""
MAX_FORM_FIELDS = 64
"""A slash command has about fifteen fields and an interaction one (`payload`)."""
MAX_REQUEST_AGE_SECONDS = 5 * 60
"""Slack's own advice: refuse requests signed more than five minutes away from now (replays)."""
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
FRONT_END_KEY: web.AppKey[SlackFrontEnd] = web.AppKey("slack_front_end", SlackFrontEnd)


def _well_formed_interaction(payload: dict[str, Any]) -> bool:
    """Bolt indexes into these without checking; Slack always sends them, so a lack means a forgery."""
    kind = payload.get("type")
    if kind == "block_actions":
        actions = payload.get("actions")
        return (
            isinstance(actions, list)
            and bool(actions)
            and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
            and isinstance(payload.get("user"), dict)
        )
    if kind in ("view_submission", "view_closed"):
        return isinstance(payload.get("view"), dict) and isinstance(payload.get("user"), dict)
    return True


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_problem(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> str | None:
    """Why a request is not Slack's, or None when it is: checked over the raw bytes, before parsing."""
    if not timestamp or not _TIMESTAMP.match(timestamp):
        return "missing or malformed timestamp"
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
        return "stale timestamp"
    if not signature or not _SIGNATURE.match(signature):
        return "missing or malformed signature"
    expected = hmac.new(
        secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest("v0=" + expected, signature):
        return "bad signature"
    return None


async def _read_capped(request: web.Request) -> bytes:
    """The body, refusing one over the cap before reading it (declared) or as soon as it passes it."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _Refused(413, "request body too large")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _parsed(body: str, content_type: str) -> None:
    """Refuse what Bolt would choke on: too many fields, a `payload` that is not a well-formed JSON
    object (too deep included), an event body that is not a JSON object."""
    try:
        if content_type.startswith("application/json"):
            if not isinstance(json.loads(body), dict):
                raise _Refused(400, "unreadable Slack payload")
            return
        form = parse_qs(body, max_num_fields=MAX_FORM_FIELDS)
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if not (isinstance(payload, dict) and _well_formed_interaction(payload)):
                raise _Refused(400, "unreadable Slack payload")
    except (ValueError, RecursionError) as error:
        raise _Refused(400, "unreadable Slack payload") from error


def slack_request_handler(front_end: SlackFrontEnd) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    secret = front_end.config.signing_secret

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            raw = await _read_capped(request)
            problem = signature_problem(
                secret,
                raw,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
            )
            if problem:
                raise _Refused(401, problem)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _Refused(400, "request body must be UTF-8") from error
            _parsed(body, request.content_type or "")
        except _Refused as refused:
            logger.info(
                "refused a Slack request from %s: %s (%d)", request.remote, refused.reason, refused.status
            )
            return web.Response(status=refused.status, text=refused.reason)
        try:
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
            bolt_response = await front_end.app.async_dispatch(bolt_request)
        except Exception:  # a payload shape Bolt cannot digest; Slack itself never sends one
            logger.exception("Bolt could not handle a Slack request")
            return web.Response(status=400, text="unreadable Slack payload")
        return await to_aiohttp_response(bolt_response)

    return handle


def attach_slack(web_app: web.Application, front_end: SlackFrontEnd, path: str = EVENTS_PATH) -> None:
    """Serve commands, interactivity and events on one URL, and finish in-flight work on shutdown."""
    web_app[FRONT_END_KEY] = front_end
    web_app.router.add_post(path, slack_request_handler(front_end))

    async def warm_up(_: web.Application) -> None:
        await front_end.warm_up()

    async def finish_background_work(_: web.Application) -> None:
        await front_end.close()

    web_app.on_startup.append(warm_up)
    web_app.on_shutdown.append(finish_background_work)


async def start_socket_mode(front_end: SlackFrontEnd, app_token: str) -> AsyncSocketModeHandler:
    """Connect over Socket Mode (no public URL needed) and return; `front_end.close()` disconnects."""
    await front_end.warm_up()
    handler = AsyncSocketModeHandler(front_end.app, app_token, web_client=front_end.chat.client)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    front_end.socket_mode = handler
    return handler
