"""One gate per rate-limited budget (a Slack workspace's method, a Teams tenant or conversation).

Both platforms limit per workspace or tenant, not per request: a 429 with Retry-After speaks for every
request of that kind, so the wait is kept here and shared by every send in flight rather than slept per
request (which is what slack_sdk's retry handler does, letting every waiting request fire at once when
its own sleep ends). Pacing is smooth: one request every `1 / rate` seconds, with no opening burst, so
the number of requests on the wire stays at about rate x latency.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Hashable, Mapping, Sequence

from adapters.remembered import Remembered
from conversations.errors import DeliveryError
from conversations.in_flight import request_started

JITTER_SECONDS = 0.25
"""Added to a Retry-After, so the sends held back do not all come back in the same millisecond."""


class Gate:
    """Spaces requests `1 / rate` apart and holds them all while the platform has asked us to wait."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("a gate needs a positive rate")
        self._interval = 1.0 / rate
        self._clock = clock
        self._next_slot = 0.0
        self._paused_until = 0.0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def wait_turn(self) -> None:
        """Returns when this caller may send: its slot has come and no pause is in force."""
        while True:
            now = self._clock()
            slot = max(now, self._next_slot, self._paused_until)
            self._next_slot = slot + self._interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if self._clock() >= self._paused_until:
                return
            # A 429 arrived while we waited: our slot is void, queue again behind the pause.

    def pause(self, seconds: float) -> None:
        """The platform said Retry-After: nothing passes this gate until then (plus a little jitter)."""
        until = self._clock() + max(0.0, seconds) + random.uniform(0.0, JITTER_SECONDS)
        self._paused_until = max(self._paused_until, until)


class Gates:
    """The gates of one kind, created on first use; the least recently used are forgotten."""

    def __init__(self, rate: float, remembered: int = 10_000) -> None:
        self._rate = rate
        self._gates: Remembered[Hashable, Gate] = Remembered(remembered)

    def of(self, key: Hashable) -> Gate:
        return self._gates.get_or_make(key, lambda: Gate(self._rate))


class Budgets:
    """Every budget one app spends against a platform: a rate per kind, and a gate per scope of a kind.

    Slack's kinds (a workspace's method, a channel) and Teams' (a tenant, a conversation) differ. How a
    send waits for its gates, when it goes back to the outbox instead of waiting, and how a 429 holds
    every other send of its scope are the same on both, and kept here.
    """

    def __init__(self, rates: Mapping[str, float], longest_wait: float, remembered: int = 10_000) -> None:
        self._kinds = {kind: Gates(rate, remembered) for kind, rate in rates.items()}
        self.longest_wait = longest_wait
        """A scope paused for longer than this hands its sends back to the outbox to wait there, rather
        than holding their leases (and the sender's slots) through the pause."""

    def gate(self, kind: str, scope: Hashable) -> Gate:
        return self._kinds[kind].of(scope)

    async def wait_turn(self, gates: Sequence[Gate], what: str, *, mark_started: bool = True) -> None:
        paused = max(gate.paused_for for gate in gates)
        if paused > self.longest_wait:
            raise DeliveryError(f"{what} is rate limited", retry_after=paused)
        await pass_gates(*gates, mark_started=mark_started)


async def pass_gates(*gates: Gate, mark_started: bool = True) -> None:
    """Wait for every gate in turn, then mark the request as on its way (see `conversations.in_flight`).

    The gates are re-checked after the last wait, because a pause set on an earlier gate while we waited
    on a later one must still hold us back. `mark_started=False` where the request still waits after the
    gate (for a worker thread) and is marked when it really starts.
    """
    while True:
        for gate in gates:
            await gate.wait_turn()
        if all(gate.paused_for == 0.0 for gate in gates):
            break
    if mark_started:
        request_started()
