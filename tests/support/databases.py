"""An empty database on each store the storage tests run against, for tests that migrate it themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import pytest

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
