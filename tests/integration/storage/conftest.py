"""The stores the repository contract runs against: in-memory, SQLite (a temp file) and PostgreSQL.

PostgreSQL gets one throwaway database per test session, migrated once; each test starts from empty
tables. SQLite gets a fresh migrated file per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from conversations.ports import UnitOfWorkFactory
from storage import tables
from storage.database import Database
from storage.memory import MemoryStore
from tests.support.postgres import require_postgres, run_async, temporary_database


@dataclass(frozen=True)
class StoreUnderTest:
    name: str
    new_unit: UnitOfWorkFactory
    database: Database | None = None
    """The SQL stores' database, for checks below the repository level."""


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A migrated database of this session's own on the test server."""
    with temporary_database(require_postgres()) as url:
        run_async(lambda: _migrate(url))
        yield url


async def _empty_tables(database: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in tables.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names}"))


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}")
    await database.migrate()
    yield database
    await database.dispose()


@pytest.fixture
async def postgres_database(postgres_database_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_database_url)
    await _empty_tables(database)
    yield database
    await database.dispose()


@pytest.fixture(
    params=[
        pytest.param("memory"),
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest) -> StoreUnderTest:
    if request.param == "memory":
        return StoreUnderTest("memory", MemoryStore())
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return StoreUnderTest(request.param, database.unit_of_work, database)


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def sql_database(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database
