"""The sender side of a replica: drains the outbox whenever something is due, for as long as it runs.

It runs beside the clock rather than inside its tick, so a fan-out of thousands of messages never holds
up the next tick, and a message enqueued by an inbound event (an intro after `pair`, a help request to
the admins) goes out within seconds instead of waiting for the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from conversations.sender import SendReport

logger = logging.getLogger(__name__)

ERROR_PAUSE_SECONDS = 5.0
"""After a failed drain (database unreachable), wait this long before trying again."""


class Deliverer(Protocol):
    async def deliver_due(self, platform: str | None = None) -> SendReport: ...


class DeliveryLoop:
    """Drains, then waits `poll_seconds` (or until `wake()`), then drains again."""

    def __init__(self, bot: Deliverer, poll_seconds: float) -> None:
        self._bot = bot
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.total = SendReport()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="mentorbot-delivery")

    def wake(self) -> None:
        """Something was just enqueued: drain now rather than at the next poll."""
        self._wake.set()

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Let the current drain finish its sends (up to `grace_seconds`), then stop.

        What is cut short stays leased in the database and is sent by any replica once the lease ends.
        """
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                report = await self._bot.deliver_due()
            except Exception:  # the loop must outlive a database hiccup
                logger.exception("delivering due messages failed")
                await self._pause(ERROR_PAUSE_SECONDS)
                continue
            self.total += report
            if report.handled:
                logger.info(
                    "delivered: %d sent, %d to retry (%d rate limited), %d failed",
                    report.sent,
                    report.retried,
                    report.rate_limited,
                    report.failed,
                )
                continue  # more may have become due while sending
            await self._pause(self._poll_seconds)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            pass
