"""The `Database` object: URLs, SQLite settings, health checks and the errors an operator sees."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from conversations.domain import Cycle
from storage.database import (
    DEFAULT_DATABASE_URL,
    Database,
    DatabaseUnavailable,
    InvalidDatabaseUrl,
    normalise_database_url,
)
from storage.unit_of_work import SqlUnitOfWork
from tests.support.postgres import require_postgres

PASSWORD = "s3cret-Pa55"


def _closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://bot:pw@db.internal:5432/mentor", "postgresql+asyncpg://bot:pw@db.internal:5432/mentor"),
        ("postgresql://bot@127.0.0.1/mentor", "postgresql+asyncpg://bot@127.0.0.1/mentor"),
        ("postgresql+asyncpg://bot@127.0.0.1/mentor", "postgresql+asyncpg://bot@127.0.0.1/mentor"),
        ("postgres://bot@h/db?sslmode=require", "postgresql+asyncpg://bot@h/db?ssl=require"),
        ("sqlite:///./mentorbot.db", "sqlite+aiosqlite:///./mentorbot.db"),
        ("sqlite:////var/lib/mentorbot.db", "sqlite+aiosqlite:////var/lib/mentorbot.db"),
        ("  sqlite+aiosqlite:///x.db\n", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_urls_from_hosting_platforms_get_the_async_driver(given: str, expected: str) -> None:
    assert normalise_database_url(given).render_as_string(hide_password=False) == expected


def test_default_and_environment_urls() -> None:
    assert Database().url.render_as_string() == DEFAULT_DATABASE_URL
    assert Database.from_env({}).url.render_as_string() == DEFAULT_DATABASE_URL
    from_env = Database.from_env({"DATABASE_URL": "postgres://bot@127.0.0.1/mentor"})
    assert from_env.dialect == "postgresql"


@pytest.mark.parametrize("url", [f"not a url :{PASSWORD}", f"mysql://bot:{PASSWORD}@127.0.0.1/db", ""])
def test_unusable_urls_are_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(InvalidDatabaseUrl) as refused:
        Database(url)
    assert "DATABASE_URL" in str(refused.value)
    assert PASSWORD not in str(refused.value)
    assert isinstance(refused.value, DatabaseUnavailable)


async def test_an_unreachable_server_is_reported_by_name_without_the_password() -> None:
    database = Database(f"postgresql://bot:{PASSWORD}@127.0.0.1:{_closed_port()}/mentor")
    try:
        assert await database.ping() is False
        for attempt in (database.migrate, database.check_reachable):
            with pytest.raises(DatabaseUnavailable) as unavailable:
                await attempt()
            message = str(unavailable.value)
            assert "DATABASE_URL=postgresql+asyncpg://bot:***@127.0.0.1" in message
            assert PASSWORD not in message
            assert "\n" not in message
    finally:
        await database.dispose()


async def test_a_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'missing-dir' / 'mentorbot.db'}")
    try:
        assert await database.ping() is False
        with pytest.raises(DatabaseUnavailable, match="DATABASE_URL=sqlite"):
            await database.migrate()
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_missing_postgres_database_is_unavailable() -> None:
    server = make_url(require_postgres())
    url = server.set(password=PASSWORD, database="mentorbot_no_such_database").render_as_string(False)
    database = Database(url)
    try:
        with pytest.raises(DatabaseUnavailable) as unavailable:
            await database.migrate()
        assert "mentorbot_no_such_database" in str(unavailable.value)
        assert PASSWORD not in str(unavailable.value)
    finally:
        await database.dispose()


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_database: Database) -> None:
    async with sqlite_database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_ping_answers_when_the_database_does(sql_database: Database) -> None:
    assert await sql_database.ping() is True
    await sql_database.check_reachable()


async def test_each_call_gives_a_new_unit_of_work(sql_database: Database) -> None:
    first, second = sql_database.unit_of_work(), sql_database.unit_of_work()
    assert isinstance(first, SqlUnitOfWork) and first is not second


async def test_a_unit_cannot_be_entered_twice_at_once(sql_database: Database) -> None:
    uow = sql_database.unit_of_work()
    async with uow:
        with pytest.raises(RuntimeError):
            async with uow:
                pass


async def test_naive_datetimes_are_refused(sql_database: Database) -> None:
    async with sql_database.unit_of_work() as uow:
        with pytest.raises((ValueError, StatementError), match="naive datetime"):
            await uow.cycles.add(Cycle("c1", 1, datetime(2026, 1, 5, 9, 0), 12))


async def test_sqlite_stores_instants_as_utc_text(sqlite_database: Database) -> None:
    """Ordering by text only works if every instant is written in one zone and one format."""
    local = datetime(2026, 1, 5, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    async with sqlite_database.unit_of_work() as uow:
        await uow.cycles.add(Cycle("c1", 1, local, 12))
        await uow.commit()
    async with sqlite_database.engine.connect() as connection:
        stored = (await connection.execute(text("SELECT started_at FROM cycles"))).scalar()
    assert stored == "2026-01-05 09:30:00.000000"


async def test_an_in_memory_sqlite_database_works_end_to_end() -> None:
    database = Database("sqlite+aiosqlite://")
    try:
        await database.migrate()
        async with database.unit_of_work() as uow:
            assert await uow.inbound_events.remember(
                "Ev1", datetime.fromisoformat("2026-01-05T09:00:00+00:00")
            )
            await uow.commit()
        async with database.unit_of_work() as uow:
            assert not await uow.inbound_events.remember(
                "Ev1", datetime.fromisoformat("2026-01-05T09:00:00+00:00")
            )
    finally:
        await database.dispose()
