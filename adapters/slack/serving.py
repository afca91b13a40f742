"""Running the Slack front end: on the project's aiohttp server, or over Socket Mode.

The HTTP handler is as thin as Bolt's own aiohttp adapter, plus what keeps a malformed request a 4xx:
a body that is not UTF-8 or a `payload=` that is not JSON is refused before Bolt parses it.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import SlackFrontEnd

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
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


def _readable(body: str, content_type: str) -> bool:
    """What Bolt would choke on: a `payload` that is not a well-formed JSON object, events not JSON."""
    if content_type.startswith("application/json"):
        try:
            return isinstance(json.loads(body), dict)
        except ValueError:
            return False
    form = parse_qs(body)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            return False
        return isinstance(payload, dict) and _well_formed_interaction(payload)
    return True


def slack_request_handler(front_end: SlackFrontEnd) -> web.RequestHandler:
    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="request body must be UTF-8")
        if not _readable(body, request.content_type or ""):
            return web.Response(status=400, text="unreadable Slack payload")
        try:
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
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
    await handler.connect_async()
    front_end.socket_mode = handler
    return handler
