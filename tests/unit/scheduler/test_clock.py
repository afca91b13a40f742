"""The replica's clock: APScheduler only ticks (enqueues); a delivery loop beside it sends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from conversations.jobs import TickReport
from conversations.sender import SendReport
from scheduler.clock import TICK_JOB_ID, run_tick, start_scheduler
from scheduler.delivery import DeliveryLoop


class FakeBot:
    def __init__(self, fail_enqueue: bool = False, fail_deliveries: int = 0) -> None:
        self.enqueued = 0
        self.ticked = 0
        self.delivered = 0
        self.fail_enqueue = fail_enqueue
        self.fail_deliveries = fail_deliveries
        self.due = 0

    async def enqueue_due(self) -> TickReport:
        self.enqueued += 1
        if self.fail_enqueue:
            raise RuntimeError("database went away")
        self.due += 3
        return TickReport(checkins=3)

    async def deliver_due(self, platform: str | None = None) -> SendReport:
        self.delivered += 1
        if self.fail_deliveries:
            self.fail_deliveries -= 1
            raise RuntimeError("database went away")
        sent, self.due = self.due, 0
        return SendReport(sent=sent)

    async def tick(self) -> TickReport:
        self.ticked += 1
        report = await self.enqueue_due()
        return TickReport(checkins=report.checkins, delivered=await self.deliver_due())


async def eventually(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Wait for something the event loop will do soon; fails the test only if it never happens."""
    async with asyncio.timeout(limit):
        while not condition():
            await asyncio.sleep(0.01)


async def test_the_first_tick_runs_at_start_and_its_messages_are_sent_at_once() -> None:
    bot = FakeBot()
    clock = start_scheduler(bot, every_seconds=3600, delivery_poll_seconds=3600)
    try:
        job = clock.scheduler.get_job(TICK_JOB_ID)
        assert job.misfire_grace_time is None and job.coalesce and job.max_instances == 1
        await eventually(lambda: bot.enqueued == 1 and clock.delivery.total.sent == 3)
        assert bot.ticked == 0, "with a delivery loop the tick only enqueues"
    finally:
        await clock.aclose()
    assert not clock.scheduler.running


async def test_alone_a_tick_also_delivers_as_the_command_line_tick_does() -> None:
    bot = FakeBot()
    report = await run_tick(bot)
    assert report is not None and report.delivered.sent == 3 and bot.ticked == 1


async def test_a_failing_tick_is_logged_and_the_clock_keeps_going(caplog) -> None:  # type: ignore[no-untyped-def]
    bot = FakeBot(fail_enqueue=True)
    assert await run_tick(bot) is None
    assert "scheduler tick failed" in caplog.text


async def test_the_delivery_loop_outlives_a_database_hiccup(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scheduler.delivery.ERROR_PAUSE_SECONDS", 0.01)
    bot = FakeBot(fail_deliveries=2)
    bot.due = 5
    loop = DeliveryLoop(bot, poll_seconds=3600)
    loop.start()
    try:
        await eventually(lambda: loop.total.sent == 5)
        assert bot.delivered >= 3
    finally:
        await loop.stop()


async def test_a_wake_drains_before_the_poll_interval() -> None:
    bot = FakeBot()
    loop = DeliveryLoop(bot, poll_seconds=3600)
    loop.start()
    try:
        await eventually(lambda: bot.delivered == 1)
        bot.due = 2
        loop.wake()
        await eventually(lambda: loop.total.sent == 2)
    finally:
        await loop.stop()


class HangingBot(FakeBot):
    async def enqueue_due(self) -> TickReport:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_tick_cut_short_by_shutdown_ends_quietly(caplog) -> None:  # type: ignore[no-untyped-def]
    """The scheduler's executor logs a traceback for any exception a job lets out, cancellation included."""
    tick = asyncio.create_task(run_tick(HangingBot(), DeliveryLoop(FakeBot(), 60)))
    await asyncio.sleep(0)
    tick.cancel()
    assert await tick is None
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


class SlowBot(FakeBot):
    """Its tick is in the middle of a transaction when the server is told to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.in_transaction = asyncio.Event()
        self.may_commit = asyncio.Event()
        self.committed = False

    async def enqueue_due(self) -> TickReport:
        self.in_transaction.set()
        await self.may_commit.wait()
        self.committed = True
        return await super().enqueue_due()


async def test_a_shutdown_lets_the_tick_under_way_finish_its_transaction() -> None:
    bot = SlowBot()
    clock = start_scheduler(bot, every_seconds=3600, delivery_poll_seconds=3600)
    await eventually(bot.in_transaction.is_set)
    closing = asyncio.ensure_future(clock.aclose(grace_seconds=30))
    await asyncio.sleep(0.05)
    assert not closing.done(), "the shutdown waits for the tick"
    bot.may_commit.set()
    await closing
    assert bot.committed and not clock.ticks


async def test_a_tick_that_outlasts_the_grace_period_is_cancelled() -> None:
    bot = SlowBot()
    clock = start_scheduler(bot, every_seconds=3600, delivery_poll_seconds=3600)
    await eventually(bot.in_transaction.is_set)
    await clock.aclose(grace_seconds=0.05)
    assert not bot.committed and not clock.ticks
