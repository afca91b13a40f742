import pytest

from adapters.llm import CircuitBreaker, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(threshold: int = 3, reset_after: float = 60.0) -> tuple[CircuitBreaker, Clock]:
    clock = Clock()
    return CircuitBreaker(failure_threshold=threshold, reset_after=reset_after, clock=clock), clock


def test_stays_closed_below_the_threshold_and_a_success_resets_the_count() -> None:
    b, _ = breaker()
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state is CircuitState.CLOSED and b.allow()


def test_opens_at_the_threshold_and_refuses_until_the_reset_time() -> None:
    b, clock = breaker()
    for _ in range(3):
        b.record_failure()
    assert b.state is CircuitState.OPEN
    clock.now = 59.9
    assert not b.allow()


def test_after_the_reset_time_exactly_one_trial_goes_through() -> None:
    b, clock = breaker()
    for _ in range(3):
        b.record_failure()
    clock.now = 60.0
    assert b.allow()
    assert b.state is CircuitState.HALF_OPEN
    assert not b.allow(), "a second caller waits for the trial's verdict"


def test_a_successful_trial_closes_the_circuit() -> None:
    b, clock = breaker()
    for _ in range(3):
        b.record_failure()
    clock.now = 61
    assert b.allow()
    b.record_success()
    assert b.state is CircuitState.CLOSED and b.allow() and b.allow()


def test_a_failed_trial_opens_it_again_for_a_full_period() -> None:
    b, clock = breaker()
    for _ in range(3):
        b.record_failure()
    clock.now = 61
    assert b.allow()
    b.record_failure()
    assert b.state is CircuitState.OPEN
    clock.now = 120
    assert not b.allow()
    clock.now = 121
    assert b.allow()


def test_an_abandoned_trial_lets_the_next_caller_try() -> None:
    b, clock = breaker(threshold=1)
    b.record_failure()
    clock.now = 60
    assert b.allow()
    b.abandon()
    assert b.allow()


def test_late_failures_from_requests_already_in_flight_do_not_extend_the_open_period() -> None:
    b, clock = breaker(threshold=1)
    b.record_failure()
    clock.now = 30
    b.record_failure()
    clock.now = 60
    assert b.allow()


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)
