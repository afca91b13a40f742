"""The round-end survey's answers and the record of which rounds' reports went out.

A person answers once per pairing: a second submission (a double click, a resent form) stores nothing.
The report reads the numbers only; what people wrote (`learned`) is never selected for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from conversations.domain import Side, SurveyAnswer, UserRef
from storage import tables
from storage.repositories import _SqlRepository


def _values(answer: SurveyAnswer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "cycle_id": answer.cycle_id,
        "pairing_id": answer.pairing_id,
        "user_key": answer.user.key,
        "platform": answer.user.platform,
        "workspace_id": answer.user.workspace_id,
        "side": answer.side.value,
        "recommend": answer.recommend,
        "learned": answer.learned,
        "again": answer.again,
        "answered_at": answer.answered_at,
        "story_id": answer.story_id,
    }


def _answer(row: Any) -> SurveyAnswer:
    return SurveyAnswer(
        id=row["id"],
        cycle_id=row["cycle_id"],
        pairing_id=row["pairing_id"],
        user=UserRef.from_key(row["user_key"]),
        side=Side(row["side"]),
        recommend=row["recommend"],
        learned=row["learned"],
        again=bool(row["again"]),
        answered_at=row["answered_at"],
        story_id=row["story_id"],
    )


class SqlRoundEnd(_SqlRepository):
    answers_t = tables.survey_answers
    reports_t = tables.round_reports

    async def add_answer(self, answer: SurveyAnswer) -> bool:
        return await self._insert_if_absent(self.answers_t, _values(answer))

    async def answer_of(self, pairing_id: str, user: UserRef) -> SurveyAnswer | None:
        t = self.answers_t
        row = await self._row(select(t).where(t.c.pairing_id == pairing_id, t.c.user_key == user.key))
        return _answer(row) if row else None

    async def answers(self, cycle_id: str) -> list[SurveyAnswer]:
        t = self.answers_t
        rows = await self._rows(select(t).where(t.c.cycle_id == cycle_id).order_by(t.c.answered_at, t.c.id))
        return [_answer(row) for row in rows]

    async def mark_reported(self, cycle_id: str, at: datetime) -> bool:
        return await self._insert_if_absent(self.reports_t, {"cycle_id": cycle_id, "reported_at": at})

    async def reported(self, cycle_ids: list[str]) -> set[str]:
        if not cycle_ids:
            return set()
        t = self.reports_t
        rows = await self._rows(select(t.c.cycle_id).where(t.c.cycle_id.in_(cycle_ids)))
        return {row["cycle_id"] for row in rows}
