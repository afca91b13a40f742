"""Marks the moment a send reaches the wire, so the sender knows what a crash or a deadline can repeat.

Before that moment a send is only waiting (for its turn under a rate limit, for a Retry-After pause, for
a worker thread) and can be abandoned and handed back without any risk of a duplicate. From that moment
the platform may have the message, so the send is allowed to finish and its outcome is recorded.
Adapters call `request_started()` right before each outbound request, from the event loop or from the
worker thread that makes the request; the sender watches for it.

Which comes first, the request or the sender giving up at its deadline, is decided once, under a lock:
a worker thread that picks a request up just after the sender abandoned it is refused
(`SendAbandoned`), so a send handed back can never also reach the platform.
"""

from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar
from enum import Enum


class SendAbandoned(Exception):
    """The sender gave this send up before it reached the wire; it must not be made now."""


class _State(Enum):
    WAITING = "waiting"
    STARTED = "started"
    ABANDONED = "abandoned"


class SendStart:
    """The start of one send, set from any thread, watched from the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State.WAITING
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    @property
    def started(self) -> bool:
        return self._state is _State.STARTED

    async def wait(self) -> None:
        await self._event.wait()

    def begin(self) -> bool:
        """The adapter is about to make a request; False if the send was abandoned first."""
        with self._lock:
            if self._state is _State.ABANDONED:
                return False
            first = self._state is _State.WAITING
            self._state = _State.STARTED
        if first:
            self._signal()
        return True

    def abandon(self) -> bool:
        """The sender gives up; False if a request has already begun (it must run to its end)."""
        with self._lock:
            if self._state is _State.STARTED:
                return False
            self._state = _State.ABANDONED
            return True

    def _signal(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)


_watched: ContextVar[SendStart | None] = ContextVar("mentorbot_request_started", default=None)


def request_started() -> None:
    """Called by an adapter immediately before it puts a request on the wire (any thread).

    Raises `SendAbandoned` when the sender has already handed this send back.
    """
    start = _watched.get()
    if start is not None and not start.begin():
        raise SendAbandoned("the send was handed back before it reached the wire")


def watch_requests(start: SendStart) -> None:
    """Called at the start of a send task: `request_started` within that task will begin `start`.

    A task runs in a copy of its creator's context, so this reaches only the task that called it (and
    the worker threads it hands work to with that context, see `adapters.teams.threads`).
    """
    _watched.set(start)
