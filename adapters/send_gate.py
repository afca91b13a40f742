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
from collections import OrderedDict
from collections.abc import Callable, Hashable

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
        self._remembered = remembered
        self._gates: OrderedDict[Hashable, Gate] = OrderedDict()

    def of(self, key: Hashable) -> Gate:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = Gate(self._rate)
            while len(self._gates) > self._remembered:
                self._gates.popitem(last=False)
        else:
            self._gates.move_to_end(key)
        return gate


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
