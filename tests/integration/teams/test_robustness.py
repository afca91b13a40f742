"""Whatever arrives at /api/messages, the answer is a 4xx or a friendly reply: never a 500, never a
traceback. Activities are generated, then posted over HTTP with valid channel tokens."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.teams.app import TeamsIntegration
from adapters.teams.resilience import RetryPolicy
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.services.context import ProgramConfig
from tests.integration.teams.conftest import (
    APP_ID,
    APP_PASSWORD,
    START,
    FixedPrompts,
    IssuerCredentialsFactory,
    teams_settings,
)
from tests.integration.teams.fake_bot_framework import FakeBotFramework
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.stores import TestStore
from tests.unit.teams.activities import BOT_ID, TENANT, personal_message
from tests.unit.teams.card_validation import assert_valid_activity

COMMAND_WORDS = [
    "help",
    "join",
    "profile",
    "status",
    "pause",
    "resume",
    "leave",
    "goals",
    "checkin",
    "stats",
    "pair",
    "export",
    "pause until 2026-12-24",
    "pair --dry-run",
    "goals add learn SQL",
    "😀",
    "",
]

scalars = st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
submit_values = st.fixed_dictionaries(
    {},
    optional={
        "action_id": st.sampled_from(["checkin_answer", "checkin_rating", "leave", "assess", "nope"])
        | st.text(max_size=10),
        "value": st.text(max_size=40) | scalars,
        "form_id": st.sampled_from(["join", "checkin_note", "goal_add", "other"]) | scalars,
        "context": scalars,
        "multiselect": st.lists(st.text(max_size=10), max_size=3) | scalars,
        "role": st.sampled_from(["mentor", "leader", "both", "boss"]) | scalars,
        "skills": st.text(max_size=40) | json_values,
        "seniority": st.text(max_size=3) | scalars,
        "timezone": st.sampled_from(["Europe/London", "Mars/Base"]) | scalars,
        "department": st.text(max_size=80),
    },
)


def activities(service_url: str) -> st.SearchStrategy[dict[str, Any]]:
    def build(kind: str, text: Any, value: Any, sender: Any, extra: dict[str, Any]) -> dict[str, Any]:
        body = personal_message("29:fuzz", "", service_url)
        body.update(type=kind, text=text, value=value)
        if sender is not None:
            body["from"] = sender
        body.update(extra)
        return body

    return st.builds(
        build,
        kind=st.sampled_from(
            ["message", "conversationUpdate", "installationUpdate", "invoke", "event", "typing"]
        )
        | st.text(max_size=12),
        text=st.sampled_from(COMMAND_WORDS) | st.text(max_size=80) | scalars,
        value=st.none() | submit_values | json_values,
        sender=st.none()
        | st.fixed_dictionaries(
            {"id": st.sampled_from(["29:fuzz", "29:admin", ""]) | scalars, "name": scalars}
        )
        | json_values,
        extra=st.fixed_dictionaries(
            {},
            optional={
                "entities": st.lists(
                    st.fixed_dictionaries(
                        {"type": st.sampled_from(["mention", "clientInfo"]) | st.text(max_size=8)},
                        optional={
                            "text": st.text(max_size=20),
                            "mentioned": json_values | st.just({"id": BOT_ID}),
                        },
                    ),
                    max_size=2,
                ),
                "membersAdded": st.lists(
                    st.fixed_dictionaries({"id": st.sampled_from([BOT_ID, "29:x"])}), max_size=2
                )
                | json_values,
                "action": st.sampled_from(["add", "remove"]) | scalars,
                "channelData": st.just({"tenant": {"id": TENANT}}) | json_values,
                "conversation": st.fixed_dictionaries(
                    {"id": st.text(max_size=20)},
                    optional={
                        "conversationType": st.sampled_from(["personal", "channel", "groupChat"]) | scalars
                    },
                )
                | json_values,
                "serviceUrl": st.sampled_from([service_url, "not a url", ""]) | st.none(),
                "id": st.text(max_size=12) | scalars,
                "replyToId": st.text(max_size=12),
            },
        ),
    )


class ThreadedBot:
    """The bot's web server on its own loop in a thread, so a synchronous Hypothesis test can post."""

    def __init__(self, framework: FakeBotFramework) -> None:
        self.framework = framework
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="teams-bot", daemon=True)

    def __enter__(self) -> ThreadedBot:
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.close(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> str:
        store = TestStore()
        settings_ = teams_settings(self.framework)
        engine = Mentorbot(
            store, ManualClock(START), GreedyMatcher(), FixedPrompts(), ProgramConfig(admins=settings_.admins)
        )
        integration = TeamsIntegration(
            settings_,
            store,
            credentials_factory=IssuerCredentialsFactory(APP_ID, APP_PASSWORD),
            retry=RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.01),
        )
        engine.register_chat(integration.chat)
        app = web.Application()
        integration.attach(app, engine)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return str(self._server.make_url("/api/messages"))


@pytest.fixture(scope="module")
def threaded_bot() -> Iterator[ThreadedBot]:
    framework = FakeBotFramework(APP_ID, APP_PASSWORD)
    framework.start()
    try:
        with ThreadedBot(framework) as bot:
            yield bot
    finally:
        framework.stop()


STATUSES: list[int] = []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_activities_get_a_4xx_or_a_friendly_reply(
    threaded_bot: ThreadedBot, data: st.DataObject
) -> None:
    framework = threaded_bot.framework
    activity = data.draw(activities(framework.service_url))
    before = len(framework.sent)
    service_url = activity.get("serviceUrl") if isinstance(activity.get("serviceUrl"), str) else None
    token = framework.channel_token(service_url=service_url or framework.service_url)
    response = requests.post(
        threaded_bot.url,
        data=json.dumps(activity),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    STATUSES.append(response.status_code)
    assert response.status_code == 200 or 400 <= response.status_code < 500, (
        response.status_code,
        response.text,
    )
    assert "Traceback" not in response.text and 'File "' not in response.text
    for sent in framework.sent[before:]:
        text = json.dumps(sent.activity)
        assert "Traceback" not in text and 'File "' not in text
        assert_valid_activity(sent.activity)


def test_the_generator_reached_both_the_engine_and_the_validation() -> None:
    """Guards the test above against a generator that only ever produces one kind of request."""
    if not STATUSES:
        pytest.skip("runs after the generated-activities test")
    assert 200 in STATUSES and 400 in STATUSES
