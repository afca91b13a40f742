"""Stores and the fake platforms for the delivery tests.

PostgreSQL gets one throwaway database per test session, migrated once and emptied before each test;
a test that needs it skips without a server, or fails under CI=true (see tests/support/postgres.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import tables
from storage.database import Database
from tests.integration.delivery.fake_platforms import FakePlatforms, PlatformLimits
from tests.support.postgres import require_postgres, run_async, temporary_database


async def _migrate(url: str) -> None:
    async with Database(url) as database:
        await database.migrate()


@pytest.fixture(scope="session")
def delivery_postgres_url() -> Iterator[str]:
    with temporary_database(require_postgres()) as url:
        run_async(lambda: _migrate(url))
        yield url


@pytest.fixture
async def postgres_url(delivery_postgres_url: str) -> AsyncIterator[str]:
    """The session's PostgreSQL database, emptied for this test."""
    async with Database(delivery_postgres_url) as database:
        names = ", ".join(f'"{table.name}"' for table in tables.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names}"))
    yield delivery_postgres_url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}"
    await _migrate(url)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def platforms() -> Iterator[FakePlatforms]:
    """Fake Slack and Teams at 200 requests/s per workspace with 20 ms round trips."""
    fake = FakePlatforms(PlatformLimits(rate=200, latency=0.02)).start()
    try:
        yield fake
    finally:
        fake.stop()
