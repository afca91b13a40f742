"""The SQL unit of work: one session, one transaction, per inbound event or scheduled job."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.avoid_list import SqlAvoidList
from storage.development_paths import SqlDevelopmentPaths
from storage.invitations import SqlInvitations
from storage.org_chart import SqlOrgChart
from storage.program_settings import SqlProgramSettings
from storage.repositories import (
    SqlAssessments,
    SqlCheckins,
    SqlConversationRefs,
    SqlCycles,
    SqlDeliveries,
    SqlGoals,
    SqlInboundEvents,
    SqlPairings,
    SqlParticipants,
    SqlPromptCache,
    SqlPromptRatings,
    SqlStories,
)
from storage.resource_picks import SqlResourcePicks
from storage.round_end import SqlRoundEnd
from storage.term_vectors import SqlTermVectors
from storage.waitlist import SqlDailyRuns, SqlWaitlist

logger = logging.getLogger(__name__)


class SqlUnitOfWork:
    """`async with uow: ...; await uow.commit()`; leaving the block without committing rolls back.

    Each event or job asks the factory (`Database.unit_of_work`) for a new unit; a unit may be entered
    again after it was left, never twice at once.
    """

    participants: SqlParticipants
    cycles: SqlCycles
    pairings: SqlPairings
    goals: SqlGoals
    checkins: SqlCheckins
    assessments: SqlAssessments
    stories: SqlStories
    deliveries: SqlDeliveries
    inbound_events: SqlInboundEvents
    conversation_refs: SqlConversationRefs
    prompt_cache: SqlPromptCache
    prompt_ratings: SqlPromptRatings
    org_chart: SqlOrgChart
    invitations: SqlInvitations
    avoid_list: SqlAvoidList
    waitlist: SqlWaitlist
    daily_runs: SqlDailyRuns
    round_end: SqlRoundEnd
    program_settings: SqlProgramSettings
    term_vectors: SqlTermVectors
    development_paths: SqlDevelopmentPaths
    resource_picks: SqlResourcePicks

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str) -> None:
        self._sessions = sessions
        self._dialect = dialect
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; ask the factory for a new one")
        session = self._sessions()
        self._session = session
        d = self._dialect
        self.participants = SqlParticipants(session, d)
        self.cycles = SqlCycles(session, d)
        self.pairings = SqlPairings(session, d)
        self.goals = SqlGoals(session, d)
        self.checkins = SqlCheckins(session, d)
        self.assessments = SqlAssessments(session, d)
        self.stories = SqlStories(session, d)
        self.deliveries = SqlDeliveries(session, d)
        self.inbound_events = SqlInboundEvents(session, d)
        self.conversation_refs = SqlConversationRefs(session, d)
        self.prompt_cache = SqlPromptCache(session, d)
        self.prompt_ratings = SqlPromptRatings(session, d)
        self.org_chart = SqlOrgChart(session, d)
        self.invitations = SqlInvitations(session, d)
        self.avoid_list = SqlAvoidList(session, d)
        self.waitlist = SqlWaitlist(session, d)
        self.daily_runs = SqlDailyRuns(session, d)
        self.round_end = SqlRoundEnd(session, d)
        self.program_settings = SqlProgramSettings(session, d)
        self.term_vectors = SqlTermVectors(session, d)
        self.development_paths = SqlDevelopmentPaths(session, d)
        self.resource_picks = SqlResourcePicks(session, d)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self._require_session()
        try:
            await session.rollback()
        finally:
            self._session = None
            await session.close()

    async def commit(self) -> None:
        await self._require_session().commit()

    async def rollback(self) -> None:
        await self._require_session().rollback()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session
