"""Development paths: one row per person and pairing, the milestones as a JSON list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select, update

from conversations.domain import DevelopmentPath, Side, UserRef
from storage import tables
from storage.repositories import _IN_CHUNK, _chunks, _SqlRepository


def _values(path: DevelopmentPath) -> dict[str, Any]:
    return {
        "pairing_id": path.pairing_id,
        "user_key": path.user.key,
        "side": path.side.value,
        "milestones": list(path.milestones),
        "source": path.source,
        "done": sorted(path.done),
        "created_at": path.created_at,
        "accepted_at": path.accepted_at,
        "asked_again": path.asked_again,
    }


def _path(row: Any) -> DevelopmentPath:
    return DevelopmentPath(
        pairing_id=row["pairing_id"],
        user=UserRef.from_key(row["user_key"]),
        side=Side(row["side"]),
        milestones=tuple(str(m) for m in row["milestones"] or ()),
        source=row["source"],
        created_at=row["created_at"],
        done=tuple(int(i) for i in row["done"] or ()),
        accepted_at=row["accepted_at"],
        asked_again=bool(row["asked_again"]),
    )


class SqlDevelopmentPaths(_SqlRepository):
    table = tables.development_paths

    async def get(self, pairing_id: str, user: UserRef) -> DevelopmentPath | None:
        t = self.table
        row = await self._row(select(t).where(t.c.pairing_id == pairing_id, t.c.user_key == user.key))
        return _path(row) if row else None

    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[DevelopmentPath]]:
        found: dict[str, list[DevelopmentPath]] = defaultdict(list)
        t = self.table
        for chunk in _chunks(sorted(set(pairing_ids)), _IN_CHUNK):
            stmt = select(t).where(t.c.pairing_id.in_(chunk)).order_by(t.c.pairing_id, t.c.user_key)
            for row in await self._rows(stmt):
                found[row["pairing_id"]].append(_path(row))
        return dict(found)

    async def owners(self, pairing_ids: Collection[str]) -> set[tuple[str, UserRef]]:
        t = self.table
        found: set[tuple[str, UserRef]] = set()
        for chunk in _chunks(sorted(set(pairing_ids)), _IN_CHUNK):
            rows = await self._rows(select(t.c.pairing_id, t.c.user_key).where(t.c.pairing_id.in_(chunk)))
            found.update((row["pairing_id"], UserRef.from_key(row["user_key"])) for row in rows)
        return found

    async def add_many(self, paths: Sequence[DevelopmentPath]) -> list[DevelopmentPath]:
        stored = []
        for path in paths:
            if await self._insert_if_absent(self.table, _values(path)):
                stored.append(path)
        return stored

    async def save(self, path: DevelopmentPath) -> None:
        t = self.table
        values = _values(path)
        await self.session.execute(
            update(t)
            .where(t.c.pairing_id == path.pairing_id, t.c.user_key == path.user.key)
            .values({k: v for k, v in values.items() if k not in ("pairing_id", "user_key")})
        )
