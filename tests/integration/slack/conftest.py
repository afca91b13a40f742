"""The Slack front end served on 127.0.0.1 with the real engine, driven the way Slack drives it.

Requests are built as Slack sends them (form-encoded slash commands, `payload=` JSON for
interactivity, event_callback JSON) and signed with slack_sdk's `SignatureVerifier`; the Web API is
the fake in `fake_slack.py`, which fails the test on anything real Slack would refuse.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackConfig, SlackFrontEnd
from adapters.slack.chat import Pacing
from adapters.slack.scopes import METHOD_SCOPES
from adapters.slack.serving import attach_slack
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.services.context import ProgramConfig
from tests.integration.slack.fake_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.stores import TestStore

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN = "UADMIN001"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday morning


@dataclass
class Sent:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SlackDriver:
    """Plays Slack: signs and posts requests to the bot, and reads what the bot sent to the fake."""

    fake: FakeSlack
    url: str
    session: aiohttp.ClientSession
    front_end: SlackFrontEnd
    engine: Mentorbot
    store: TestStore
    clock: ManualClock
    verifier: SignatureVerifier = field(default_factory=lambda: SignatureVerifier(SIGNING_SECRET))
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_number(self) -> int:
        return next(self._numbers)

    def signed_headers(
        self, body: str, timestamp: int | None = None, content_type: str = ""
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
            "Content-Type": content_type,
        }

    async def post(
        self,
        body: str,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Sent:
        headers = self.signed_headers(body, timestamp, content_type)
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        headers.update(extra_headers or {})
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            return Sent(response.status, await response.text())

    async def settle(self) -> None:
        await self.front_end.background.drain(timeout=30)

    # --- what Slack sends -------------------------------------------------------------------------

    def command_body(
        self, user_id: str, text: str, channel_id: str = "C0GENERAL", channel_name: str = "general"
    ) -> str:
        n = self.next_number()
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM_ID,
                "team_domain": "acme-mentoring",
                "channel_id": channel_id,
                "channel_name": channel_name,
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/mentor",
                "text": text,
                "api_app_id": "A0MENTOR",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"command-{n}"),
                "trigger_id": f"trig-{n}.{int(time.time())}.abc123",
            }
        )

    async def command(self, user_id: str, text: str, **kwargs: Any) -> Sent:
        sent = await self.post(
            self.command_body(user_id, text, **kwargs), "application/x-www-form-urlencoded"
        )
        await self.settle()
        return sent

    async def interact(self, payload: dict[str, Any], **kwargs: Any) -> Sent:
        body = urlencode({"payload": json.dumps(payload)})
        sent = await self.post(body, "application/x-www-form-urlencoded", **kwargs)
        await self.settle()
        return sent

    def click_payload(
        self, user_id: str, button: dict[str, Any], message_call: Any | None, from_home: bool = False
    ) -> dict[str, Any]:
        n = self.next_number()
        action = {
            "type": "button",
            "block_id": "b1",
            "action_id": button["action_id"],
            "text": button["text"],
            "action_ts": f"{int(time.time())}.{n:06d}",
        }
        if "value" in button:
            action["value"] = button["value"]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "trigger_id": f"trig-{n}.{int(time.time())}.def456",
            "team": {"id": TEAM_ID, "domain": "acme-mentoring"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if from_home:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}}
        else:
            channel, ts = message_call.response["channel"], message_call.response["ts"]
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = {
                "type": "message",
                "ts": ts,
                "text": message_call.args.get("text", ""),
                "blocks": message_call.args.get("blocks", []),
            }
            payload["response_url"] = self.fake.response_url(f"action-{n}")
        return payload

    async def click(
        self, user_id: str, button: dict[str, Any], message_call: Any | None = None, from_home: bool = False
    ) -> Sent:
        return await self.interact(self.click_payload(user_id, button, message_call, from_home))

    def submit_payload(self, user_id: str, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
        """A view_submission for `view` (as the bot opened it) with `answers` filled in, as Slack builds it."""
        n = self.next_number()
        values: dict[str, Any] = {}
        for block in view["blocks"]:
            if block.get("type") != "input" or block["block_id"] not in answers:
                continue
            element = block["element"]
            answer = answers[block["block_id"]]
            kind = element["type"]
            options = {o["value"]: o for o in element.get("options", [])}
            if kind == "static_select":
                state = {
                    "type": kind,
                    "selected_option": options.get(
                        answer, {"text": {"type": "plain_text", "text": answer}, "value": answer}
                    ),
                }
            elif kind == "external_select":
                # Slack only lets a person pick what the bot's options listener offered for what they typed.
                offered = {o["value"]: o for o in self.offered_options(element, answer)}
                assert answer in offered, f"{answer!r} is not offered when typing it into {block['block_id']}"
                state = {"type": kind, "selected_option": offered[answer]}
            elif kind == "multi_static_select":
                state = {
                    "type": kind,
                    "selected_options": [
                        options.get(a, {"text": {"type": "plain_text", "text": a}, "value": a})
                        for a in answer
                    ],
                }
            elif kind == "datepicker":
                state = {"type": kind, "selected_date": answer}
            elif kind == "users_select":
                state = {"type": kind, "selected_user": answer or None}
            elif kind == "multi_users_select":
                state = {"type": kind, "selected_users": list(answer)}
            else:
                state = {"type": kind, "value": answer}
            values[block["block_id"]] = {element["action_id"]: state}
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "acme-mentoring"},
            "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "trigger_id": f"trig-{n}.{int(time.time())}.ghi789",
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
        }

    def offered_options(self, element: dict[str, Any], typed: str) -> list[dict[str, Any]]:
        """What the bot's options listener offers for `typed`, computed as it does (no request)."""
        from adapters.slack.render import options_response
        from adapters.slack.translate import search_request
        from conversations.options_search import search_options

        request = search_request(
            {"type": "block_suggestion", "action_id": element["action_id"], "value": typed}
        )
        assert request is not None, f"{element['action_id']!r} is not a search menu"
        return options_response(search_options(request.dataset, request.query, 100))

    def suggestion_payload(
        self, user_id: str, view: dict[str, Any], block_id: str, typed: str
    ) -> dict[str, Any]:
        """A block_suggestion as Slack sends it when someone types into an external_select of `view`."""
        block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
        return {
            "type": "block_suggestion",
            "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID},
            "container": {"type": "view", "view_id": view.get("id", "V0000001")},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "action_id": block["element"]["action_id"],
            "block_id": block_id,
            "value": typed,
            "team": {"id": TEAM_ID, "domain": "acme-mentoring"},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {**view, "state": {"values": {}}},
        }

    async def suggest(self, user_id: str, view: dict[str, Any], block_id: str, typed: str) -> Sent:
        """Types into a searchable menu; Slack posts the request and waits for options in the answer."""
        return await self.interact(self.suggestion_payload(user_id, view, block_id, typed))

    async def submit(self, user_id: str, view: dict[str, Any], answers: dict[str, Any]) -> Sent:
        return await self.interact(self.submit_payload(user_id, view, answers))

    def event_body(self, event: dict[str, Any], event_id: str) -> str:
        return json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM_ID,
                "api_app_id": "A0MENTOR",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0001", "is_bot": True}],
                "is_ext_shared_channel": False,
            }
        )

    async def send_event(self, event: dict[str, Any], event_id: str, retry: int | None = None) -> Sent:
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        sent = await self.post(self.event_body(event, event_id), "application/json", extra_headers=extra)
        await self.settle()
        return sent

    # --- reading what the bot sent ----------------------------------------------------------------

    def last_opened_view(self) -> dict[str, Any]:
        calls = self.fake.successful("views.open")
        assert calls, "the bot opened no modal"
        return calls[-1].args["view"]


def buttons_in(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"] if e["type"] == "button"]


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for candidate in buttons_in(blocks):
        if candidate["text"]["text"] == label:
            return candidate
    raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in buttons_in(blocks)]}")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    for user_id, name in (
        ("ULEA00001", "Lea Leader"),
        ("UMAX00001", "Max Mentor"),
        ("UEVE00001", "Eve Outsider"),
        (ADMIN, "Ada Admin"),
    ):
        fake.add_user(user_id, name)
    yield fake
    fake.stop()


def build_engine(store: TestStore, clock: ManualClock) -> Mentorbot:
    # Served through bootstrap, the engine learns the workspace of the bot's token from auth.test; a bare
    # admin id counts there only.
    config = ProgramConfig(admins=frozenset({ADMIN}), home_workspaces={"slack": TEAM_ID})
    return Mentorbot(store, clock, GreedyMatcher(), LibrarySuggester(), config)


@pytest.fixture
async def slack(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackDriver]:
    store, clock = TestStore(tmp_path / "mentorbot.db"), ManualClock(START)  # a file: requests overlap
    engine = build_engine(store, clock)
    front_end = SlackFrontEnd(
        engine,
        SlackConfig(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=fake_slack.api_url,
            pacing=Pacing(messages_per_second=1000, opens_per_minute=1000),
        ),
    )
    engine.register_chat(front_end.chat)
    web_app = web.Application()
    attach_slack(web_app, front_end)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    assert [c.method for c in fake_slack.calls] == ["auth.test"], (
        "auth.test belongs at start, not in a request"
    )
    fake_slack.clear()
    async with aiohttp.ClientSession() as session:
        yield SlackDriver(
            fake_slack, f"http://127.0.0.1:{port}/slack/events", session, front_end, engine, store, clock
        )
    await front_end.background.drain()
    await runner.cleanup()
    assert not fake_slack.problems, "the bot sent what Slack would refuse:\n" + "\n".join(fake_slack.problems)
    unlisted = fake_slack.methods() - set(METHOD_SCOPES)
    assert not unlisted, (
        f"the bot called {unlisted}, which adapters/slack/scopes.py (and so the manifest) lacks"
    )
