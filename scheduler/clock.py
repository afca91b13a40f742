"""APScheduler used only as a clock: every tick asks the engine what is due.

What is due is re-derived from the database each time, so a tick missed while the process was down is
made up by the next one, and the outbox's idempotency keys make overlapping ticks on several replicas
harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from conversations.app import Mentorbot

logger = logging.getLogger(__name__)


async def run_tick(bot: Mentorbot) -> None:
    try:
        report = await bot.tick()
    except Exception:  # the next tick retries; a clock must never stop
        logger.exception("scheduler tick failed")
        return
    if report.checkins or report.nudges or report.delivered.sent or report.delivered.failed:
        logger.info("tick: %s", report)


def start_scheduler(bot: Mentorbot, every_seconds: int, first_run: datetime | None = None) -> AsyncIOScheduler:
    """One in-process scheduler per replica, with its own memory job store (never shared)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        run_tick,
        "interval",
        seconds=every_seconds,
        args=(bot,),
        id="mentorbot-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=first_run,
    )
    scheduler.start()
    return scheduler
