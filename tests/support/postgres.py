"""The PostgreSQL server tests run against, and throwaway databases on it.

The server comes from MENTORBOT_TEST_POSTGRES_URL. A test that needs it calls `require_postgres()`:
without a server the test is skipped with the reason, except under CI=true, where a missing server is
a failure (the suite must really run there). Each test session works in a database of its own,
created with a unique name and dropped afterwards, so sessions sharing one server never meet.

Usage from a conftest::

    @pytest.fixture(scope="session")
    def postgres_database_url() -> Iterator[str]:
        with temporary_database(require_postgres()) as url:
            yield url
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

POSTGRES_URL_ENV = "MENTORBOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PROBE_TIMEOUT_SECONDS = 3.0

T = TypeVar("T")


def postgres_url() -> str:
    """The server's SQLAlchemy URL (asyncpg driver), from the environment or the default."""
    raw = os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL
    return _sqlalchemy_url(make_url(raw)).render_as_string(hide_password=False)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unreachable_reason(url: str | None = None) -> str | None:
    """None when the server answers a query; otherwise why not, with any password hidden."""
    return _probe(url or postgres_url())


def require_postgres() -> str:
    """The server's URL, or skip the test (fail it under CI=true) when no server answers."""
    url = postgres_url()
    reason = unreachable_reason(url)
    if reason is not None:
        if in_ci():
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    return url


@contextmanager
def temporary_database(server_url: str | None = None) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it afterwards.

    Synchronous (it runs its own event loop in a worker thread) so session-scoped fixtures can use it
    whatever event loop each test gets.
    """
    server = make_url(server_url or postgres_url())
    name = f"mentorbot_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    run_async(lambda: _admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield _sqlalchemy_url(server.set(database=name)).render_as_string(hide_password=False)
    finally:
        run_async(lambda: _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_async(make_coroutine: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a fresh event loop in another thread, from sync code."""

    async def main() -> T:
        return await make_coroutine()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def asyncpg_dsn(url: str | URL) -> str:
    """The libpq-style DSN asyncpg itself accepts (no `+asyncpg` driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlalchemy_url(url: URL) -> URL:
    return url.set(drivername="postgresql+asyncpg")


@cache
def _probe(url: str) -> str | None:
    async def attempt() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=PROBE_TIMEOUT_SECONDS)
        try:
            await connection.fetchval("SELECT 1")
        finally:
            await connection.close()

    try:
        run_async(lambda: asyncio.wait_for(attempt(), PROBE_TIMEOUT_SECONDS * 2))
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot test against it"
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if parsed.password:
            detail = detail.replace(str(parsed.password), "***")
        return (
            f"PostgreSQL not reachable at {shown} ({type(exc).__name__}{': ' + detail if detail else ''}); "
            f"start it or point {POSTGRES_URL_ENV} at one"
        )
    return None


async def _admin(server: URL, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE refuse to run inside one)."""
    connection = await asyncpg.connect(asyncpg_dsn(server), timeout=PROBE_TIMEOUT_SECONDS * 2)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
