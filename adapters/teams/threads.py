"""The worker threads botbuilder's HTTP calls run on.

msrest sends every Bot Connector request with blocking `requests` through `loop.run_in_executor(None,
…)`, so the event loop's default executor decides how many Teams requests are really in flight: on a
two-core machine Python's default is six threads, far fewer than the pacing allows, and a request can
wait for a thread long after it passed the rate gate. This executor is sized to the sender's budget, and
it marks a request as started (`conversations.in_flight`) when a thread picks it up, in the context of
the send that submitted it, so a send still waiting for a thread can be handed back without a duplicate.

For the same reason a 429 can arrive between a request passing its gate and a thread picking it up.
A send may name a hold (`hold_while`): when its first job reaches a thread while the hold is on, the
job raises `RequestHeldBack` instead of running, nothing has been sent, and the caller queues at the
gate again. Only the first job is checked: later ones read the answer of a request already sent.

The gate spaces requests evenly when they leave the event loop, but the way to the wire (serialising
on the loop, waiting for a thread) is uneven, so requests can bunch up again and a platform that
allows a burst of two answers the third with 429. A send may also name a `WireSpacer`, which its first
job waits on in its thread, right before the request, so requests reach the wire 1 / rate apart.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from conversations.in_flight import request_started

T = TypeVar("T")


class RequestHeldBack(Exception):
    """The platform asked us to wait before this request reached the wire; it was not sent."""


class WireSpacer:
    """Spaces the requests of one budget `1 / rate` apart at the moment they go out (thread-safe)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


@dataclass
class _Hold:
    holding: Callable[[], bool]
    spacer: WireSpacer | None = None
    checked: bool = False


_hold: contextvars.ContextVar[_Hold | None] = contextvars.ContextVar("teams_request_hold", default=None)


@contextmanager
def hold_while(holding: Callable[[], bool], spacer: WireSpacer | None = None) -> Iterator[None]:
    """The requests of this block do not start while `holding()` is true, and leave `spacer`'s interval
    apart (see the module's docstring)."""
    token = _hold.set(_Hold(holding, spacer))
    try:
        yield
    finally:
        _hold.reset(token)


class RequestThreads(ThreadPoolExecutor):
    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, _started_then, fn, *args, **kwargs)


def _started_then(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    hold = _hold.get()
    if hold is not None and not hold.checked:
        hold.checked = True
        if hold.spacer is not None and not hold.holding():
            hold.spacer.wait()
        if hold.holding():
            raise RequestHeldBack()
    request_started()
    return fn(*args, **kwargs)


def use_request_threads(workers: int) -> None:
    """Make the running loop's default executor a `RequestThreads` of `workers` threads."""
    asyncio.get_running_loop().set_default_executor(
        RequestThreads(max_workers=workers, thread_name_prefix="teams-request")
    )
