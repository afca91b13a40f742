"""The store unit tests run the engine on: the real repositories over an in-memory SQLite database.

`TestStore()` is ready at once (no await): the schema is created from `storage.tables.metadata` the
moment the engine opens its one connection (in-memory SQLite uses a `StaticPool`), from DDL compiled
once per process. `tests/integration/storage/test_migrations.py` checks the migrations build the same
schema. Call the store for a unit of work, as the engine does; read what it holds through
`await store.participants()` and friends instead of reaching into tables by hand.

Every store made during a test is disposed when the test ends (see `close_test_stores`, used by the
autouse fixture in `tests/conftest.py`), so no aiosqlite thread outlives its test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Self

from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from conversations.domain import (
    Assessment,
    Checkin,
    Cycle,
    Delivery,
    Goal,
    Pairing,
    Participant,
    PromptRating,
    Role,
    Story,
    UserRef,
)
from conversations.ports import PromptSet
from storage import convert, tables
from storage.database import Database
from storage.unit_of_work import SqlUnitOfWork

IN_MEMORY_SQLITE = "sqlite+aiosqlite://"
SEEDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

_open: list[TestStore] = []


@cache
def _schema_ddl() -> tuple[str, ...]:
    dialect = sqlite.dialect()
    statements: list[str] = []
    for table in tables.metadata.sorted_tables:
        statements.append(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        statements.extend(
            str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)) for index in table.indexes
        )
    return tuple(statements)


def _create_schema(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for statement in _schema_ddl():
            cursor.execute(statement)
    finally:
        cursor.close()


class OverlappingUnitsOfWork(AssertionError):
    """Two units of work were open at once on the one in-memory connection: they would share a transaction."""


class _OneAtATime:
    """A unit of work that refuses to open while another of its store's is open.

    In-memory SQLite has one connection (`StaticPool`), so units of work open together would commit
    and roll back each other's writes instead of being isolated. No unit test does that; one that needs
    to must use a file database (see `tests/integration/storage/conftest.py`), and is told so.
    """

    def __init__(self, store: TestStore, unit: SqlUnitOfWork) -> None:
        self._store = store
        self._unit = unit

    async def __aenter__(self) -> Self:
        if self._store.units_open:
            raise OverlappingUnitsOfWork(
                "a unit of work opened while another was open on in-memory SQLite; "
                "test concurrent units of work on a file database instead"
            )
        await self._unit.__aenter__()
        self._store.units_open += 1
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        self._store.units_open -= 1
        await self._unit.__aexit__(*exc_info)

    def __getattr__(self, name: str) -> Any:  # the repositories, commit and rollback
        return getattr(self._unit, name)


class TestStore:
    """A fresh, empty database with the current schema; `store()` is a unit of work on it.

    In memory by default. Given a `path` (under `tmp_path`), a SQLite file instead, with a connection
    per unit of work: for tests whose units of work overlap, such as a server answering requests.
    """

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, path: Path | None = None) -> None:
        self.database = Database(IN_MEMORY_SQLITE if path is None else f"sqlite+aiosqlite:///{path}")
        event.listen(self.database.engine.sync_engine, "connect", _create_schema)
        self.in_memory = path is None
        self.units_open = 0
        _open.append(self)

    def __call__(self) -> Any:
        """A unit of work (a `SqlUnitOfWork`; in memory, checked to be the only one open)."""
        unit = self.database.unit_of_work()
        return _OneAtATime(self, unit) if self.in_memory else unit

    async def close(self) -> None:
        await self.database.dispose()

    async def add_pairings(self, *pairing_ids: str) -> None:
        """Stored pairings with these ids (one round, one leader and one mentor for all), for tests that
        store what belongs to a pairing without running the program: the keys insist on a parent."""
        leader, mentor = UserRef("console", "T1", "leader"), UserRef("console", "T1", "mentor")
        cycle = Cycle("round-1", 1, SEEDED_AT, 12)
        async with self() as uow:
            for user, role in ((leader, Role.LEADER), (mentor, Role.MENTOR)):
                await uow.participants.save(Participant(user, user.user_id.title(), role, "Ops", 3, "UTC"))
            await uow.cycles.add(cycle)
            for pairing_id in pairing_ids:
                await uow.pairings.add(Pairing(pairing_id, cycle.id, leader, mentor, 1.0, (), SEEDED_AT))
            await uow.commit()

    # What the store holds, read through the repositories where they can list it, else the tables.

    async def participants(self) -> dict[UserRef, Participant]:
        async with self() as uow:
            return {p.user: p for p in await uow.participants.list()}

    async def cycles(self) -> dict[str, Cycle]:
        async with self() as uow:
            return {c.id: c for c in await uow.cycles.list()}

    async def pairings(self) -> dict[str, Pairing]:
        async with self() as uow:
            return {p.id: p for p in await uow.pairings.list()}

    async def goals(self) -> dict[str, Goal]:
        async with self() as uow:
            return {g.id: g for g in await uow.goals.list()}

    async def checkins(self) -> dict[str, Checkin]:
        async with self() as uow:
            return {c.id: c for c in await uow.checkins.list()}

    async def assessments(self) -> list[Assessment]:
        async with self() as uow:
            return list(await uow.assessments.list())

    async def stories(self) -> dict[str, Story]:
        async with self() as uow:
            return {s.id: s for s in await uow.stories.list()}

    async def deliveries(self) -> dict[str, Delivery]:
        t = tables.deliveries
        rows = await self._rows(select(t).order_by(t.c.created_at, t.c.id))
        return {d.id: d for d in map(convert.delivery.from_row, rows)}

    async def inbound_events(self) -> dict[str, datetime]:
        t = tables.inbound_events
        return {
            r["event_id"]: r["received_at"] for r in await self._rows(select(t).order_by(t.c.received_at))
        }

    async def prompt_cache(self) -> dict[tuple[str, str], PromptSet]:
        t = tables.prompt_cache
        rows = await self._rows(select(t).order_by(t.c.pairing_id, t.c.week))
        return {(r["pairing_id"], r["week"]): convert.prompt_set.from_row(r) for r in rows}

    async def prompt_ratings(self) -> list[PromptRating]:
        t = tables.prompt_ratings
        return [
            convert.prompt_rating.from_row(r)
            for r in await self._rows(select(t).order_by(t.c.created_at, t.c.id))
        ]

    async def execute(self, stmt: Any) -> None:
        """Change rows below the repositories (a state the engine could not reach by itself), committed."""
        async with self.database.engine.begin() as connection:
            await connection.execute(stmt)

    async def _rows(self, stmt: Any) -> list[Any]:
        async with self.database.engine.connect() as connection:
            return list((await connection.execute(stmt)).mappings().all())


async def close_test_stores() -> None:
    """Dispose of every store made since the last call (each test's own)."""
    while _open:
        await _open.pop().close()
