"""The worker threads botbuilder's HTTP calls run on.

msrest sends every Bot Connector request with blocking `requests` through `loop.run_in_executor(None,
…)`, so the event loop's default executor decides how many Teams requests are really in flight: on a
two-core machine Python's default is six threads, far fewer than the pacing allows, and a request can
wait for a thread long after it passed the rate gate. This executor is sized to the sender's budget, and
it marks a request as started (`conversations.in_flight`) when a thread picks it up, in the context of
the send that submitted it, so a send still waiting for a thread can be handed back without a duplicate.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from conversations.in_flight import request_started

T = TypeVar("T")


class RequestThreads(ThreadPoolExecutor):
    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, _started_then, fn, *args, **kwargs)


def _started_then(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    request_started()
    return fn(*args, **kwargs)


def use_request_threads(workers: int) -> None:
    """Make the running loop's default executor a `RequestThreads` of `workers` threads."""
    asyncio.get_running_loop().set_default_executor(
        RequestThreads(max_workers=workers, thread_name_prefix="teams-request")
    )
