"""Whatever arrives, correctly signed or not, the answer is a 4xx or a friendly reply: never a 500,
never a traceback shown to anyone."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.slack.conftest import SlackDriver
from tests.integration.slack.fake_slack import TEAM_ID
from tests.integration.slack.program import LEA

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
ids = st.one_of(st.just(LEA), st.just(TEAM_ID), st.text(max_size=12), st.integers(), st.none())


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


def _assert_friendly(slack: SlackDriver, status: int, body: str) -> None:
    assert status == 200 or 400 <= status < 500, (status, body)
    _no_traceback(body)
    for reply in slack.fake.responses:
        _no_traceback(json.dumps(reply))
        assert reply.get("text"), reply
    assert not slack.fake.problems


@FUZZ
@given(text=st.text(max_size=300))
async def test_any_command_text_gets_a_friendly_reply(slack: SlackDriver, text: str) -> None:
    slack.fake.clear()
    sent = await slack.command(LEA, text)
    _assert_friendly(slack, sent.status, sent.text)
    assert sent.status == 200
    assert slack.fake.responses or slack.fake.successful("views.open"), "every command gets an answer"


@FUZZ
@given(
    kind=st.sampled_from(
        ["block_actions", "view_submission", "view_closed", "shortcut", "message_action", "nonsense"]
    ),
    user=st.one_of(st.fixed_dictionaries({"id": ids, "team_id": ids}), json_values),
    actions=st.one_of(
        st.lists(
            st.fixed_dictionaries(
                {
                    "action_id": st.one_of(
                        st.text(max_size=30), st.just("checkin_answer"), st.just("slack_run_command")
                    ),
                    "value": st.one_of(st.text(max_size=60), st.integers()),
                    "action_ts": st.text(max_size=10),
                }
            ),
            max_size=2,
        ),
        json_values,
    ),
    view=st.one_of(
        st.fixed_dictionaries(
            {
                "callback_id": st.just("mentorbot_form"),
                "private_metadata": st.one_of(st.text(max_size=40), st.just('{"form_id": "join"}')),
                "state": json_values,
                "blocks": st.one_of(st.just([]), json_values),
            }
        ),
        json_values,
    ),
    extra=st.dictionaries(st.text(max_size=10), json_values, max_size=3),
)
async def test_any_signed_interaction_payload_gets_a_4xx_or_a_200(
    slack: SlackDriver, kind: str, user: Any, actions: Any, view: Any, extra: dict[str, Any]
) -> None:
    slack.fake.clear()
    payload = {
        **extra,
        "type": kind,
        "user": user,
        "actions": actions,
        "view": view,
        "team": {"id": TEAM_ID},
        "trigger_id": "trig-fuzz.1.x",
        "response_url": slack.fake.response_url("fuzz"),
    }
    sent = await slack.interact(payload)
    _assert_friendly(slack, sent.status, sent.text)


@FUZZ
@given(
    event=json_values,
    event_id=st.one_of(st.text(max_size=20), st.integers(), st.none()),
    envelope_type=st.sampled_from(["event_callback", "url_verification", "app_rate_limited", "other"]),
)
async def test_any_signed_event_gets_a_4xx_or_a_200(
    slack: SlackDriver, event: Any, event_id: Any, envelope_type: str
) -> None:
    slack.fake.clear()
    body = json.dumps(
        {"type": envelope_type, "team_id": TEAM_ID, "event": event, "event_id": event_id, "challenge": "c"}
    )
    sent = await slack.post(body, "application/json")
    await slack.settle()
    _assert_friendly(slack, sent.status, sent.text)


@FUZZ
@given(
    body=st.one_of(
        st.text(max_size=200),
        st.dictionaries(st.text(max_size=15), st.text(max_size=30), max_size=6).map(urlencode),
        st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
    ),
    content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", ""]),
)
async def test_any_signed_body_gets_a_4xx_or_a_200(slack: SlackDriver, body: str, content_type: str) -> None:
    slack.fake.clear()
    sent = await slack.post(body, content_type)
    await slack.settle()
    _assert_friendly(slack, sent.status, sent.text)


@FUZZ
@given(
    body=st.text(max_size=200),
    signature=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    timestamp=st.integers(min_value=-(2**40), max_value=2**40),
)
async def test_unsigned_or_badly_signed_requests_never_reach_the_engine(
    slack: SlackDriver, body: str, signature: str, timestamp: int
) -> None:
    slack.fake.clear()
    sent = await slack.post(
        body, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature
    )
    await slack.settle()
    assert 400 <= sent.status < 500
    assert slack.fake.calls == [] and not await slack.store.inbound_events()
