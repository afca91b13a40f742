"""The database as the application sees it: an engine, units of work, a health check, migrations.

SQLite (through aiosqlite) is the embedded default and PostgreSQL (through asyncpg) the production
store; `DATABASE_URL` picks one. Whatever can go wrong reaching it surfaces as `DatabaseUnavailable`,
whose message names DATABASE_URL with the password hidden, so the CLI can print it as it is.
"""

from __future__ import annotations

import asyncio
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
        """For /healthz: True when a trivial query answers within the connect timeout."""
        try:
            async with asyncio.timeout(self.connect_timeout):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except (OSError, TimeoutError, SQLAlchemyError) as exc:
            logger.warning("database ping failed for %s: %s", self.safe_url, _reason(exc, self.url))
            return False
        return True

    async def check_reachable(self) -> None:
        """Raise `DatabaseUnavailable` unless the database answers: the check to run at start."""
        async with self._connection() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (Alembic `upgrade`); a no-op when already there."""
        async with self._connection() as connection:
            async with connection.begin():
                if self.dialect == "postgresql":
                    await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                from storage import migration  # Alembic is only needed here; it weighs ~35 MB

                await connection.run_sync(migration.upgrade, revision)
        logger.info("database %s migrated to %s", self.safe_url, revision)

    async def dispose(self) -> None:
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


def _create_engine(url: URL, *, connect_timeout: float, echo: bool) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        in_memory = url.database in (None, "", ":memory:")
        options: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
        engine = create_async_engine(url, echo=echo, **options)
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        return engine
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, connect_args={"timeout": connect_timeout}
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
