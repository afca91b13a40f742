"""Cached term embeddings on SQLite and PostgreSQL: read back as stored (float32), kept apart per model,
the first vector stored for a term wins, and migration 0015 adds the table to a database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 1, tzinfo=UTC)
PYTHON = (0.1, -0.25, 3.0e-8, 1.0)
SQL = (0.5, 0.5, -0.5, -0.5)


def as_float32(vector: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(x) for x in np.asarray(vector, dtype=np.float32))


async def test_vectors_are_read_back_per_model_and_term(store: StoreUnderTest) -> None:
    async with store.new_unit() as uow:
        assert await uow.term_vectors.add_many("small", {"python": PYTHON, "sql": SQL}, AT) == 2
        assert await uow.term_vectors.add_many("large", {"python": SQL}, AT) == 1
        await uow.commit()
    async with store.new_unit() as uow:
        small = await uow.term_vectors.get_many("small", ["python", "sql", "figma"])
        large = await uow.term_vectors.get_many("large", ["python", "sql"])
        nothing = await uow.term_vectors.get_many("other", ["python"])
    assert small == {"python": as_float32(PYTHON), "sql": SQL}
    assert large == {"python": SQL}
    assert nothing == {}


async def test_the_first_vector_stored_for_a_term_wins(store: StoreUnderTest) -> None:
    async with store.new_unit() as uow:
        await uow.term_vectors.add_many("small", {"sql": SQL}, AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.term_vectors.add_many("small", {"sql": PYTHON, "python": PYTHON}, AT) == 1
        await uow.commit()
    async with store.new_unit() as uow:
        assert (await uow.term_vectors.get_many("small", ["sql"]))["sql"] == SQL


async def test_many_terms_are_read_in_one_call(store: StoreUnderTest) -> None:
    vectors = {f"term {k}": (float(k), 1.0) for k in range(2500)}
    async with store.new_unit() as uow:
        assert await uow.term_vectors.add_many("small", vectors, AT) == 2500
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.term_vectors.get_many("small", list(vectors)) == vectors


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0009")
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        await uow.term_vectors.add_many("small", {"sql": SQL}, AT)
        await uow.commit()
    names = await tables_after_downgrade(database, "0009")
    assert "term_vectors" not in names and "avoid_list" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
