"""Marks the moment a send reaches the wire, so the sender knows what a crash or a deadline can repeat.

Before that moment a send is only waiting (for its turn under a rate limit, for a Retry-After pause, for
a worker thread) and can be abandoned and handed back without any risk of a duplicate. From that moment
the platform may have the message, so the send is allowed to finish and its outcome is recorded.
Adapters call `request_started()` right before each outbound request, from the event loop or from the
worker thread that makes the request; the sender watches for it.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

_started: ContextVar[tuple[asyncio.Event, asyncio.AbstractEventLoop] | None] = ContextVar(
    "mentorbot_request_started", default=None
)


def request_started() -> None:
    """Called by an adapter immediately before it puts a request on the wire (any thread)."""
    watched = _started.get()
    if watched is None:
        return
    event, loop = watched
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        event.set()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(event.set)


def watch_requests(event: asyncio.Event) -> None:
    """Called at the start of a send task: `request_started` within that task will set `event`.

    A task runs in a copy of its creator's context, so this reaches only the task that called it (and
    the worker threads it hands work to with that context, see `adapters.teams.threads`).
    """
    _started.set((event, asyncio.get_running_loop()))
