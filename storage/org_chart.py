"""The org chart's repository: the imported people and the links from chat accounts to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import UserRef
from conversations.services.org import OrgChanges, OrgPerson
from storage import convert, tables

_CHUNK = 1000
"""Emails per `IN (...)` list and rows per write: well under SQLite's limit on bound parameters."""

_DRIVER_CHUNK = 10_000
_PLACEHOLDERS: dict[str, Callable[[int], str]] = {
    "qmark": lambda n: ", ".join("?" * n),
    "numeric_dollar": lambda n: ", ".join(f"${k}" for k in range(1, n + 1)),
}
"""Parameter markers by the driver's style: aiosqlite's `?`, asyncpg's `$1`."""
_PERSON_COLUMNS = tuple(tables.org_people.c[name] for name in convert.org_person.columns)
"""What an `OrgPerson` is read from."""

_UPDATE_PERSON = (
    update(tables.org_people)
    .where(tables.org_people.c.email == bindparam("person_email"))
    .values(
        {name: bindparam(name) for name in (*convert.org_person.columns, "updated_at") if name != "email"}
    )
)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlOrgChart:
    t = tables.org_people
    links_t = tables.org_links

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def list(self) -> list[OrgPerson]:
        result = await self.session.execute(select(*_PERSON_COLUMNS).order_by(self.t.c.email))
        return [convert.org_person.from_row(row) for row in result.mappings().all()]

    async def get(self, email: str) -> OrgPerson | None:
        stmt = select(*_PERSON_COLUMNS).where(self.t.c.email == email.strip().lower())
        row = (await self.session.execute(stmt)).mappings().first()
        return convert.org_person.from_row(row) if row else None

    async def managers(self) -> dict[str, str | None]:
        result = await self.session.execute(select(self.t.c.email, self.t.c.manager_email))
        return {email: manager for email, manager in result.all()}

    async def apply(self, changes: OrgChanges, at: datetime) -> None:
        """Whole batches per statement: an import of 100,000 people is a few hundred round trips."""
        for emails in _chunks(changes.removed):
            await self.session.execute(delete(self.t).where(self.t.c.email.in_(emails)))
        for batch in _chunks(changes.updated):
            rows = []
            for person in batch:
                values = convert.org_person.values(person, updated_at=at)
                values["person_email"] = values.pop("email")
                rows.append(values)
            await self.session.execute(_UPDATE_PERSON, rows)
        await self._insert(changes.added, at)

    async def _insert(self, people: Sequence[OrgPerson], at: datetime) -> None:
        """New people straight through the driver's `executemany`: SQLAlchemy's per-row parameter
        processing would cost more than the database's own work for a whole chart (the one value that
        needs processing, the shared timestamp, is processed once)."""
        if not people:
            return
        connection = await self.session.connection()
        dialect = connection.dialect
        names = (*convert.org_person.columns, "updated_at")
        marks = _PLACEHOLDERS.get(dialect.paramstyle)
        if marks is None:  # a driver this path does not know: SQLAlchemy's own executemany
            for batch in _chunks(people):
                await self.session.execute(
                    insert(self.t), [convert.org_person.values(p, updated_at=at) for p in batch]
                )
            return
        stamp_type = self.t.c.updated_at.type
        process = stamp_type.bind_processor(dialect)
        stamp = process(at) if process else at
        sql = f"INSERT INTO {self.t.name} ({', '.join(names)}) VALUES ({marks(len(names))})"
        for batch in _chunks(people, _DRIVER_CHUNK):
            rows = [(*convert.org_person.row(p), stamp) for p in batch]
            await connection.exec_driver_sql(sql, rows)

    async def link(self, user: UserRef, email: str, at: datetime) -> None:
        await self.unlink(user)
        values = {"user_key": user.key, "email": email.strip().lower(), "linked_at": at}
        await self.session.execute(insert(self.links_t).values(**values))

    async def unlink(self, user: UserRef) -> None:
        await self.session.execute(delete(self.links_t).where(self.links_t.c.user_key == user.key))

    async def links(self) -> dict[UserRef, str]:
        result = await self.session.execute(select(self.links_t.c.user_key, self.links_t.c.email))
        return {UserRef.from_key(key): email for key, email in result.all()}
