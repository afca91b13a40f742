"""The invitations' repository: who of the org chart was invited where, and how they answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import Invitation, InvitationStatus, UserRef
from storage import convert, tables

_CHUNK = 1000
"""Rows per write: well under SQLite's limit on bound parameters."""
_KEYS = ("email", "platform", "workspace_id")


@cache
def _upsert(table: Table, dialect: str) -> Any:
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise NotImplementedError(f"no upsert for the {dialect!r} dialect")
    names = [c.name for c in table.c if c.name not in _KEYS]
    return stmt.on_conflict_do_update(index_elements=list(_KEYS), set_={n: stmt.excluded[n] for n in names})


class SqlInvitations:
    t = tables.invitations

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def get(self, invitation_id: str) -> Invitation | None:
        row = (
            (await self.session.execute(select(self.t).where(self.t.c.id == invitation_id)))
            .mappings()
            .first()
        )
        return convert.invitation.from_row(row) if row else None

    async def in_workspace(self, platform: str, workspace_id: str) -> dict[str, Invitation]:
        stmt = select(self.t).where(self.t.c.platform == platform, self.t.c.workspace_id == workspace_id)
        rows = (await self.session.execute(stmt)).mappings().all()
        return {row["email"]: convert.invitation.from_row(row) for row in rows}

    async def save_many(self, invitations: Sequence[Invitation]) -> None:
        statement = _upsert(self.t, self.dialect)
        for start in range(0, len(invitations), _CHUNK):
            batch = invitations[start : start + _CHUNK]
            await self.session.execute(statement, [convert.invitation.values(i) for i in batch])

    async def mark_joined(self, user: UserRef, at: datetime) -> int:
        linked = select(tables.org_links.c.email).where(tables.org_links.c.user_key == user.key)
        stmt = (
            update(self.t)
            .where(
                and_(
                    self.t.c.platform == user.platform,
                    self.t.c.workspace_id == user.workspace_id,
                    self.t.c.status != InvitationStatus.JOINED.value,
                    or_(self.t.c.user_key == user.key, self.t.c.email.in_(linked)),
                )
            )
            .values(status=InvitationStatus.JOINED.value, answered_at=at, user_key=user.key)
        )
        result: Any = await self.session.execute(stmt)
        return int(result.rowcount or 0)

    async def counts(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> dict[InvitationStatus, int]:
        stmt = select(self.t.c.status, func.count()).group_by(self.t.c.status)
        if platform is not None:
            stmt = stmt.where(self.t.c.platform == platform, self.t.c.workspace_id == workspace_id)
        rows = (await self.session.execute(stmt)).all()
        return {InvitationStatus(status): int(count) for status, count in rows}
