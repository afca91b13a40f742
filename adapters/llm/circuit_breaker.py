"""A small circuit breaker: during an outage, stop asking after a few failures.

Preparing prompts for thousands of pairs against a dead server would otherwise cost one timeout per
pair. With the breaker, the requests already in flight fail together (one timeout of wall time), the
circuit opens, and every later pair goes straight to the library until a single trial request, after
`reset_after` seconds, shows the server is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

logger = logging.getLogger(__name__)


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 3,
        reset_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self._threshold = failure_threshold
        self._reset_after = reset_after
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._consecutive_failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        return self._state

    def allow(self) -> bool:
        """Whether a request may go out now; in half-open state only one trial at a time."""
        if self._state is CircuitState.CLOSED:
            return True
        if self._state is CircuitState.OPEN:
            if self._clock() - self._opened_at < self._reset_after:
                return False
            self._state = CircuitState.HALF_OPEN
            self._trial_in_flight = False
        if self._trial_in_flight:
            return False
        self._trial_in_flight = True
        return True

    def record_success(self) -> None:
        if self._state is not CircuitState.CLOSED:
            logger.info("LLM circuit closed: the server answers again")
        self._state = CircuitState.CLOSED
        self._consecutive_failures = 0
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._consecutive_failures += 1
        if self._state is CircuitState.HALF_OPEN:
            self._open()
        elif self._state is CircuitState.CLOSED and self._consecutive_failures >= self._threshold:
            self._open()

    def abandon(self) -> None:
        """A request that ended without a verdict (cancelled): let the next caller make the trial."""
        self._trial_in_flight = False

    def _open(self) -> None:
        if self._state is not CircuitState.OPEN:
            logger.warning(
                "LLM circuit open after %d failures: library prompts for the next %.0f s",
                self._consecutive_failures,
                self._reset_after,
            )
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._trial_in_flight = False
