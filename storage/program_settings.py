"""Each workspace's program settings as its admins changed them in chat, with the history of changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import UserRef
from conversations.program_settings import SettingChange
from storage import tables


class SqlProgramSettings:
    t = tables.program_settings
    h = tables.program_settings_history

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def get(self, platform: str, workspace_id: str) -> dict[str, str]:
        stmt = select(self.t.c.key, self.t.c.value).where(
            self.t.c.platform == platform, self.t.c.workspace_id == workspace_id
        )
        return {key: value for key, value in (await self.session.execute(stmt)).all()}

    async def change(
        self, platform: str, workspace_id: str, values: Mapping[str, str | None], by: UserRef, at: datetime
    ) -> list[SettingChange]:
        stored = await self.get(platform, workspace_id)
        changes = [
            SettingChange(platform, workspace_id, key, stored.get(key), new, by, at)
            for key, new in values.items()
            if stored.get(key) != new
        ]
        here = (self.t.c.platform == platform, self.t.c.workspace_id == workspace_id)
        for change in changes:
            if change.new is None:
                await self.session.execute(delete(self.t).where(*here, self.t.c.key == change.key))
            elif change.old is None:
                row = {"platform": platform, "workspace_id": workspace_id, "key": change.key}
                await self.session.execute(insert(self.t).values(**row, value=change.new, changed_at=at))
            else:
                stmt = update(self.t).where(*here, self.t.c.key == change.key)
                await self.session.execute(stmt.values(value=change.new, changed_at=at))
        if changes:
            rows = [
                {
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "key": c.key,
                    "old_value": c.old,
                    "new_value": c.new,
                    "by_key": by.key,
                    "at": at,
                }
                for c in changes
            ]
            await self.session.execute(insert(self.h), rows)
        return changes

    async def history(self, platform: str, workspace_id: str, limit: int = 20) -> list[SettingChange]:
        h = self.h.c
        stmt = (
            select(h.key, h.old_value, h.new_value, h.by_key, h.at)
            .where(h.platform == platform, h.workspace_id == workspace_id)
            .order_by(h.at.desc(), h.id.desc())
            .limit(limit)
        )
        rows = (await self.session.execute(stmt)).all()
        return [
            SettingChange(platform, workspace_id, key, old, new, UserRef.from_key(by), at)
            for key, old, new, by, at in rows
        ]

    async def all(self) -> dict[tuple[str, str], dict[str, str]]:
        stmt = select(self.t.c.platform, self.t.c.workspace_id, self.t.c.key, self.t.c.value)
        found: dict[tuple[str, str], dict[str, str]] = {}
        for platform, workspace_id, key, value in (await self.session.execute(stmt)).all():
            found.setdefault((platform, workspace_id), {})[key] = value
        return found
