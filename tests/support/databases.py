"""An empty database on each store the storage tests run against, for tests that migrate it themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import inspect

from storage import migration
from storage.database import Database
from tests.support.postgres import require_postgres, temporary_database

STORES = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
"""For `pytest.mark.parametrize("store", STORES)`: the PostgreSQL case is marked as such."""


@asynccontextmanager
async def empty_database(store: str, folder: Path) -> AsyncIterator[Database]:
    """No tables yet: on "sqlite" a new file in `folder`, on "postgres" a throwaway database on the test
    server (the test is skipped when there is none)."""
    with ExitStack() as stack:
        if store == "sqlite":
            url = f"sqlite+aiosqlite:///{folder / 'mentorbot.db'}"
        else:
            url = stack.enter_context(temporary_database(require_postgres()))
        database = Database(url)
        try:
            yield database
        finally:
            await database.dispose()


async def upgrade_to_head(database: Database) -> None:
    """Migrate a database in use to the newest revision, and check that it got there."""
    await database.migrate()
    async with database.engine.connect() as connection:
        assert await connection.run_sync(migration.current_revision) == migration.head_revision()


async def tables_after_downgrade(database: Database, revision: str) -> set[str]:
    """Downgrade to `revision`; the tables left."""
    async with database.engine.begin() as connection:
        await connection.run_sync(migration.downgrade, revision)
        return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
