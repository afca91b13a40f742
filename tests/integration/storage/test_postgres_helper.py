"""The test helper for PostgreSQL: it skips politely on a laptop and fails loudly in CI."""

from __future__ import annotations

import socket

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.support import postgres
from tests.support.postgres import asyncpg_dsn, require_postgres, run_async, temporary_database


def _unreachable_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres:hunter2@127.0.0.1:{port}/test"


@pytest.mark.parametrize(("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_an_unreachable_server_skips_or_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv(postgres.POSTGRES_URL_ENV, _unreachable_url())
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome) as stopped:
        require_postgres()
    reason = str(stopped.value)
    assert "PostgreSQL not reachable at postgresql+asyncpg://postgres:***@127.0.0.1" in reason
    assert postgres.POSTGRES_URL_ENV in reason
    assert "hunter2" not in reason


def test_plain_postgres_urls_get_the_asyncpg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(postgres.POSTGRES_URL_ENV, "postgresql://bot@127.0.0.1:5433/other")
    assert postgres.postgres_url() == "postgresql+asyncpg://bot@127.0.0.1:5433/other"
    monkeypatch.delenv(postgres.POSTGRES_URL_ENV)
    assert postgres.postgres_url() == postgres.DEFAULT_POSTGRES_URL


async def _database_exists(server_url: str, name: str) -> bool:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


@pytest.mark.postgres
def test_a_temporary_database_is_its_own_and_is_dropped_afterwards() -> None:
    server = require_postgres()
    with temporary_database(server) as first, temporary_database(server) as second:
        name = make_url(first).database
        assert name is not None and name != make_url(second).database
        assert run_async(lambda: _database_exists(server, name))
    assert not run_async(lambda: _database_exists(server, name))
