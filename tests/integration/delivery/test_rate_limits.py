"""A storm of 429s from the platform holds every send of that workspace or tenant until Retry-After;
nothing is dropped or repeated, and no request arrives before the platform said it may."""

from __future__ import annotations

import asyncio

import pytest

from adapters.teams.threads import use_request_threads
from conversations.clock import ManualClock, SystemClock
from conversations.domain import DeliveryStatus
from conversations.sender import SendReport
from storage.database import Database
from tests.integration.delivery.fake_platforms import FakePlatforms
from tests.integration.delivery.replica import build_replica
from tests.integration.delivery.seeding import CHECKIN_TICK, seed_program

PAIRS = 40
STORM_SECONDS = 3.0
"""Longer than the Teams adapter's own retries absorb, so the outbox has to wait too."""


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_a_429_storm_slows_the_sender_without_dropping_anything(
    database_url: str, platforms: FakePlatforms, platform: str
) -> None:
    use_request_threads(40)  # as serve, tick and every sender process do: Teams requests wait for these
    async with Database(database_url) as database:
        program = await seed_program(
            database.unit_of_work, PAIRS, platforms=(platform,), teams_service_url=platforms.teams_service_url
        )
        tick = await build_replica(
            database.unit_of_work, ManualClock(CHECKIN_TICK), platforms.slack_url, rate=200
        ).bot.jobs.enqueue_due()
        assert tick.checkins == 2 * PAIRS
        sender = build_replica(database.unit_of_work, SystemClock(), platforms.slack_url, rate=200).bot

        async def storm_once_messages_flow() -> None:
            """Not before the first messages: a fresh checkout compiles modules on the first send, and
            a storm raised during that pause would measure the compiler, not the client."""
            while platforms.total_received() < 5:
                await asyncio.sleep(0.01)
            platforms.storm(STORM_SECONDS)

        arming = asyncio.create_task(storm_once_messages_flow())
        total = SendReport()
        async with asyncio.timeout(90):
            while True:
                report = await sender.jobs.deliver_due()
                total += report
                async with database.unit_of_work() as uow:
                    counts = await uow.deliveries.count_by_status()
                if counts == {DeliveryStatus.SENT: 2 * PAIRS}:
                    break
                assert not counts.get(DeliveryStatus.FAILED), "a rate limit never fails a delivery"
                await asyncio.sleep(0.1)  # rows told to come back after Retry-After

        await arming
        stats = platforms.stats()
        assert stats["rejected"] >= 1, "the storm hit the sender"
        assert stats["early"] == 0, "no request arrived before Retry-After had elapsed"
        assert stats["received"].keys() == program.recipient_keys(), "nothing lost"
        assert set(stats["received"].values()) == {1}, "nothing repeated"
        assert total.sent == 2 * PAIRS and total.failed == 0
        if platform == "slack":  # a 429 ends that send: the outbox keeps the row until Retry-After
            assert total.rate_limited > 0
