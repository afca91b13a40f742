"""The database as the application sees it: an engine, units of work, a health check, migrations.

SQLite (through aiosqlite) is the embedded default and PostgreSQL (through asyncpg) the production
store; `DATABASE_URL` picks one. Whatever can go wrong reaching it surfaces as `DatabaseUnavailable`,
whose message names DATABASE_URL with the password hidden, so the CLI can print it as it is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./mentorbot.db"
SQLITE_BUSY_TIMEOUT_MS = 5000
MIGRATION_LOCK_ID = 0x6D656E746F72
"""PostgreSQL advisory lock taken while migrating, so replicas starting together migrate one at a time."""

_SUPPORTED = ("sqlite+aiosqlite", "postgresql+asyncpg")

HEALTH_TIMEOUT_SECONDS = 2.0
"""How long /healthz waits for the database: it is polled, and a hung database must answer 503 quickly."""
DATABASE_OK = "reachable"
DATABASE_READ_ONLY = "read-only"
DATABASE_UNREACHABLE = "unreachable"


class DatabaseUnavailable(RuntimeError):
    """The database named by DATABASE_URL cannot be used; the message is safe to print."""


class InvalidDatabaseUrl(DatabaseUnavailable, ValueError):
    """DATABASE_URL is not a URL this program can use."""


def normalise_database_url(raw: str) -> URL:
    """Accept the URLs hosting platforms hand out (`postgres://`, `postgresql://`, `sqlite:///`).

    They name a sync driver or none; the async drivers are substituted, and libpq's `sslmode`
    becomes asyncpg's `ssl`.
    """
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError) as exc:
        raise InvalidDatabaseUrl(
            "DATABASE_URL is not a database URL (expected e.g. sqlite+aiosqlite:///./mentorbot.db "
            "or postgresql://user@host:5432/dbname)"
        ) from exc
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgres", "postgresql") and driver in ("", "asyncpg"):
        url = url.set(drivername="postgresql+asyncpg")
        if "sslmode" in url.query and "ssl" not in url.query:
            url = url.update_query_dict({"ssl": url.query["sslmode"]}).difference_update_query(["sslmode"])
    elif backend == "sqlite" and driver in ("", "aiosqlite"):
        url = url.set(drivername="sqlite+aiosqlite")
    return url


def safe_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


class Database:
    """Owns the async engine; hands out units of work (`unit_of_work` is the engine's factory)."""

    def __init__(
        self, url: str = DEFAULT_DATABASE_URL, *, connect_timeout: float = 5.0, echo: bool = False
    ) -> None:
        self.url = normalise_database_url(url)
        if self.url.drivername not in _SUPPORTED:
            raise InvalidDatabaseUrl(
                f"DATABASE_URL={safe_url(self.url)} uses an unsupported driver; "
                "use sqlite+aiosqlite:///path or postgresql://user@host/dbname"
            )
        self.connect_timeout = connect_timeout
        self.engine: AsyncEngine = _create_engine(self.url, connect_timeout=connect_timeout, echo=echo)
        self.dialect: str = self.engine.dialect.name
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._shared_connection = isinstance(self.engine.sync_engine.pool, StaticPool)
        """In-memory SQLite: all units of work share one connection, so probes must not open transactions."""
        self._health_probe: asyncio.Task[str] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Database:
        env = os.environ if environ is None else environ
        return cls(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL, **options)

    @property
    def safe_url(self) -> str:
        return safe_url(self.url)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self.dialect)

    async def ping(self) -> bool:
        """True when the database answers and takes writes: `health()` said `DATABASE_OK`."""
        return await self.health() == DATABASE_OK

    async def health(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> str:
        """For /healthz: `DATABASE_OK`, `DATABASE_READ_ONLY` or `DATABASE_UNREACHABLE`, within `timeout` s.

        A `SELECT 1` is not enough: a SQLite file the process may not write still opens (read-only) and
        answers it, while every command fails. So the probe really asks for a write to the main database
        and rolls it back (see `_probe_writable`); it leaves nothing behind and costs one lock round.

        The drivers work off the event loop (aiosqlite's thread, asyncpg's protocol). A probe that has
        not answered within `timeout` is left to finish in the background rather than waited for (an
        aiosqlite call cannot be interrupted: cancelling it would wait for SQLite's busy timeout), and
        callers arriving meanwhile share it, so a hung database costs one connection, not one per poll.
        """
        loop = asyncio.get_running_loop()
        probe = self._health_probe
        if probe is None or probe.done() or probe.get_loop() is not loop:
            probe = self._health_probe = loop.create_task(self._probe_health())
        try:
            return await asyncio.wait_for(asyncio.shield(probe), timeout)
        except TimeoutError:
            logger.warning("database health check for %s: no answer in %ss", self.safe_url, timeout)
            return DATABASE_UNREACHABLE

    async def _probe_health(self) -> str:
        try:
            async with asyncio.timeout(max(self.connect_timeout, HEALTH_TIMEOUT_SECONDS)):
                async with self.engine.connect() as connection:
                    writable = await _probe_writable(connection, shared=self._shared_connection)
        except (OSError, TimeoutError, SQLAlchemyError) as exc:
            if _is_read_only_error(exc):
                logger.warning("database %s is read-only: %s", self.safe_url, _reason(exc, self.url))
                return DATABASE_READ_ONLY
            logger.warning("database ping failed for %s: %s", self.safe_url, _reason(exc, self.url))
            return DATABASE_UNREACHABLE
        if not writable:
            logger.warning("database %s is read-only (read-only transactions or a standby)", self.safe_url)
            return DATABASE_READ_ONLY
        return DATABASE_OK

    async def check_reachable(self) -> None:
        """Raise `DatabaseUnavailable` unless the database answers: the check to run at start."""
        async with self._connection() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (Alembic `upgrade`); a no-op when already there.

        SQLite rebuilds a table to change it, and dropping the old copy of a parent table would cascade
        into its children; so, as SQLite's manual advises, foreign keys are off while migrating (the
        pragma only takes effect outside a transaction) and checked before the migration commits.
        """
        async with self._connection() as connection:
            from storage import migration  # Alembic is only needed here; it weighs ~35 MB

            sqlite = self.dialect == "sqlite"
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            try:
                async with connection.begin():
                    if self.dialect == "postgresql":
                        await connection.execute(
                            text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                        )
                    await connection.run_sync(migration.upgrade, revision)
                    if sqlite:
                        broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                        if broken:
                            raise DatabaseUnavailable(
                                f"migrating {self.safe_url} left rows without their parent: {broken[:5]}"
                            )
            finally:
                if sqlite:
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await connection.commit()
        logger.info("database %s migrated to %s", self.safe_url, revision)

    async def dispose(self) -> None:
        probe, self._health_probe = self._health_probe, None
        if probe is not None and not probe.done() and probe.get_loop() is asyncio.get_running_loop():
            probe.cancel()
            await asyncio.wait({probe}, timeout=self.connect_timeout)
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.dispose()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection, or `DatabaseUnavailable` when one cannot be opened in time."""
        try:
            async with asyncio.timeout(self.connect_timeout):
                connection = await self.engine.connect()
        except (OSError, TimeoutError, SQLAlchemyError) as exc:
            raise DatabaseUnavailable(
                f"cannot reach the database at DATABASE_URL={self.safe_url}: {_reason(exc, self.url)}"
            ) from exc
        try:
            yield connection
        finally:
            await connection.close()


_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)
"""JSON columns are written compact and without the check for circular references (the values are
plain data built by `storage.convert`): a check-in fan-out serialises one message per person."""


def _create_engine(url: URL, *, connect_timeout: float, echo: bool) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        in_memory = url.database in (None, "", ":memory:")
        options: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
        engine = create_async_engine(url, echo=echo, json_serializer=_JSON.encode, **options)
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        json_serializer=_JSON.encode,
        pool_pre_ping=True,
        connect_args={"timeout": connect_timeout},
    )


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work beside the one writer; the busy timeout makes writers queue, not fail."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


async def _probe_writable(connection: AsyncConnection, *, shared: bool) -> bool:
    """False (or a read-only error) when the database would refuse a write; nothing is ever committed.

    SQLite: `BEGIN IMMEDIATE` alone proves nothing (a connection that opened the file read-only still
    gets the WAL write lock), so the probe rewrites `PRAGMA user_version` with its own value — a write
    to the main file's header page, needing no table — and rolls back; a read-only file fails it with
    SQLITE_READONLY. PostgreSQL: a standby (`pg_is_in_recovery()`) or `default_transaction_read_only`
    makes every transaction read-only, which `transaction_read_only` shows without writing anything.
    """
    if connection.dialect.name == "sqlite":
        if shared:  # one in-memory connection for everyone: never begin or roll back on it
            await connection.exec_driver_sql("SELECT 1")
            return True
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            version = int((await connection.exec_driver_sql("PRAGMA user_version")).scalar_one())
            await connection.exec_driver_sql(f"PRAGMA user_version = {version}")
        finally:
            await connection.rollback()
        return True
    query = "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"
    in_recovery, read_only = tuple((await connection.exec_driver_sql(query)).one())
    await connection.rollback()
    return not in_recovery and read_only != "on"


def _is_read_only_error(exc: BaseException) -> bool:
    """SQLITE_READONLY (a file opened read-only) or PostgreSQL's read_only_sql_transaction (25006)."""
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    name = str(getattr(cause, "sqlite_errorname", ""))
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return name.startswith("SQLITE_READONLY") or sqlstate == "25006" or "readonly database" in str(cause)


def _reason(exc: BaseException, url: URL) -> str:
    """One line on why, with the password scrubbed should a driver ever echo it."""
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, TimeoutError):
        message = "no answer in time"
    else:
        lines = str(cause).strip().splitlines()
        message = lines[0] if lines else type(cause).__name__
    if url.password:
        message = message.replace(str(url.password), "***")
    return message
