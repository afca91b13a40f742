"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import migration, tables
from storage.database import Database
from tests.support.postgres import require_postgres, temporary_database


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, tables.metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrated_schema_matches_the_models(sql_database: Database) -> None:
    async with sql_database.engine.connect() as connection:
        assert await connection.run_sync(_schema_diff) == []
        assert await connection.run_sync(migration.current_revision) == migration.head_revision()


async def test_migrating_twice_changes_nothing(sql_database: Database) -> None:
    await sql_database.migrate()
    async with sql_database.engine.connect() as connection:
        assert await connection.run_sync(_schema_diff) == []


async def test_the_schema_check_notices_a_missing_index(sql_database: Database) -> None:
    """Guards the check above: a schema that drifted from the models shows up as a difference."""
    async with sql_database.engine.begin() as connection:
        await connection.exec_driver_sql("DROP INDEX ix_deliveries_status_not_before")
        diff = await connection.run_sync(_schema_diff)
        await connection.rollback()
    assert any(
        change[0] == "add_index" and change[1].name == "ix_deliveries_status_not_before" for change in diff
    )
    if sql_database.dialect == "sqlite":  # SQLite's DDL is not transactional here: put it back
        async with sql_database.engine.begin() as connection:
            await connection.exec_driver_sql(
                "CREATE INDEX ix_deliveries_status_not_before ON deliveries (status, not_before)"
            )


async def _downgrade_and_upgrade(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(migration.downgrade, "base")
        assert await connection.run_sync(_table_names) <= {"alembic_version"}
    await database.migrate()
    async with database.engine.connect() as connection:
        assert {t.name for t in tables.metadata.sorted_tables} <= await connection.run_sync(_table_names)
        assert await connection.run_sync(_schema_diff) == []


async def test_downgrade_to_base_and_back_on_sqlite(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'down.db'}")
    try:
        await database.migrate()
        await _downgrade_and_upgrade(database)
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_downgrade_to_base_and_back_on_postgres() -> None:
    with temporary_database(require_postgres()) as url:
        database = Database(url)
        try:
            await database.migrate()
            await _downgrade_and_upgrade(database)
        finally:
            await database.dispose()
