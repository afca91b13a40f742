"""Slack's errors mapped to what the outbox needs to know: give up, or retry (and when)."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.chat import delivery_error, message_id
from adapters.slack.translate import action_event, command_event, retry_number


def api_error(code: str, status: int = 200, headers: dict | None = None) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://127.0.0.1/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    "code",
    [
        "user_not_found",
        "account_inactive",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cannot_dm_bot",
    ],
)
def test_errors_that_no_retry_can_fix_are_permanent(code: str) -> None:
    error = delivery_error(api_error(code))
    assert error.permanent and code in str(error)


def test_a_rate_limit_carries_the_retry_after() -> None:
    error = delivery_error(api_error("ratelimited", 429, {"Retry-After": "17"}))
    assert not error.permanent and error.retry_after == 17.0


def test_server_trouble_and_lost_connections_are_retried() -> None:
    assert not delivery_error(api_error("internal_error", 500)).permanent
    assert not delivery_error(aiohttp.ClientConnectionError("reset")).permanent
    assert not delivery_error(TimeoutError()).permanent


def test_a_revoked_token_waits_for_the_admin_instead_of_dropping_messages() -> None:
    error = delivery_error(api_error("token_revoked"))
    assert not error.permanent and error.retry_after and error.retry_after >= 60


def test_message_ids_carry_their_channel() -> None:
    assert message_id("D123", "1700000000.000100") == "D123:1700000000.000100"


def test_translation_ignores_payloads_missing_what_an_event_needs() -> None:
    assert command_event({"team_id": "T1", "user_id": "U1"}) is None
    assert command_event({"team_id": "T1", "user_id": "U1", "trigger_id": "t", "text": 5}).text == ""
    assert action_event({"user": {"id": "U1"}, "team": {"id": "T1"}, "actions": []}) is None
    clicked = action_event(
        {
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "trigger_id": "t1",
            "actions": [{"action_id": "checkin_answer#3", "value": "c:met"}],
        }
    )
    assert (
        clicked is not None
        and clicked.action_id == "checkin_answer"
        and clicked.event_id == "slack:action:t1"
    )


def test_retry_number_reads_slacks_header_in_any_case() -> None:
    assert retry_number({"x-slack-retry-num": ["2"]}) == 2
    assert retry_number({"X-Slack-Retry-Num": "1"}) == 1
    assert retry_number({"X-Slack-Retry-Num": "nope"}) == 0
    assert retry_number({}) == 0
