"""Learning resources shown to each person, and their votes on them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from conversations.domain import UserRef
from conversations.growth.picks import ResourcePick
from storage import tables
from storage.repositories import _IN_CHUNK, _chunks, _rowcount, _SqlRepository


def _pick(row: Any) -> ResourcePick:
    return ResourcePick(
        pairing_id=row["pairing_id"],
        user=UserRef.from_key(row["user_key"]),
        week=row["week"],
        resource_id=row["resource_id"],
        position=row["position"],
        shown_at=row["shown_at"],
        vote=row["vote"],
    )


class SqlResourcePicks(_SqlRepository):
    t = tables.resource_picks

    async def for_users(self, users: Collection[UserRef]) -> dict[UserRef, list[ResourcePick]]:
        found: dict[UserRef, list[ResourcePick]] = defaultdict(list)
        for chunk in _chunks(sorted({u.key for u in users}), _IN_CHUNK):
            stmt = (
                select(self.t)
                .where(self.t.c.user_key.in_(chunk))
                .order_by(self.t.c.shown_at, self.t.c.week, self.t.c.position)
            )
            for row in await self._rows(stmt):
                pick = _pick(row)
                found[pick.user].append(pick)
        return dict(found)

    async def of_week(self, pairing_id: str, user: UserRef, week: str) -> list[ResourcePick]:
        stmt = (
            select(self.t)
            .where(self.t.c.pairing_id == pairing_id, self.t.c.user_key == user.key, self.t.c.week == week)
            .order_by(self.t.c.position)
        )
        return [_pick(row) for row in await self._rows(stmt)]

    async def add_many(self, picks: Sequence[ResourcePick]) -> int:
        rows = [
            {
                "pairing_id": p.pairing_id,
                "user_key": p.user.key,
                "week": p.week,
                "resource_id": p.resource_id,
                "position": p.position,
                "vote": p.vote,
                "shown_at": p.shown_at,
                "voted_at": None,
            }
            for p in picks
        ]
        return len(await self._insert_many_if_absent(self.t, rows, "resource_id"))

    async def vote(
        self, pairing_id: str, user: UserRef, week: str, resource_id: str, vote: int, at: datetime
    ) -> bool:
        result = await self.session.execute(
            update(self.t)
            .where(
                self.t.c.pairing_id == pairing_id,
                self.t.c.user_key == user.key,
                self.t.c.week == week,
                self.t.c.resource_id == resource_id,
            )
            .values(vote=vote, voted_at=at)
        )
        return _rowcount(result) == 1
