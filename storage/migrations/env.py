"""Alembic environment for the Mentorbot schema.

Inside the application, `storage.database.Database.migrate` passes an open connection through
`config.attributes["connection"]`. Run by hand (`alembic -c storage/alembic.ini upgrade head`), it
connects to DATABASE_URL itself.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage import tables
from storage.database import DEFAULT_DATABASE_URL, normalise_database_url

target_metadata = tables.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    raw = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    return normalise_database_url(raw).render_as_string(hide_password=False)


async def _run_with_own_engine() -> None:
    engine = create_async_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=_database_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
