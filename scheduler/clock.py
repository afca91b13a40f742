"""APScheduler used only as a clock: every tick asks the engine what is due and enqueues it.

What is due is re-derived from the database each time, so a tick missed while the process was down is
made up by the next one, and the outbox's idempotency keys make overlapping ticks on several replicas
harmless. Sending is not the clock's job: a `DeliveryLoop` beside it drains the outbox continuously, on
every replica, and the database lease decides which replica sends which message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from conversations.jobs import TickReport
from conversations.sender import SendReport
from scheduler.delivery import DeliveryLoop

logger = logging.getLogger(__name__)

TICK_JOB_ID = "mentorbot-tick"
DEFAULT_DELIVERY_POLL_SECONDS = 2.0


class Ticking(Protocol):
    async def enqueue_due(self) -> TickReport: ...
    async def deliver_due(self, platform: str | None = None) -> SendReport: ...
    async def tick(self) -> TickReport: ...


async def run_tick(bot: Ticking, delivery: DeliveryLoop | None = None) -> TickReport | None:
    """One tick. With a delivery loop running, only enqueue and wake it; alone, deliver too (as
    `mentorbot tick` does)."""
    try:
        if delivery is None:
            report = await bot.tick()
        else:
            report = await bot.enqueue_due()
            delivery.wake()
    except asyncio.CancelledError:
        # Shutdown cut the tick short. Nothing is lost: what is due is derived from the database again
        # by the next tick, on this replica or another. Said quietly, as it is no fault.
        logger.info("scheduler tick stopped by shutdown; the next tick makes it up")
        return None
    except Exception:  # the next tick retries; a clock must never stop
        logger.exception("scheduler tick failed")
        return None
    if report.woken or report.ended_pairs or report.checkins or report.nudges or report.delivered.handled:
        logger.info("tick: %s", report)
    return report


class ReplicaClock:
    """The tick job and the delivery loop of one replica, started and stopped together.

    Each replica has its own scheduler with its own in-memory job store: APScheduler job stores must
    never be shared between schedulers, and nothing here needs them to be.
    """

    def __init__(self, scheduler: AsyncIOScheduler, delivery: DeliveryLoop) -> None:
        self.scheduler = scheduler
        self.delivery = delivery
        self.ticks: set[asyncio.Task[object]] = set()
        """Ticks under way, so a shutdown can let them finish rather than cut a transaction short."""

    async def tick(self, bot: Ticking) -> TickReport | None:
        task = asyncio.current_task()
        if task is not None:
            self.ticks.add(task)
        try:
            return await run_tick(bot, self.delivery)
        finally:
            if task is not None:
                self.ticks.discard(task)

    def shutdown(self, wait: bool = False) -> None:
        """Stop at once; deliveries cut short are retried by any replica after their lease."""
        self.scheduler.shutdown(wait=wait)
        self.delivery.cancel()

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        """Stop ticking, and give the tick and the sends under way up to `grace_seconds` to finish.

        The scheduler is paused first and shut down only after the tick: its shutdown cancels a job
        still running, which would cut the tick's transaction short.
        """
        self.scheduler.pause()
        stopping = asyncio.ensure_future(self.delivery.stop(grace_seconds))
        if ticks := set(self.ticks):
            _, late = await asyncio.wait(ticks, timeout=grace_seconds)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        self.scheduler.shutdown(wait=False)
        await stopping


def start_scheduler(
    bot: Ticking,
    every_seconds: int,
    first_run: datetime | None = None,
    delivery_poll_seconds: float = DEFAULT_DELIVERY_POLL_SECONDS,
) -> ReplicaClock:
    """Start ticking every `every_seconds` (first at `first_run`, default now) and sending continuously.

    Call from inside the running event loop.
    """
    delivery = DeliveryLoop(bot, delivery_poll_seconds)
    scheduler = AsyncIOScheduler(timezone="UTC")
    clock = ReplicaClock(scheduler, delivery)
    scheduler.add_job(
        clock.tick,
        "interval",
        seconds=every_seconds,
        args=(bot,),
        id=TICK_JOB_ID,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=first_run or datetime.now(UTC),
    )
    scheduler.start()
    delivery.start()
    return clock
