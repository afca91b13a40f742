"""Throttling is retried honouring Retry-After; what can never succeed becomes a permanent DeliveryError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from msrest.exceptions import HttpOperationError

from adapters.teams.resilience import (
    ConnectorCalls,
    RetryPolicy,
    backoff_seconds,
    delivery_error,
    retry_after_of,
)

FAST = RetryPolicy(attempts=4, initial_wait=0.001, max_wait=5.0)


def http_error(status: int, headers: dict[str, str] | None = None) -> HttpOperationError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    error = HttpOperationError.__new__(HttpOperationError)
    Exception.__init__(error, f"Operation returned an invalid status code {status}")
    error.response = response
    return error


class Flaky:
    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "sent"


def test_retry_after_in_seconds_and_as_a_date() -> None:
    assert retry_after_of(http_error(429, {"Retry-After": "3"})) == 3.0
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    dated = http_error(429, {"Retry-After": format_datetime(now + timedelta(seconds=90), usegmt=True)})
    assert retry_after_of(dated, now) == 90.0
    assert retry_after_of(http_error(429)) is None
    assert retry_after_of(http_error(429, {"Retry-After": "soon"})) is None


def test_backoff_never_undercuts_retry_after_and_stays_capped_without_it() -> None:
    policy = RetryPolicy(attempts=5, initial_wait=0.5, max_wait=4.0)
    for attempt in range(1, 8):
        assert backoff_seconds(policy, attempt, 2.5) >= 2.5
        assert 0 < backoff_seconds(policy, attempt, None) <= 4.0


async def test_throttled_calls_are_retried_until_they_succeed() -> None:
    calls = ConnectorCalls(FAST)
    flaky = Flaky(http_error(429, {"Retry-After": "0"}), http_error(503), http_error(412))
    assert await calls.run("tenant", "conv", flaky) == "sent"
    assert flaky.calls == 4 and calls.retries == 3


async def test_a_forbidden_call_is_not_retried_and_is_permanent() -> None:
    calls = ConnectorCalls(FAST)
    flaky = Flaky(http_error(403))
    with pytest.raises(HttpOperationError) as raised:
        await calls.run("tenant", "conv", flaky)
    assert flaky.calls == 1
    error = delivery_error(raised.value, "DM to 29:ada")
    assert error.permanent and "403" in str(error)


async def test_a_retry_after_longer_than_we_wait_is_left_to_the_outbox() -> None:
    calls = ConnectorCalls(FAST)
    flaky = Flaky(http_error(429, {"Retry-After": "120"}))
    with pytest.raises(HttpOperationError) as raised:
        await calls.run("tenant", "conv", flaky)
    assert flaky.calls == 1
    error = delivery_error(raised.value, "DM")
    assert not error.permanent and error.retry_after == 120.0


async def test_retries_stop_after_the_policys_attempts() -> None:
    calls = ConnectorCalls(FAST)
    flaky = Flaky(*(http_error(502) for _ in range(10)))
    with pytest.raises(HttpOperationError):
        await calls.run("tenant", "conv", flaky)
    assert flaky.calls == FAST.attempts
    assert not delivery_error(http_error(502), "DM").permanent


def test_not_found_and_bad_request_are_permanent_and_auth_trouble_is_not() -> None:
    assert delivery_error(http_error(404), "x").permanent
    assert delivery_error(http_error(400), "x").permanent
    unauthorised = delivery_error(http_error(401), "x")
    assert not unauthorised.permanent and "MICROSOFT_APP_PASSWORD" in str(unauthorised)
    assert not delivery_error(ConnectionError("reset"), "x").permanent
