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
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from conversations.in_flight import request_started

T = TypeVar("T")


class RequestHeldBack(Exception):
    """The platform asked us to wait before this request reached the wire; it was not sent."""


@dataclass
class _Hold:
    holding: Callable[[], bool]
    checked: bool = False


_hold: contextvars.ContextVar[_Hold | None] = contextvars.ContextVar("teams_request_hold", default=None)


@contextmanager
def hold_while(holding: Callable[[], bool]) -> Iterator[None]:
    """The requests of this block do not start while `holding()` is true (see the module's docstring)."""
    token = _hold.set(_Hold(holding))
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
        if hold.holding():
            raise RequestHeldBack()
    request_started()
    return fn(*args, **kwargs)


def use_request_threads(workers: int) -> None:
    """Make the running loop's default executor a `RequestThreads` of `workers` threads."""
    asyncio.get_running_loop().set_default_executor(
        RequestThreads(max_workers=workers, thread_name_prefix="teams-request")
    )
