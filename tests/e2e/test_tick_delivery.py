"""`mentorbot tick --at …` as cron runs it, against fake platforms that enforce their rate limits: every
check-in of the week leaves, on Slack and on Teams (emulator mode included), on SQLite and PostgreSQL,
and a 429 storm in the middle is waited out rather than left for the next run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.database import Database
from tests.e2e.conftest import clean_env, mentorbot
from tests.integration.delivery.fake_platforms import FakePlatforms, PlatformLimits
from tests.integration.delivery.seeding import CHECKIN_TICK, SLACK_TOKEN, seed_program
from tests.support.postgres import require_postgres, run_async, temporary_database

PAIRS = 6


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}"
        return
    with temporary_database(require_postgres()) as url:
        yield url


@pytest.fixture
def platforms() -> Iterator[FakePlatforms]:
    fake = FakePlatforms(PlatformLimits(rate=20.0)).start()
    try:
        yield fake
    finally:
        fake.stop()


def seeded(database_url: str, platforms: FakePlatforms, platform: str) -> set[str]:
    async def seed() -> set[str]:
        async with Database(database_url) as database:
            await database.migrate()
            program = await seed_program(
                database.unit_of_work,
                PAIRS,
                platforms=(platform,),
                teams_service_url=platforms.teams_service_url,
            )
        return program.recipient_keys()

    return run_async(seed)


def tick_env(database_url: str, platforms: FakePlatforms, platform: str) -> dict[str, str]:
    if platform == "slack":
        return clean_env(
            DATABASE_URL=database_url,
            SLACK_BOT_TOKEN=SLACK_TOKEN,
            SLACK_SIGNING_SECRET="not-used-by-a-tick",
            SLACK_API_URL=platforms.slack_url,
        )
    return clean_env(DATABASE_URL=database_url)  # no app id: Teams in emulator mode


@pytest.mark.parametrize("storm", [False, True], ids=["calm", "429-storm"])
@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_a_cron_tick_delivers_every_checkin_once(
    database_url: str, platforms: FakePlatforms, platform: str, storm: bool
) -> None:
    everyone = seeded(database_url, platforms, platform)
    if storm:
        platforms.storm_from_next_request(2.0)

    tick = mentorbot(
        "tick", "--at", CHECKIN_TICK.isoformat(), env=tick_env(database_url, platforms, platform)
    )

    assert tick.returncode == 0, tick.stderr
    assert f"{2 * PAIRS} check-ins" in tick.stdout
    assert re.search(r"\b0 left for the next tick", tick.stdout), tick.stdout
    stats = platforms.stats()
    assert set(stats["received"]) == everyone, "every check-in left"
    assert set(stats["received"].values()) == {1}, "none twice"
    assert stats["early"] == 0, "nothing was sent before Retry-After had elapsed"
    if storm:
        assert stats["rejected"] >= 1

    again = mentorbot(
        "tick", "--at", CHECKIN_TICK.isoformat(), env=tick_env(database_url, platforms, platform)
    )
    assert again.returncode == 0 and "0 check-ins" in again.stdout
    assert platforms.stats()["received"] == stats["received"], "a second tick repeats nothing"
