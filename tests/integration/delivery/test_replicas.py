"""Several replicas on one PostgreSQL database behave as one bot: each message is sent once."""

from __future__ import annotations

import asyncio

import pytest

from conversations.clock import ManualClock
from conversations.domain import DeliveryStatus
from storage.database import Database
from tests.integration.delivery.fake_platforms import FakePlatforms
from tests.integration.delivery.replica import build_replica
from tests.integration.delivery.seeding import CHECKIN_TICK, seed_program

pytestmark = pytest.mark.postgres

PAIRS = 80


async def test_two_replicas_ticking_and_sending_at_once_send_each_checkin_once(
    postgres_url: str, platforms: FakePlatforms
) -> None:
    databases = [Database(postgres_url), Database(postgres_url)]
    try:
        program = await seed_program(
            databases[0].unit_of_work, PAIRS, teams_service_url=platforms.teams_service_url
        )
        replicas = [
            build_replica(db.unit_of_work, ManualClock(CHECKIN_TICK), platforms.slack_url, rate=200)
            for db in databases
        ]
        reports = []
        for _ in range(3):  # both replicas tick together, and tick again: overlapping and repeated ticks
            reports += await asyncio.gather(*(r.bot.jobs.tick() for r in replicas))

        received = platforms.stats()["received"]
        assert set(received) == program.recipient_keys(), "nobody missed"
        assert set(received.values()) == {1}, "nobody got it twice"
        assert sum(r.checkins for r in reports) == 2 * PAIRS, "each check-in enqueued by exactly one tick"
        assert sum(r.delivered.sent for r in reports) == 2 * PAIRS
        assert all(r.delivered.failed == 0 for r in reports)
        async with databases[1].unit_of_work() as uow:
            assert await uow.deliveries.count_by_status() == {DeliveryStatus.SENT: 2 * PAIRS}
            assert len(await uow.checkins.list()) == 2 * PAIRS
    finally:
        for database in databases:
            await database.dispose()


async def test_two_replicas_draining_one_backlog_share_it_without_overlap(
    postgres_url: str, platforms: FakePlatforms
) -> None:
    """The claim (FOR UPDATE SKIP LOCKED) splits one backlog between concurrent senders."""
    databases = [Database(postgres_url), Database(postgres_url)]
    try:
        program = await seed_program(
            databases[0].unit_of_work, PAIRS, teams_service_url=platforms.teams_service_url
        )
        enqueued = await build_replica(
            databases[0].unit_of_work, ManualClock(CHECKIN_TICK), platforms.slack_url, rate=200
        ).bot.jobs.enqueue_due()
        assert enqueued.checkins == 2 * PAIRS
        replicas = [
            build_replica(db.unit_of_work, ManualClock(CHECKIN_TICK), platforms.slack_url, rate=200)
            for db in databases
        ]
        for replica in replicas:
            replica.bot.jobs.sender_options = type(replica.bot.jobs.sender_options)(
                claim_size=20, in_flight_per_workspace=4
            )
        reports = await asyncio.gather(*(r.bot.jobs.deliver_due() for r in replicas))

        assert [r.sent > 0 for r in reports] == [True, True], "both replicas took part"
        assert sum(r.sent for r in reports) == 2 * PAIRS
        received = platforms.stats()["received"]
        assert set(received) == program.recipient_keys() and set(received.values()) == {1}
    finally:
        for database in databases:
            await database.dispose()
