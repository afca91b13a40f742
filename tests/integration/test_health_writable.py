"""/healthz tells the truth about writes: a database that answers SELECT but refuses every write is degraded.

The bug: with the SQLite file read-only, every command failed ("Sorry, something went wrong") while
`GET /healthz` answered 200 `{"database": "reachable"}`, because the check was a bare `SELECT 1`.

How these tests make a SQLite file read-only, given that they may run as root (who ignores `chmod`):

- "file permissions": the real thing, the main database file cannot be opened for writing. As a normal
  user that is `chmod 444`; as root it is `chattr +i` (immutable: even root's `open(O_RDWR)` fails with
  EPERM). SQLite then falls back to opening the file read-only, exactly as for an operator's `chmod`:
  reads work, every write fails with SQLITE_READONLY. Only the main file is frozen: with the directory
  frozen too and no -shm yet, SQLite cannot even read a WAL database (that was already "unreachable"), and
  `chattr +i` on a -shm a live connection has mapped kills the process with SIGBUS. When neither way
  works (root without CAP_LINUX_IMMUTABLE, or a filesystem without the attribute) the case is skipped.
- "read-only open": the same file opened through `file:…?mode=ro&uri=true`, which puts SQLite in the
  very same state (a read-only connection to a writable-looking file) and works everywhere, as any user.

Each case first proves the scenario — SELECT answers, a real write fails — before asking /healthz.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.web import build_web_app
from storage.database import HEALTH_TIMEOUT_SECONDS, Database
from tests.support.postgres import asyncpg_dsn, require_postgres, temporary_database

HEALTHY = {"status": "ok", "database": "reachable"}
READ_ONLY = {"status": "degraded", "database": "read-only"}
UNREACHABLE = {"status": "degraded", "database": "unreachable"}


@asynccontextmanager
async def health_client(database: Database) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(build_web_app(database), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def get_health(client: TestClient) -> tuple[int, dict[str, Any]]:
    response = await client.get("/healthz")
    return response.status, await response.json()


async def migrated_sqlite(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()
    return url


async def a_real_write(database: Database) -> None:
    """What every command does sooner or later: change a row of a real table, and commit."""
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = version_num"))


@contextmanager
def main_file_unwritable(path: Path) -> Iterator[str]:
    """Make `path` impossible to open for writing by this process; yields how it was done."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield "chmod 444"
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root, who ignores chmod, and chattr is not installed")
    frozen = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if frozen.returncode != 0:
        pytest.skip(f"running as root, who ignores chmod, and chattr +i failed: {frozen.stderr.strip()}")
    try:
        yield "chattr +i"
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


async def test_a_writable_database_is_healthy_and_the_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "mentorbot.db"
    database = Database(await migrated_sqlite(path))
    try:
        async with database.engine.connect() as connection:
            before = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        wal = path.with_name(path.name + "-wal")
        wal_size = wal.stat().st_size
        async with health_client(database) as client:
            for _ in range(20):
                assert await get_health(client) == (200, HEALTHY)
        assert wal.stat().st_size == wal_size, "a rolled-back probe writes nothing to the WAL"
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("SELECT version_num FROM alembic_version"))).all() == before
            assert (await connection.execute(text("PRAGMA user_version"))).scalar() == 0
        # The probe let go of the write lock: another connection can write at once, without waiting.
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
        await a_real_write(database)
    finally:
        await database.dispose()


@pytest.mark.parametrize("way", ["file permissions", "read-only open"])
async def test_a_sqlite_file_that_refuses_writes_answers_503_read_only(tmp_path: Path, way: str) -> None:
    path = tmp_path / "mentorbot.db"
    url = await migrated_sqlite(path)
    with main_file_unwritable(path) if way == "file permissions" else nullcontext():
        if way == "file permissions":
            with pytest.raises(PermissionError):
                path.open("r+b")
        else:
            url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
        database = Database(url)
        try:
            # The scenario of the bug report: reads answer (the old SELECT 1 said "reachable")...
            async with database.engine.connect() as connection:
                assert (await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar() == 1
            # ...and every write fails.
            with pytest.raises(OperationalError, match="readonly"):
                await a_real_write(database)
            async with health_client(database) as client:
                assert await get_health(client) == (503, READ_ONLY)
            assert await database.ping() is False
        finally:
            await database.dispose()


async def test_a_hung_database_answers_503_quickly_without_blocking_the_event_loop() -> None:
    """A server that accepts the connection and then says nothing, as a wedged PostgreSQL would."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        database = Database(f"postgresql://bot@127.0.0.1:{port}/mentor", connect_timeout=30)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        beat = asyncio.create_task(ticker())
        try:
            async with health_client(database) as client:
                started = time.monotonic()
                assert await get_health(client) == (503, UNREACHABLE)
                elapsed = time.monotonic() - started
        finally:
            beat.cancel()
            await database.dispose()
    assert HEALTH_TIMEOUT_SECONDS - 0.5 < elapsed < HEALTH_TIMEOUT_SECONDS + 3, elapsed
    assert ticks >= 10, "the event loop kept running while the probe waited"


async def test_a_sqlite_write_lock_held_too_long_answers_503_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / "mentorbot.db"
    database = Database(await migrated_sqlite(path))
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, stuck: the probe cannot get its lock in time
        async with health_client(database) as client:
            started = time.monotonic()
            assert await get_health(client) == (503, UNREACHABLE)
            assert time.monotonic() - started < HEALTH_TIMEOUT_SECONDS + 3
            holder.execute("ROLLBACK")
            deadline = time.monotonic() + 10
            while (status := await get_health(client)) != (200, HEALTHY) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert status == (200, HEALTHY)
    finally:
        holder.close()
        await database.dispose()


async def test_an_in_memory_database_is_probed_without_touching_its_shared_connection() -> None:
    database = Database("sqlite+aiosqlite://")
    try:
        await database.migrate()
        async with database.unit_of_work():  # a unit of work in flight on the one shared connection
            assert await database.health() == "reachable"
        async with health_client(database) as client:
            assert await get_health(client) == (200, HEALTHY)
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_read_only_postgres_database_answers_503_read_only() -> None:
    with temporary_database(require_postgres()) as url:
        name = make_url(url).database
        database = Database(url)
        try:
            await database.migrate()
            async with health_client(database) as client:
                assert await get_health(client) == (200, HEALTHY)
                admin = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
                try:
                    await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
                finally:
                    await admin.close()
                await database.engine.dispose()  # new sessions pick the database's setting up
                with pytest.raises(SQLAlchemyError, match="read-only"):
                    await a_real_write(database)
                assert await get_health(client) == (503, READ_ONLY)
                rows = await _count_alembic_rows(database)
                assert rows == 1, "the probe left nothing behind"
        finally:
            await database.dispose()


async def _count_alembic_rows(database: Database) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one())
