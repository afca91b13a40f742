"""The waitlist: who was left without a partner, and since when, so the longest-waiting go first."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import UserRef
from storage import tables

_CHUNK = 1000
"""Keys per statement: well under SQLite's limit on bound parameters."""


@cache
def _insert_if_absent(table: Table, dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-if-absent for the {dialect!r} dialect")


def _inserted(result: Any) -> bool:
    return int(getattr(result, "rowcount", 0) or 0) == 1


class SqlWaitlist:
    t = tables.waitlist

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def add(self, users: Sequence[UserRef], at: datetime) -> list[UserRef]:
        """Put on the waitlist whoever is not on it yet, waiting from `at`; returns those added."""
        added: list[UserRef] = []
        statement = _insert_if_absent(self.t, self.dialect)
        for user in dict.fromkeys(users):
            values = {
                "user_key": user.key,
                "platform": user.platform,
                "workspace_id": user.workspace_id,
                "since": at,
            }
            if _inserted(await self.session.execute(statement, values)):
                added.append(user)
        return added

    async def remove(self, users: Collection[UserRef]) -> None:
        keys = sorted({u.key for u in users})
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            await self.session.execute(delete(self.t).where(self.t.c.user_key.in_(chunk)))

    async def since(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> dict[UserRef, datetime]:
        stmt = select(self.t.c.user_key, self.t.c.since)
        if platform is not None:
            stmt = stmt.where(self.t.c.platform == platform)
        if workspace_id is not None:
            stmt = stmt.where(self.t.c.workspace_id == workspace_id)
        rows = (await self.session.execute(stmt)).all()
        return {UserRef.from_key(key): since for key, since in rows}


class SqlDailyRuns:
    t = tables.daily_runs

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def claim(self, job: str, day: date, at: datetime) -> bool:
        values = {"job": job, "day": day, "claimed_at": at}
        return _inserted(await self.session.execute(_insert_if_absent(self.t, self.dialect), values))
