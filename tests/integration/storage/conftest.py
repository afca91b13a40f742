"""The stores the repository contract runs against: SQLite (a temp file) and PostgreSQL.

PostgreSQL gets one throwaway database per test session, migrated once; each test starts from empty
tables. SQLite gets a fresh migrated file per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from conversations.domain import Cycle, Pairing, Participant, Role, UserRef
from conversations.ports import UnitOfWorkFactory
from storage import tables
from storage.database import Database
from tests.support.postgres import require_postgres, run_async, temporary_database


@dataclass(frozen=True)
class StoreUnderTest:
    name: str
    new_unit: UnitOfWorkFactory
    database: Database
    """The store's database, for checks below the repository level."""


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
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest) -> StoreUnderTest:
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


PARENTS_AT = datetime(2026, 3, 1, tzinfo=UTC)


async def add_parents(
    store: StoreUnderTest,
    people: Sequence[UserRef],
    pairing_ids: Sequence[str] = (),
    cycles: Sequence[str] = ("cycle-1",),
) -> None:
    """What the rows under test belong to, which the foreign keys insist on: rounds, people, pairings
    (each between the first two people, in the first round)."""
    async with store.new_unit() as uow:
        for number, cycle_id in enumerate(cycles, 1):
            await uow.cycles.add(Cycle(cycle_id, number, PARENTS_AT, 12))
        for user in people:
            await uow.participants.save(Participant(user, user.user_id, Role.BOTH, "Ops", 2, "UTC"))
        for pairing_id in pairing_ids:
            await uow.pairings.add(Pairing(pairing_id, cycles[0], people[0], people[1], 1.0, (), PARENTS_AT))
        await uow.commit()
