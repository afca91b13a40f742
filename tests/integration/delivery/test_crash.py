"""A sender killed with SIGKILL in the middle of a batch: after a restart nothing is lost, and only
deliveries that were in flight when it died (claimed, not yet recorded) can arrive twice. On both
platforms and both stores: Teams sends run on worker threads, which a kill stops as abruptly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from conversations.clock import ManualClock
from conversations.domain import DeliveryStatus, UserRef
from storage import tables
from storage.database import Database
from tests.integration.delivery.fake_platforms import FakePlatforms, PlatformLimits
from tests.integration.delivery.replica import build_replica
from tests.integration.delivery.seeding import CHECKIN_TICK, recipient_key, seed_program

ROOT = Path(__file__).resolve().parents[3]
PAIRS = 150
RATE = 40.0
LEASE_SECONDS = 3.0


def start_sender(database_url: str, slack_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.delivery.sender_process",
            "--database-url",
            database_url,
            "--slack-url",
            slack_url,
            "--rate",
            str(RATE),
            "--lease-seconds",
            str(LEASE_SECONDS),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[str], limit: float = 60.0
) -> None:
    async with asyncio.timeout(limit):
        while not condition():
            if process.poll() is not None:
                raise AssertionError(
                    f"the sender exited early: {process.stderr.read() if process.stderr else ''}"
                )
            await asyncio.sleep(0.02)


async def in_doubt(database: Database) -> set[str]:
    """The recipients of deliveries still leased (claimed and not recorded) by the dead sender."""
    t = tables.deliveries
    query = select(t.c.platform, t.c.workspace_id, t.c.users).where(
        t.c.status == DeliveryStatus.SENDING.value
    )
    async with database.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {recipient_key(UserRef(platform, workspace, users[0])) for platform, workspace, users in rows}


@pytest.mark.parametrize("platform", ["slack", "teams"])
async def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_at_most_the_in_flight(
    database_url: str, platform: str
) -> None:
    platforms = FakePlatforms(PlatformLimits(rate=RATE, latency=0.05)).start()
    database = Database(database_url)
    try:
        program = await seed_program(
            database.unit_of_work, PAIRS, platforms=(platform,), teams_service_url=platforms.teams_service_url
        )
        tick = await build_replica(
            database.unit_of_work, ManualClock(CHECKIN_TICK), platforms.slack_url, rate=RATE
        ).bot.jobs.enqueue_due()
        assert tick.checkins == 2 * PAIRS

        doomed = start_sender(database_url, platforms.slack_url)
        await wait_for(lambda: platforms.total_received() >= 60, doomed)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        sent_before_the_kill = platforms.total_received()
        leased = await in_doubt(database)
        async with database.unit_of_work() as uow:
            recorded = (await uow.deliveries.count_by_status()).get(DeliveryStatus.SENT, 0)
        assert 0 < sent_before_the_kill < 2 * PAIRS, "killed in the middle of the fan-out"

        restarted = start_sender(database_url, platforms.slack_url)
        out, err = restarted.communicate(timeout=90)
        assert restarted.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])

        received = platforms.stats()["received"]
        assert set(received) == {recipient_key(p) for p in program.people}, "nothing lost"
        repeated = {key for key, count in received.items() if count > 1}
        assert repeated <= leased, "only deliveries in flight at the kill may be repeated"
        assert all(count <= 2 for count in received.values())
        assert report["failed"] == 0
        assert report["sent"] == 2 * PAIRS - recorded, (
            "the restart sends exactly what was not recorded as sent"
        )
        assert sent_before_the_kill - recorded <= len(leased), "what arrived unrecorded was in flight"
        async with database.unit_of_work() as uow:
            assert await uow.deliveries.count_by_status() == {DeliveryStatus.SENT: 2 * PAIRS}
    finally:
        await database.dispose()
        platforms.stop()
