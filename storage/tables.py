"""The database schema, one SQLModel table per domain entity.

Rows are a storage detail: repositories turn them into `conversations.domain` dataclasses and back, so
the engine never sees one. A person is stored as `UserRef.key` (`platform:workspace:user`), with the
parts in their own columns only where a query filters on them. Enums are plain strings (adding a value
needs no migration); lists and dicts are JSON; every instant is UTC (see `storage.types`).

Pairing ids are deliberately not foreign keys: the in-memory store accepts the same writes, and the
repository contract keeps the two stores behaving alike.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime

metadata = SQLModel.metadata


def _instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


class ParticipantRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "participants"  # type: ignore[misc]
    __table_args__ = (Index("ix_participants_platform_workspace", "platform", "workspace_id"),)

    user_key: str = Field(sa_type=String, primary_key=True)
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    display_name: str = Field(sa_type=String)
    role: str = Field(sa_type=String)
    department: str = Field(sa_type=String)
    seniority: int = Field(sa_type=Integer)
    timezone: str = Field(sa_type=String)
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    learning_goals: list[str] = Field(default_factory=list, sa_type=JSON)
    manager_id: str | None = Field(default=None, sa_type=String, nullable=True)
    language: str | None = Field(default=None, sa_type=String, nullable=True)
    status: str = Field(sa_type=String)
    paused_until: date | None = Field(default=None, sa_type=Date, nullable=True)
    joined_at: datetime | None = _instant(nullable=True)


class CycleRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "cycles"  # type: ignore[misc]

    id: str = Field(sa_type=String, primary_key=True)
    number: int = Field(sa_type=Integer, index=True, unique=True)
    """Unique: two replicas starting the same round cannot both succeed."""
    started_at: datetime = _instant()
    weeks: int = Field(sa_type=Integer)
    closed_at: datetime | None = _instant(nullable=True)
    matchings: int = Field(default=0, sa_type=Integer)


class PairingRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "pairings"  # type: ignore[misc]

    id: str = Field(sa_type=String, primary_key=True)
    cycle_id: str = Field(sa_type=String, index=True)
    leader_key: str = Field(sa_type=String, index=True)
    mentor_key: str = Field(sa_type=String, index=True)
    score: float = Field(sa_type=Float)
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _instant(index=True)
    status: str = Field(sa_type=String, index=True)
    ended_at: datetime | None = _instant(nullable=True)
    end_reason: str | None = Field(default=None, sa_type=Text, nullable=True)


class GoalRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "goals"  # type: ignore[misc]

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True)
    owner_key: str = Field(sa_type=String, index=True)
    side: str = Field(sa_type=String)
    text: str = Field(sa_type=Text)
    created_at: datetime = _instant()
    progress: int = Field(default=0, sa_type=Integer)
    done_at: datetime | None = _instant(nullable=True)


class CheckinRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "checkins"  # type: ignore[misc]
    __table_args__ = (
        UniqueConstraint("pairing_id", "user_key", "week", name="uq_checkins_pairing_user_week"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String)
    user_key: str = Field(sa_type=String, index=True)
    week: str = Field(sa_type=String)
    sent_at: datetime = _instant(index=True)
    answer: str | None = Field(default=None, sa_type=String, nullable=True)
    rating: int | None = Field(default=None, sa_type=Integer, nullable=True)
    note: str | None = Field(default=None, sa_type=Text, nullable=True)
    answered_at: datetime | None = _instant(nullable=True)


class AssessmentRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "assessments"  # type: ignore[misc]
    __table_args__ = (
        UniqueConstraint("pairing_id", "user_key", "phase", name="uq_assessments_pairing_user_phase"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String)
    user_key: str = Field(sa_type=String, index=True)
    side: str = Field(sa_type=String)
    phase: str = Field(sa_type=String)
    score: int = Field(sa_type=Integer)
    created_at: datetime = _instant()


class StoryRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "stories"  # type: ignore[misc]

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True)
    proposer_key: str = Field(sa_type=String, index=True)
    text: str = Field(sa_type=Text)
    created_at: datetime = _instant()
    status: str = Field(sa_type=String)
    decided_at: datetime | None = _instant(nullable=True)


class DeliveryRow(SQLModel, table=True):
    """The outbox. The unique key makes a second enqueue a no-op; the index serves the claim query."""

    __tablename__: ClassVar[str] = "deliveries"  # type: ignore[misc]
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_deliveries_idempotency_key"),
        Index("ix_deliveries_status_not_before", "status", "not_before"),
        Index("ix_deliveries_status_priority_not_before", "status", "priority", "not_before"),
        Index("ix_deliveries_platform_workspace_status", "platform", "workspace_id", "status"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    idempotency_key: str = Field(sa_type=String)
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    users: list[str] = Field(default_factory=list, sa_type=JSON)
    channel_id: str | None = Field(default=None, sa_type=String, nullable=True)
    message: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _instant()
    not_before: datetime = _instant()
    status: str = Field(sa_type=String)
    attempts: int = Field(default=0, sa_type=Integer)
    lease_until: datetime | None = _instant(nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text, nullable=True)
    platform_message_id: str | None = Field(default=None, sa_type=String, nullable=True)
    sent_at: datetime | None = _instant(nullable=True)
    priority: int = Field(default=1, sa_type=Integer, sa_column_kwargs={"server_default": "1"})


class InboundEventRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "inbound_events"  # type: ignore[misc]

    event_id: str = Field(sa_type=String, primary_key=True)
    received_at: datetime = _instant(index=True)


class ConversationRefRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "conversation_refs"  # type: ignore[misc]

    user_key: str = Field(sa_type=String, primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class PromptCacheRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "prompt_cache"  # type: ignore[misc]

    pairing_id: str = Field(sa_type=String, primary_key=True)
    week: str = Field(sa_type=String, primary_key=True)
    prompts: list[str] = Field(default_factory=list, sa_type=JSON)
    task: str = Field(sa_type=Text)
    source: str = Field(sa_type=String)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)


class PromptRatingRow(SQLModel, table=True):
    """One vote per person, prompt and week: a second click on the same thumb changes nothing."""

    __tablename__: ClassVar[str] = "prompt_ratings"  # type: ignore[misc]
    __table_args__ = (UniqueConstraint("pairing_id", "user_key", "week", "prompt_index", name="uq_prompt_ratings_vote"),)

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True)
    user_key: str = Field(sa_type=String, index=True)
    week: str = Field(sa_type=String)
    prompt_index: int = Field(sa_type=Integer)
    topic: str = Field(sa_type=String)
    vote: int = Field(sa_type=Integer)
    created_at: datetime = _instant()


participants = ParticipantRow.__table__  # type: ignore[attr-defined]
cycles = CycleRow.__table__  # type: ignore[attr-defined]
pairings = PairingRow.__table__  # type: ignore[attr-defined]
goals = GoalRow.__table__  # type: ignore[attr-defined]
checkins = CheckinRow.__table__  # type: ignore[attr-defined]
assessments = AssessmentRow.__table__  # type: ignore[attr-defined]
stories = StoryRow.__table__  # type: ignore[attr-defined]
deliveries = DeliveryRow.__table__  # type: ignore[attr-defined]
inbound_events = InboundEventRow.__table__  # type: ignore[attr-defined]
conversation_refs = ConversationRefRow.__table__  # type: ignore[attr-defined]
prompt_cache = PromptCacheRow.__table__  # type: ignore[attr-defined]
prompt_ratings = PromptRatingRow.__table__  # type: ignore[attr-defined]
