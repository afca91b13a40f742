"""SQL implementations of the engine's repository protocols (`conversations.ports`).

Each repository issues Core statements on the unit of work's session and converts rows to domain
dataclasses, so no ORM identity map can hand back a stale object after a bulk update. Saves are
upserts (`INSERT ... ON CONFLICT DO UPDATE`) and the "only once" writes are `ON CONFLICT DO NOTHING`,
which both SQLite and PostgreSQL support and which, unlike catching an IntegrityError, leaves a
PostgreSQL transaction usable.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    or_,
    select,
    true,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    CheckinTally,
    ConversationRef,
    Cycle,
    Delivery,
    DeliveryStatus,
    Goal,
    GoalTotals,
    HeadCount,
    Pairing,
    PairingStatus,
    PairSignals,
    Participant,
    ParticipantStatus,
    PromptRating,
    Role,
    ScoreTotals,
    Side,
    Story,
    UserRef,
    WeekTotals,
    WindowTotals,
)
from conversations.ports import PromptSet
from storage import convert, tables

logger = logging.getLogger(__name__)

_DELETE_CHUNK = 1000
"""Ids per `IN (...)` list: well under SQLite's limit on bound parameters."""
_IN_CHUNK = _DELETE_CHUNK
"""Keys per `IN (...)` list of a batched read (a tick's chunk needs one or two)."""

_T = TypeVar("_T")


class _SqlRepository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def _upsert(
        self, table: Table, values: dict[str, Any], keys: tuple[str, ...], updated: tuple[str, ...] = ()
    ) -> None:
        """Insert, or on a clash over `keys` overwrite `updated` (default: every other column)."""
        await self.session.execute(_upsert_statement(table, self.dialect, keys, updated), values)

    async def _insert_if_absent(self, table: Table, values: dict[str, Any]) -> bool:
        result = await self.session.execute(_insert_if_absent_statement(table, self.dialect), values)
        return _rowcount(result) == 1

    async def _insert_many_if_absent(
        self, table: Table, rows: list[dict[str, Any]], returned: str
    ) -> list[Any]:
        """`_insert_if_absent` for many rows at once; the `returned` column of the rows inserted.

        One parameter list, which SQLAlchemy sends as multi-row `INSERT ... VALUES (...), (...)
        ON CONFLICT DO NOTHING RETURNING ...` statements ("insertmanyvalues", batched under each
        driver's limit on bound parameters). A row clashing with a stored one, or with one earlier in
        the same list, is skipped.
        """
        if not rows:
            return []
        result = await self.session.execute(
            _insert_many_if_absent_statement(table, self.dialect, returned), rows
        )
        return list(result.scalars())

    async def _by_pairing(
        self, table: Table, pairing_ids: Collection[str], to_domain: Callable[[Any], _T]
    ) -> dict[str, list[_T]]:
        """The rows of many pairings at once, oldest first, grouped by pairing (none: left out)."""
        found: dict[str, list[_T]] = defaultdict(list)
        for chunk in _chunks(sorted(set(pairing_ids)), _IN_CHUNK):
            stmt = select(table).where(table.c.pairing_id.in_(chunk)).order_by(table.c.created_at, table.c.id)
            for row in await self._rows(stmt):
                found[row["pairing_id"]].append(to_domain(row))
        return dict(found)

    async def _rows(self, stmt: Any) -> Sequence[Any]:
        return (await self.session.execute(stmt)).mappings().all()

    async def _row(self, stmt: Any) -> Any | None:
        return (await self.session.execute(stmt)).mappings().first()


# Writes are built once per table and dialect and run with parameters: building a statement from
# literal values costs more than executing it, which shows in a fan-out of thousands of rows.


def _dialect_insert(table: Table, dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect!r} dialect")


@cache
def _upsert_statement(table: Table, dialect: str, keys: tuple[str, ...], updated: tuple[str, ...]) -> Any:
    stmt = _dialect_insert(table, dialect)
    names = updated or tuple(column.name for column in table.c if column.name not in keys)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={n: stmt.excluded[n] for n in names})


@cache
def _insert_if_absent_statement(table: Table, dialect: str) -> Any:
    return _dialect_insert(table, dialect).on_conflict_do_nothing()


@cache
def _insert_many_if_absent_statement(table: Table, dialect: str, returned: str) -> Any:
    return _dialect_insert(table, dialect).on_conflict_do_nothing().returning(table.c[returned])


def _pairs_of(workspace: tuple[str, str] | None) -> Any:
    """The pairings with someone of `workspace` (platform, id): a person's key starts with both."""
    if workspace is None:
        return true()
    p = tables.pairings.c
    prefix = ":".join(workspace) + ":"
    return or_(
        p.leader_key.startswith(prefix, autoescape=True), p.mentor_key.startswith(prefix, autoescape=True)
    )


def _user_in(workspace: tuple[str, str] | None, table: Table) -> Any:
    if workspace is None:
        return true()
    return and_(table.c.platform == workspace[0], table.c.workspace_id == workspace[1])


_UPDATE_DELIVERY = update(tables.deliveries).where(tables.deliveries.c.id == bindparam("delivery_id"))
"""SET takes the columns named in the parameters; `delivery_id` picks the row."""


class SqlParticipants(_SqlRepository):
    t = tables.participants

    async def get(self, user: UserRef) -> Participant | None:
        row = await self._row(select(self.t).where(self.t.c.user_key == user.key))
        return convert.participant.from_row(row) if row else None

    async def save(self, participant: Participant) -> None:
        await self._upsert(self.t, convert.participant.values(participant), ("user_key",))

    async def delete(self, user: UserRef) -> None:
        await self.session.execute(delete(self.t).where(self.t.c.user_key == user.key))

    async def list(
        self,
        platform: str | None = None,
        workspace_id: str | None = None,
        status: ParticipantStatus | None = None,
    ) -> list[Participant]:
        stmt = select(self.t).order_by(self.t.c.user_key)
        if status is not None:
            stmt = stmt.where(self.t.c.status == status.value)
        if platform is not None:
            stmt = stmt.where(self.t.c.platform == platform)
        if workspace_id is not None:
            stmt = stmt.where(self.t.c.workspace_id == workspace_id)
        return [convert.participant.from_row(r) for r in await self._rows(stmt)]

    async def get_many(self, users: Collection[UserRef]) -> dict[UserRef, Participant]:
        found: dict[UserRef, Participant] = {}
        for chunk in _chunks(sorted({u.key for u in users}), _IN_CHUNK):
            for row in await self._rows(select(self.t).where(self.t.c.user_key.in_(chunk))):
                participant = convert.participant.from_row(row)
                found[participant.user] = participant
        return found

    async def head_counts(self, workspace: tuple[str, str] | None = None) -> Sequence[HeadCount]:
        c = self.t.c
        stmt = (
            select(c.role, c.status, c.department, func.count())
            .where(_user_in(workspace, self.t))
            .group_by(c.role, c.status, c.department)
            .order_by(c.role, c.status, c.department)
        )
        rows = (await self.session.execute(stmt)).all()
        return [
            HeadCount(Role(role), ParticipantStatus(status), dept, int(n)) for role, status, dept, n in rows
        ]

    async def unpaired(self, workspace: tuple[str, str] | None = None) -> int:
        # One uncorrelated set of the paired, built once: a correlated test per person lets a planner
        # without fresh statistics scan every active pairing for each of them.
        p = tables.pairings.c
        active = p.status == PairingStatus.ACTIVE.value
        paired = union(select(p.leader_key).where(active), select(p.mentor_key).where(active))
        stmt = select(func.count()).where(
            _user_in(workspace, self.t),
            self.t.c.status == ParticipantStatus.ACTIVE.value,
            self.t.c.user_key.not_in(paired),
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def labels(self) -> dict[str, tuple[str, str]]:
        c = self.t.c
        rows = (await self.session.execute(select(c.user_key, c.display_name, c.department))).all()
        return {key: (name, department) for key, name, department in rows}

    async def workspaces(self) -> set[tuple[str, str]]:
        c = self.t.c
        rows = (await self.session.execute(select(c.platform, c.workspace_id).distinct())).all()
        return {(platform, workspace_id) for platform, workspace_id in rows}


class SqlCycles(_SqlRepository):
    t = tables.cycles

    async def add(self, cycle: Cycle) -> None:
        await self._upsert(self.t, convert.cycle.values(cycle), ("id",))

    save = add

    async def start(self, cycle: Cycle) -> bool:
        return await self._insert_if_absent(self.t, convert.cycle.values(cycle))

    async def begin_matching(self, cycle: Cycle) -> bool:
        # A compare-and-set: on PostgreSQL a concurrent matching waits on the row lock, then finds
        # the count moved and updates nothing.
        result = await self.session.execute(
            update(self.t)
            .where(self.t.c.id == cycle.id, self.t.c.matchings == cycle.matchings)
            .values(matchings=cycle.matchings + 1)
        )
        return _rowcount(result) == 1

    async def get(self, cycle_id: str) -> Cycle | None:
        row = await self._row(select(self.t).where(self.t.c.id == cycle_id))
        return convert.cycle.from_row(row) if row else None

    async def latest(self) -> Cycle | None:
        row = await self._row(select(self.t).order_by(self.t.c.number.desc()).limit(1))
        return convert.cycle.from_row(row) if row else None

    async def list(self) -> list[Cycle]:
        rows = await self._rows(select(self.t).order_by(self.t.c.number, self.t.c.id))
        return [convert.cycle.from_row(r) for r in rows]


class SqlPairings(_SqlRepository):
    t = tables.pairings

    async def add(self, pairing: Pairing) -> None:
        await self._upsert(self.t, convert.pairing.values(pairing), ("id",))

    save = add

    async def get(self, pairing_id: str) -> Pairing | None:
        row = await self._row(select(self.t).where(self.t.c.id == pairing_id))
        return convert.pairing.from_row(row) if row else None

    async def for_user(self, user: UserRef, status: PairingStatus | None = None) -> list[Pairing]:
        stmt = select(self.t).where(or_(self.t.c.leader_key == user.key, self.t.c.mentor_key == user.key))
        if status is not None:
            stmt = stmt.where(self.t.c.status == status.value)
        stmt = stmt.order_by(self.t.c.created_at, self.t.c.id)
        return [convert.pairing.from_row(r) for r in await self._rows(stmt)]

    async def list(self, status: PairingStatus | None = None, cycle_id: str | None = None) -> list[Pairing]:
        stmt = select(self.t).order_by(self.t.c.created_at, self.t.c.id)
        if status is not None:
            stmt = stmt.where(self.t.c.status == status.value)
        if cycle_id is not None:
            stmt = stmt.where(self.t.c.cycle_id == cycle_id)
        return [convert.pairing.from_row(r) for r in await self._rows(stmt)]


class SqlGoals(_SqlRepository):
    t = tables.goals

    async def add(self, goal: Goal) -> None:
        await self._upsert(self.t, convert.goal.values(goal), ("id",))

    save = add

    async def get(self, goal_id: str) -> Goal | None:
        row = await self._row(select(self.t).where(self.t.c.id == goal_id))
        return convert.goal.from_row(row) if row else None

    async def for_pairing(self, pairing_id: str) -> list[Goal]:
        stmt = (
            select(self.t).where(self.t.c.pairing_id == pairing_id).order_by(self.t.c.created_at, self.t.c.id)
        )
        return [convert.goal.from_row(r) for r in await self._rows(stmt)]

    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[Goal]]:
        return await self._by_pairing(self.t, pairing_ids, convert.goal.from_row)

    async def list(self) -> list[Goal]:
        rows = await self._rows(select(self.t).order_by(self.t.c.created_at, self.t.c.id))
        return [convert.goal.from_row(r) for r in rows]

    async def totals(
        self,
        workspace: tuple[str, str] | None = None,
        cycle_id: str | None = None,
        done_before: Sequence[datetime] = (),
    ) -> dict[Side, GoalTotals]:
        g, p = self.t.c, tables.pairings.c
        done_by = [func.count(case((g.done_at < moment, g.id))) for moment in done_before]
        stmt = (
            select(g.side, func.count(), func.count(g.done_at), func.count(g.owner_key.distinct()), *done_by)
            .select_from(self.t.join(tables.pairings, p.id == g.pairing_id))
            .where(_pairs_of(workspace))
            .group_by(g.side)
        )
        if cycle_id is not None:
            stmt = stmt.where(p.cycle_id == cycle_id)
        return {
            Side(row[0]): GoalTotals(int(row[1]), int(row[2]), int(row[3]), tuple(int(n) for n in row[4:]))
            for row in (await self.session.execute(stmt)).all()
        }

    async def counts_by_pairing(self) -> dict[tuple[str, Side], tuple[int, int]]:
        g = self.t.c
        stmt = select(g.pairing_id, g.side, func.count(), func.count(g.done_at)).group_by(
            g.pairing_id, g.side
        )
        rows = (await self.session.execute(stmt)).all()
        return {(pairing_id, Side(side)): (int(n), int(done)) for pairing_id, side, n, done in rows}


class SqlCheckins(_SqlRepository):
    t = tables.checkins

    async def add(self, checkin: Checkin) -> bool:
        return await self._insert_if_absent(self.t, convert.checkin.values(checkin))

    async def add_many(self, checkins: Sequence[Checkin]) -> list[Checkin]:
        stored = set(
            await self._insert_many_if_absent(self.t, [convert.checkin.values(c) for c in checkins], "id")
        )
        return [c for c in checkins if c.id in stored]

    async def save(self, checkin: Checkin) -> None:
        await self._upsert(self.t, convert.checkin.values(checkin), ("id",))

    async def get(self, checkin_id: str) -> Checkin | None:
        row = await self._row(select(self.t).where(self.t.c.id == checkin_id))
        return convert.checkin.from_row(row) if row else None

    async def find(self, pairing_id: str, user: UserRef, week: str) -> Checkin | None:
        stmt = select(self.t).where(
            self.t.c.pairing_id == pairing_id, self.t.c.user_key == user.key, self.t.c.week == week
        )
        row = await self._row(stmt)
        return convert.checkin.from_row(row) if row else None

    async def for_pairing(self, pairing_id: str) -> list[Checkin]:
        stmt = select(self.t).where(self.t.c.pairing_id == pairing_id).order_by(self.t.c.sent_at, self.t.c.id)
        return [convert.checkin.from_row(r) for r in await self._rows(stmt)]

    async def latest_for_pairings(self, pairing_ids: Collection[str], limit: int) -> dict[str, list[Checkin]]:
        """A window function numbers each pairing's check-ins newest first; the first `limit` count."""
        if limit <= 0:
            return {}
        c = self.t.c
        found: dict[str, list[Checkin]] = defaultdict(list)
        for chunk in _chunks(sorted(set(pairing_ids)), _IN_CHUNK):
            newest_first = func.row_number().over(
                partition_by=c.pairing_id, order_by=(c.sent_at.desc(), c.id.desc())
            )
            ranked = select(self.t, newest_first.label("recency")).where(c.pairing_id.in_(chunk)).subquery()
            stmt = select(ranked).where(ranked.c.recency <= limit).order_by(ranked.c.sent_at, ranked.c.id)
            for row in await self._rows(stmt):
                found[row["pairing_id"]].append(convert.checkin.from_row(row))
        return dict(found)

    async def unanswered(self, sent_from: datetime, sent_until: datetime) -> list[Checkin]:
        c = self.t.c
        stmt = (
            select(self.t)
            .where(c.answer.is_(None), c.sent_at >= sent_from, c.sent_at <= sent_until)
            .order_by(c.sent_at, c.id)
        )
        return [convert.checkin.from_row(r) for r in await self._rows(stmt)]

    async def list(self, since: datetime | None = None) -> list[Checkin]:
        stmt = select(self.t).order_by(self.t.c.sent_at, self.t.c.id)
        if since is not None:
            stmt = stmt.where(self.t.c.sent_at >= since)
        return [convert.checkin.from_row(r) for r in await self._rows(stmt)]

    async def tallies(self, since: datetime | None = None) -> Sequence[CheckinTally]:
        """Counted by the database, one row per pairing: a pairing has two people, so the least and
        greatest key of those asked (or rating) name them all."""
        c = self.t.c
        rater = case((c.rating.is_not(None), c.user_key))
        stmt = select(
            c.pairing_id,
            func.count().label("asked"),
            func.count(c.answer).label("answered"),
            func.sum(case((c.answer == CheckinAnswer.MET.value, 1), else_=0)).label("met"),
            func.sum(case((c.answer == CheckinAnswer.NEED_HELP.value, 1), else_=0)).label("need_help"),
            func.coalesce(func.sum(c.rating), 0).label("rating_sum"),
            func.count(c.rating).label("rating_count"),
            func.min(c.user_key).label("asked_first"),
            func.max(c.user_key).label("asked_last"),
            func.min(rater).label("rater_first"),
            func.max(rater).label("rater_last"),
        ).group_by(c.pairing_id)
        if since is not None:
            stmt = stmt.where(c.sent_at >= since)
        result = await self.session.execute(stmt)
        return [
            CheckinTally(
                pairing_id,
                asked,
                answered,
                int(met),
                int(need_help),
                int(rating_sum),
                rating_count,
                tuple(dict.fromkeys((asked_first, asked_last))),
                tuple(key for key in dict.fromkeys((rater_first, rater_last)) if key is not None),
            )
            for (
                pairing_id,
                asked,
                answered,
                met,
                need_help,
                rating_sum,
                rating_count,
                asked_first,
                asked_last,
                rater_first,
                rater_last,
            ) in result.all()
        ]

    async def week_totals(
        self, cycle_id: str, workspace: tuple[str, str] | None = None
    ) -> Sequence[WeekTotals]:
        """A dozen rows for a round, however many pairs it has: the database counts, distinct people
        included."""
        c, p = self.t.c, tables.pairings.c
        pairs = and_(p.cycle_id == cycle_id, _pairs_of(workspace))
        rated = c.rating.is_not(None)
        stmt = (
            select(
                c.week,
                func.count(),
                func.count(c.answer),
                func.count(c.user_key.distinct()),
                func.count(case((c.answer == CheckinAnswer.MET.value, c.pairing_id)).distinct()),
                func.coalesce(func.sum(c.rating), 0),
                func.count(c.rating),
                func.count(case((rated, c.user_key)).distinct()),
            )
            .select_from(self.t.join(tables.pairings, p.id == c.pairing_id))
            .where(pairs)
            .group_by(c.week)
            .order_by(c.week)
        )
        result = await self.session.execute(stmt)
        return [WeekTotals(str(row[0]), *(int(v) for v in row[1:])) for row in result.all()]

    async def pairings_answered(
        self, answer: CheckinAnswer, answered_since: datetime, sent_from: datetime
    ) -> set[str]:
        c = self.t.c
        stmt = (
            select(c.pairing_id)
            .where(c.answer == answer.value, c.answered_at >= answered_since, c.sent_at >= sent_from)
            .distinct()
        )
        return set((await self.session.execute(stmt)).scalars())

    async def window_totals(
        self, sent_from: datetime, sent_until: datetime, workspace: tuple[str, str] | None = None
    ) -> WindowTotals:
        c, p = self.t.c, tables.pairings.c
        joined = self.t.join(tables.pairings, p.id == c.pairing_id)
        window = and_(c.sent_at >= sent_from, c.sent_at <= sent_until, _pairs_of(workspace))
        met = select(c.pairing_id).select_from(joined).where(window, c.answer == CheckinAnswer.MET.value)
        ratings = (
            select(func.coalesce(func.sum(c.rating), 0), func.count(c.rating))
            .select_from(joined)
            .where(window)
        )
        rating_sum, rating_count = (await self.session.execute(ratings)).one()
        return WindowTotals(
            frozenset((await self.session.execute(met.distinct())).scalars()),
            int(rating_sum),
            int(rating_count),
        )

    async def pair_signals(
        self, sent_from: datetime, since: datetime, unanswered_until: datetime
    ) -> dict[str, PairSignals]:
        # One range of `sent_at` read alone: a join to the pairings lets a planner without fresh
        # statistics probe the check-ins once per pair; the engine keeps the pairs it asked about.
        c = self.t.c
        in_window = c.sent_at >= since
        counted = (
            select(
                c.pairing_id,
                func.count(case((and_(c.answer == CheckinAnswer.MET.value, c.answered_at >= since), c.id))),
                func.count(case((and_(c.answer.is_(None), in_window, c.sent_at <= unanswered_until), c.id))),
                func.coalesce(func.sum(case((in_window, c.rating))), 0),
                func.count(case((in_window, c.rating))),
            )
            .where(c.sent_at >= sent_from)
            .group_by(c.pairing_id)
        )
        asked = (
            select(c.pairing_id, c.user_key)
            .where(c.sent_at >= sent_from, in_window, c.answer == CheckinAnswer.NEED_HELP.value)
            .order_by(c.sent_at, c.id)
        )
        helped: dict[str, dict[UserRef, None]] = defaultdict(dict)
        for pairing_id, user_key in (await self.session.execute(asked)).all():
            helped[pairing_id][UserRef.from_key(user_key)] = None
        return {
            pairing_id: PairSignals(
                pairing_id,
                met > 0,
                int(unanswered),
                tuple(helped.get(pairing_id, ())),
                int(total),
                int(rated),
            )
            for pairing_id, met, unanswered, total, rated in (await self.session.execute(counted)).all()
        }


class SqlAssessments(_SqlRepository):
    t = tables.assessments

    async def save(self, assessment: Assessment) -> None:
        """The first answer's id stays; side, score and time follow the latest answer."""
        await self._upsert(
            self.t,
            convert.assessment.values(assessment),
            keys=("pairing_id", "user_key", "phase"),
            updated=("side", "score", "created_at"),
        )

    async def for_pairing(self, pairing_id: str) -> list[Assessment]:
        stmt = (
            select(self.t).where(self.t.c.pairing_id == pairing_id).order_by(self.t.c.created_at, self.t.c.id)
        )
        return [convert.assessment.from_row(r) for r in await self._rows(stmt)]

    async def list(self) -> list[Assessment]:
        rows = await self._rows(select(self.t).order_by(self.t.c.created_at, self.t.c.id))
        return [convert.assessment.from_row(r) for r in rows]

    async def scores(self) -> dict[tuple[str, Side, str], int]:
        a = self.t.c
        stmt = select(a.pairing_id, a.side, a.phase, a.score).order_by(a.created_at, a.id)
        rows = (await self.session.execute(stmt)).all()
        return {(pairing_id, Side(side), phase): score for pairing_id, side, phase, score in rows}

    async def change(self, side: Side, workspace: tuple[str, str] | None = None) -> ScoreTotals:
        after, before, p = self.t.alias("after"), self.t.alias("before"), tables.pairings.c
        same = and_(before.c.pairing_id == after.c.pairing_id, before.c.user_key == after.c.user_key)
        stmt = (
            select(func.coalesce(func.sum(after.c.score - before.c.score), 0), func.count())
            .select_from(after.join(before, same).join(tables.pairings, p.id == after.c.pairing_id))
            .where(
                after.c.side == side.value,
                after.c.phase == "after",
                before.c.side == side.value,
                before.c.phase == "before",
                _pairs_of(workspace),
            )
        )
        total, count = (await self.session.execute(stmt)).one()
        return ScoreTotals(int(total), int(count))

    async def phase_totals(
        self, cycle_id: str, workspace: tuple[str, str] | None = None
    ) -> dict[tuple[Side, str], ScoreTotals]:
        a, p = self.t.c, tables.pairings.c
        latest_first = func.row_number().over(
            partition_by=(a.side, a.phase, a.user_key), order_by=(a.created_at.desc(), a.id.desc())
        )
        ranked = (
            select(a.side, a.phase, a.score, latest_first.label("recency"))
            .select_from(self.t.join(tables.pairings, p.id == a.pairing_id))
            .where(p.cycle_id == cycle_id, _pairs_of(workspace))
            .subquery()
        )
        stmt = (
            select(ranked.c.side, ranked.c.phase, func.sum(ranked.c.score), func.count())
            .where(ranked.c.recency == 1)
            .group_by(ranked.c.side, ranked.c.phase)
        )
        return {
            (Side(side), phase): ScoreTotals(int(total), int(count))
            for side, phase, total, count in (await self.session.execute(stmt)).all()
        }


class SqlStories(_SqlRepository):
    t = tables.stories

    async def add(self, story: Story) -> None:
        await self._upsert(self.t, convert.story.values(story), ("id",))

    save = add

    async def get(self, story_id: str) -> Story | None:
        row = await self._row(select(self.t).where(self.t.c.id == story_id))
        return convert.story.from_row(row) if row else None

    async def list(self) -> list[Story]:
        rows = await self._rows(select(self.t).order_by(self.t.c.created_at, self.t.c.id))
        return [convert.story.from_row(r) for r in rows]


class SqlDeliveries(_SqlRepository):
    t = tables.deliveries

    async def enqueue(self, delivery: Delivery) -> bool:
        return await self._insert_if_absent(self.t, convert.delivery.values(delivery))

    async def enqueue_many(self, deliveries: Sequence[Delivery]) -> int:
        rows = [convert.delivery.values(d) for d in deliveries]
        return len(await self._insert_many_if_absent(self.t, rows, "id"))

    async def get_by_key(self, idempotency_key: str) -> Delivery | None:
        row = await self._row(select(self.t).where(self.t.c.idempotency_key == idempotency_key))
        return convert.delivery.from_row(row) if row else None

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, platform: str | None = None
    ) -> list[Delivery]:
        """Lease due rows to this caller; the lease ending is what lets another sender retry them.

        PostgreSQL locks the chosen rows with SKIP LOCKED so concurrent claimers pass over each
        other's picks; SQLite has a single writer, so one UPDATE over a sub-select is enough.
        """
        if limit <= 0:
            return []
        c = self.t.c
        due = or_(
            and_(c.status == DeliveryStatus.PENDING.value, c.not_before <= now),
            and_(c.status == DeliveryStatus.SENDING.value, c.lease_until <= now),
        )
        pick = select(c.id).where(due)
        if platform is not None:
            pick = pick.where(c.platform == platform)
        pick = pick.order_by(c.priority, c.not_before, c.created_at, c.id).limit(limit)
        lease = {
            "status": DeliveryStatus.SENDING.value,
            "lease_until": lease_until,
            "attempts": c.attempts + 1,
        }
        if self.dialect == "postgresql":
            ids = list((await self.session.execute(pick.with_for_update(skip_locked=True))).scalars())
            if not ids:
                return []
            claim = update(self.t).where(c.id.in_(ids))
        else:
            claim = update(self.t).where(c.id.in_(pick.scalar_subquery()))
        rows = await self._rows(claim.values(lease).returning(*self.t.c))
        claimed = [convert.delivery.from_row(r) for r in rows]
        claimed.sort(key=lambda d: (d.priority, d.not_before, d.created_at, d.id))
        return claimed

    async def mark_sent(self, delivery_id: str, platform_message_id: str | None, at: datetime) -> None:
        await self._set(
            delivery_id,
            status=DeliveryStatus.SENT.value,
            platform_message_id=platform_message_id,
            sent_at=at,
            lease_until=None,
        )

    async def mark_retry(self, delivery_id: str, error: str, not_before: datetime) -> None:
        await self._set(
            delivery_id,
            status=DeliveryStatus.PENDING.value,
            last_error=error,
            not_before=not_before,
            lease_until=None,
        )

    async def mark_failed(self, delivery_id: str, error: str) -> None:
        await self._set(delivery_id, status=DeliveryStatus.FAILED.value, last_error=error, lease_until=None)

    async def _set(self, delivery_id: str, **values: Any) -> None:
        await self.session.execute(_UPDATE_DELIVERY, {"delivery_id": delivery_id, **values})

    async def count_by_status(self) -> dict[DeliveryStatus, int]:
        stmt = select(self.t.c.status, func.count()).group_by(self.t.c.status)
        return {DeliveryStatus(status): count for status, count in (await self.session.execute(stmt)).all()}

    async def sent_times(self, keys: Collection[str]) -> dict[str, datetime]:
        c = self.t.c
        found: dict[str, datetime] = {}
        for chunk in _chunks(sorted(set(keys)), _IN_CHUNK):
            stmt = select(c.idempotency_key, c.sent_at).where(
                c.idempotency_key.in_(chunk), c.status == DeliveryStatus.SENT.value
            )
            found.update({key: at for key, at in (await self.session.execute(stmt)).all() if at is not None})
        return found

    async def list_failed(self, limit: int = 20) -> list[Delivery]:
        stmt = (
            select(self.t)
            .where(self.t.c.status == DeliveryStatus.FAILED.value)
            .order_by(self.t.c.created_at, self.t.c.id)
            .limit(limit)
        )
        return [convert.delivery.from_row(r) for r in await self._rows(stmt)]

    async def cancel_for_user(self, user: UserRef) -> int:
        """Text search on the recipients' JSON narrows the rows; Python makes the exact decision."""
        c = self.t.c
        stmt = select(c.id, c.users).where(
            c.status == DeliveryStatus.PENDING.value,
            c.platform == user.platform,
            c.workspace_id == user.workspace_id,
            cast(c.users, Text).contains(json.dumps(user.user_id), autoescape=True),
        )
        doomed = [
            row.id for row in (await self.session.execute(stmt)).all() if user.user_id in (row.users or ())
        ]
        for chunk in _chunks(doomed, _DELETE_CHUNK):
            await self.session.execute(delete(self.t).where(c.id.in_(chunk)))
        return len(doomed)


class SqlInboundEvents(_SqlRepository):
    t = tables.inbound_events

    async def remember(self, event_id: str, at: datetime) -> bool:
        return await self._insert_if_absent(self.t, {"event_id": event_id, "received_at": at})

    async def forget_before(self, at: datetime) -> int:
        result = await self.session.execute(delete(self.t).where(self.t.c.received_at < at))
        return _rowcount(result)


class SqlConversationRefs(_SqlRepository):
    t = tables.conversation_refs

    async def save(self, ref: ConversationRef) -> None:
        await self._upsert(self.t, convert.conversation_ref.values(ref), ("user_key",))

    async def get(self, user: UserRef) -> ConversationRef | None:
        row = await self._row(select(self.t).where(self.t.c.user_key == user.key))
        return convert.conversation_ref.from_row(row) if row else None

    async def get_many(self, users: Collection[UserRef]) -> dict[UserRef, ConversationRef]:
        found: dict[UserRef, ConversationRef] = {}
        for chunk in _chunks(sorted({u.key for u in users}), _IN_CHUNK):
            for row in await self._rows(select(self.t).where(self.t.c.user_key.in_(chunk))):
                ref = convert.conversation_ref.from_row(row)
                found[ref.user] = ref
        return found

    async def delete(self, user: UserRef) -> None:
        await self.session.execute(delete(self.t).where(self.t.c.user_key == user.key))


class SqlPromptCache(_SqlRepository):
    t = tables.prompt_cache

    async def get(self, pairing_id: str, week: str) -> PromptSet | None:
        row = await self._row(select(self.t).where(self.t.c.pairing_id == pairing_id, self.t.c.week == week))
        return convert.prompt_set.from_row(row) if row else None

    async def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], PromptSet]:
        """Pairing ids narrow the rows (they lead the primary key); the weeks are checked here."""
        wanted = set(keys)
        weeks = sorted({week for _, week in wanted})
        found: dict[tuple[str, str], PromptSet] = {}
        for chunk in _chunks(sorted({pairing_id for pairing_id, _ in wanted}), _IN_CHUNK):
            stmt = select(self.t).where(self.t.c.pairing_id.in_(chunk), self.t.c.week.in_(weeks))
            for row in await self._rows(stmt):
                key = (row["pairing_id"], row["week"])
                if key in wanted:
                    found[key] = convert.prompt_set.from_row(row)
        return found

    async def save(self, pairing_id: str, week: str, prompts: PromptSet) -> None:
        await self._upsert(
            self.t,
            convert.prompt_set.values(prompts, pairing_id=pairing_id, week=week),
            ("pairing_id", "week"),
        )

    async def add_many(self, entries: Sequence[tuple[str, str, PromptSet]]) -> int:
        rows = [
            convert.prompt_set.values(prompts, pairing_id=pairing_id, week=week)
            for pairing_id, week, prompts in entries
        ]
        return len(await self._insert_many_if_absent(self.t, rows, "pairing_id"))


class SqlPromptRatings(_SqlRepository):
    t = tables.prompt_ratings

    async def add(self, rating: PromptRating) -> bool:
        return await self._insert_if_absent(self.t, convert.prompt_rating.values(rating))

    async def for_pairing(self, pairing_id: str) -> list[PromptRating]:
        rows = await self._rows(
            select(self.t).where(self.t.c.pairing_id == pairing_id).order_by(self.t.c.created_at)
        )
        return [convert.prompt_rating.from_row(row) for row in rows]

    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[PromptRating]]:
        return await self._by_pairing(self.t, pairing_ids, convert.prompt_rating.from_row)


def _rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (statements without RETURNING give a `CursorResult`)."""
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def _chunks(items: Sequence[_T], size: int) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
