"""The private "please don't pair me with" lists: one row per person listed, owned by whoever listed them.

Only two readers exist: the person's own profile form and matching (`pairs`). Nothing here is shown to
anyone else; the admin outputs (`stats`, `export`) never query this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import UserRef
from conversations.ports import Person
from storage import tables

MAX_NAME = 200


class SqlAvoidList:
    t = tables.avoid_list

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def get(self, user: UserRef) -> tuple[Person, ...]:
        stmt = (
            select(self.t.c.avoided_key, self.t.c.name)
            .where(self.t.c.user_key == user.key)
            .order_by(self.t.c.position)
        )
        rows = (await self.session.execute(stmt)).all()
        return tuple(Person(UserRef.from_key(key), name) for key, name in rows)

    async def replace(self, user: UserRef, avoided: Sequence[Person], at: datetime) -> None:
        await self.session.execute(delete(self.t).where(self.t.c.user_key == user.key))
        people = {p.user: p for p in avoided if p.user != user}
        rows = [
            {
                "user_key": user.key,
                "avoided_key": person.user.key,
                "name": person.name[:MAX_NAME],
                "platform": user.platform,
                "workspace_id": user.workspace_id,
                "position": position,
                "added_at": at,
            }
            for position, person in enumerate(people.values())
        ]
        if rows:
            await self.session.execute(insert(self.t), rows)

    async def pairs(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> set[frozenset[UserRef]]:
        stmt = select(self.t.c.user_key, self.t.c.avoided_key)
        if platform is not None:
            stmt = stmt.where(self.t.c.platform == platform)
        if workspace_id is not None:
            stmt = stmt.where(self.t.c.workspace_id == workspace_id)
        rows = (await self.session.execute(stmt)).all()
        return {frozenset((UserRef.from_key(a), UserRef.from_key(b))) for a, b in rows}
