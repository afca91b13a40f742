"""The database schema, one SQLModel table per domain entity.

Rows are a storage detail: repositories turn them into `conversations.domain` dataclasses and back, so
the engine never sees one. A person is stored as `UserRef.key` (`platform:workspace:user`), with the
parts in their own columns only where a query filters on them. Enums are plain strings (adding a value
needs no migration); lists and dicts are JSON; every instant is UTC (see `storage.types`).

What belongs to something goes with it (`ON DELETE CASCADE`): a round's pairings; a pairing's goals,
check-ins, assessments, stories, prompts and prompt ratings; and a person's own goals, check-ins,
assessments, stories and votes, so deleting the participant erases them. Pairings name people without
a key (they outlive a deleted person, who becomes a tombstone), and so do conversation references
(kept for anyone who installed the bot) and deliveries (recipients are a JSON list).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime

metadata = SQLModel.metadata


def _instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


class ParticipantRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "participants"
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
    __tablename__: ClassVar[str] = "cycles"

    id: str = Field(sa_type=String, primary_key=True)
    number: int = Field(sa_type=Integer, index=True, unique=True)
    """Unique: two replicas starting the same round cannot both succeed."""
    started_at: datetime = _instant()
    weeks: int = Field(sa_type=Integer)
    closed_at: datetime | None = _instant(nullable=True)
    matchings: int = Field(default=0, sa_type=Integer)


class PairingRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "pairings"

    id: str = Field(sa_type=String, primary_key=True)
    cycle_id: str = Field(sa_type=String, index=True, foreign_key="cycles.id", ondelete="CASCADE")
    leader_key: str = Field(sa_type=String, index=True)
    mentor_key: str = Field(sa_type=String, index=True)
    score: float = Field(sa_type=Float)
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _instant(index=True)
    status: str = Field(sa_type=String, index=True)
    ended_at: datetime | None = _instant(nullable=True)
    end_reason: str | None = Field(default=None, sa_type=Text, nullable=True)


class GoalRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "goals"

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True, foreign_key="pairings.id", ondelete="CASCADE")
    owner_key: str = Field(
        sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    side: str = Field(sa_type=String)
    text: str = Field(sa_type=Text)
    created_at: datetime = _instant()
    progress: int = Field(default=0, sa_type=Integer)
    done_at: datetime | None = _instant(nullable=True)


class CheckinRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "checkins"
    __table_args__ = (
        UniqueConstraint("pairing_id", "user_key", "week", name="uq_checkins_pairing_user_week"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE")
    week: str = Field(sa_type=String)
    sent_at: datetime = _instant(index=True)
    answer: str | None = Field(default=None, sa_type=String, nullable=True)
    rating: int | None = Field(default=None, sa_type=Integer, nullable=True)
    note: str | None = Field(default=None, sa_type=Text, nullable=True)
    answered_at: datetime | None = _instant(nullable=True)


class AssessmentRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "assessments"
    __table_args__ = (
        UniqueConstraint("pairing_id", "user_key", "phase", name="uq_assessments_pairing_user_phase"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE")
    side: str = Field(sa_type=String)
    phase: str = Field(sa_type=String)
    score: int = Field(sa_type=Integer)
    created_at: datetime = _instant()


class StoryRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "stories"

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True, foreign_key="pairings.id", ondelete="CASCADE")
    proposer_key: str = Field(
        sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    text: str = Field(sa_type=Text)
    created_at: datetime = _instant()
    status: str = Field(sa_type=String)
    decided_at: datetime | None = _instant(nullable=True)


class DeliveryRow(SQLModel, table=True):
    """The outbox. The unique key makes a second enqueue a no-op; the index serves the claim query."""

    __tablename__: ClassVar[str] = "deliveries"
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
    __tablename__: ClassVar[str] = "inbound_events"

    event_id: str = Field(sa_type=String, primary_key=True)
    received_at: datetime = _instant(index=True)


class ConversationRefRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "conversation_refs"

    user_key: str = Field(sa_type=String, primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class PromptCacheRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "prompt_cache"

    pairing_id: str = Field(sa_type=String, primary_key=True, foreign_key="pairings.id", ondelete="CASCADE")
    week: str = Field(sa_type=String, primary_key=True)
    prompts: list[str] = Field(default_factory=list, sa_type=JSON)
    task: str = Field(sa_type=Text)
    source: str = Field(sa_type=String)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)


class PromptRatingRow(SQLModel, table=True):
    """One vote per person, prompt and week: a second click on the same thumb changes nothing."""

    __tablename__: ClassVar[str] = "prompt_ratings"
    __table_args__ = (
        UniqueConstraint("pairing_id", "user_key", "week", "prompt_index", name="uq_prompt_ratings_vote"),
    )

    id: str = Field(sa_type=String, primary_key=True)
    pairing_id: str = Field(sa_type=String, index=True, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE")
    week: str = Field(sa_type=String)
    prompt_index: int = Field(sa_type=Integer)
    topic: str = Field(sa_type=String)
    vote: int = Field(sa_type=Integer)
    created_at: datetime = _instant()


class OrgPersonRow(SQLModel, table=True):
    """The imported org chart. Managers are named by email without a key: an import replaces the
    whole chart in one transaction and checks every manager is in it first."""

    __tablename__: ClassVar[str] = "org_people"

    email: str = Field(sa_type=String, primary_key=True)
    name: str = Field(sa_type=String)
    department: str = Field(sa_type=String)
    level: int = Field(sa_type=Integer)
    manager_email: str | None = Field(default=None, sa_type=String, nullable=True, index=True)
    timezone: str = Field(sa_type=String)
    updated_at: datetime = _instant()


class OrgLinkRow(SQLModel, table=True):
    """Which chat account is which person of the chart: the email the platform gave when they joined.
    No key to the chart, so a re-import that drops and re-adds someone keeps their link."""

    __tablename__: ClassVar[str] = "org_links"

    user_key: str = Field(sa_type=String, primary_key=True)
    email: str = Field(sa_type=String, index=True)
    linked_at: datetime = _instant()


# The Core tables the repositories query, typed as such (a model's `__table__` is not, to a type checker).
participants: Table = metadata.tables["participants"]
cycles: Table = metadata.tables["cycles"]
pairings: Table = metadata.tables["pairings"]
goals: Table = metadata.tables["goals"]
checkins: Table = metadata.tables["checkins"]
assessments: Table = metadata.tables["assessments"]
stories: Table = metadata.tables["stories"]
deliveries: Table = metadata.tables["deliveries"]
inbound_events: Table = metadata.tables["inbound_events"]
conversation_refs: Table = metadata.tables["conversation_refs"]
prompt_cache: Table = metadata.tables["prompt_cache"]
prompt_ratings: Table = metadata.tables["prompt_ratings"]
org_people: Table = metadata.tables["org_people"]
org_links: Table = metadata.tables["org_links"]


class InvitationRow(SQLModel, table=True):
    """One invitation to join, per person of the org chart and workspace or tenant. No key to the chart
    or to participants: a re-import or a deleted member must not forget who said never."""

    __tablename__: ClassVar[str] = "invitations"
    __table_args__ = (
        Index("ix_invitations_platform_workspace_status", "platform", "workspace_id", "status"),
    )

    email: str = Field(sa_type=String, primary_key=True)
    platform: str = Field(sa_type=String, primary_key=True)
    workspace_id: str = Field(sa_type=String, primary_key=True)
    id: str = Field(sa_type=String, unique=True, index=True)
    """What the invitation's buttons carry: random, so nobody can answer someone else's."""
    status: str = Field(sa_type=String)
    invited_at: datetime = _instant()
    answered_at: datetime | None = _instant(nullable=True)
    user_key: str | None = Field(default=None, sa_type=String, nullable=True, index=True)
    sent: int = Field(sa_type=Integer)


invitations: Table = metadata.tables["invitations"]


class AvoidRow(SQLModel, table=True):
    """One entry of a person's private "please don't pair me with" list. It belongs to the person who
    wrote it (deleting them erases their list); the person named has no key, since they may never join."""

    __tablename__: ClassVar[str] = "avoid_list"

    user_key: str = Field(
        sa_type=String, primary_key=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    avoided_key: str = Field(sa_type=String, primary_key=True, index=True)
    name: str = Field(sa_type=String)
    """The name the directory gave when they were listed: the list is shown to its owner by name."""
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    position: int = Field(sa_type=Integer)
    """The order the person listed them in, so their form shows the list as they wrote it."""
    added_at: datetime = _instant()


avoid_list: Table = metadata.tables["avoid_list"]


class WaitlistRow(SQLModel, table=True):
    """A person left without a partner by a matching, and since when: the longest-waiting are paired
    first. It belongs to the person (deleting them erases it) and goes once they are paired."""

    __tablename__: ClassVar[str] = "waitlist"
    __table_args__ = (Index("ix_waitlist_platform_workspace", "platform", "workspace_id"),)

    user_key: str = Field(
        sa_type=String, primary_key=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    since: datetime = _instant()


waitlist: Table = metadata.tables["waitlist"]


class DailyRunRow(SQLModel, table=True):
    """A daily job's claim on one day: the first replica or tick to insert it runs the job."""

    __tablename__: ClassVar[str] = "daily_runs"

    job: str = Field(sa_type=String, primary_key=True)
    day: date = Field(sa_type=Date, primary_key=True)
    claimed_at: datetime = _instant()


daily_runs: Table = metadata.tables["daily_runs"]


class SurveyAnswerRow(SQLModel, table=True):
    """One round-end survey answer per person and pairing; it belongs to the person (erased with them)."""

    __tablename__: ClassVar[str] = "survey_answers"
    __table_args__ = (UniqueConstraint("pairing_id", "user_key", name="uq_survey_answers_pairing_user"),)

    id: str = Field(sa_type=String, primary_key=True)
    cycle_id: str = Field(sa_type=String, index=True, foreign_key="cycles.id", ondelete="CASCADE")
    pairing_id: str = Field(sa_type=String, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(sa_type=String, index=True, foreign_key="participants.user_key", ondelete="CASCADE")
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    side: str = Field(sa_type=String)
    recommend: int = Field(sa_type=Integer)
    learned: str = Field(sa_type=Text)
    again: bool = Field(sa_type=Boolean)
    answered_at: datetime = _instant()
    story_id: str | None = Field(default=None, sa_type=String, nullable=True)


class RoundReportRow(SQLModel, table=True):
    """That a round's report went out: the clock stops looking at the round once it has."""

    __tablename__: ClassVar[str] = "round_reports"

    cycle_id: str = Field(sa_type=String, primary_key=True, foreign_key="cycles.id", ondelete="CASCADE")
    reported_at: datetime = _instant()


survey_answers: Table = metadata.tables["survey_answers"]
round_reports: Table = metadata.tables["round_reports"]


class ProgramSettingRow(SQLModel, table=True):
    """One setting a workspace's admins changed in chat; settings without a row keep their defaults."""

    __tablename__: ClassVar[str] = "program_settings"

    platform: str = Field(sa_type=String, primary_key=True)
    workspace_id: str = Field(sa_type=String, primary_key=True)
    key: str = Field(sa_type=String, primary_key=True)
    value: str = Field(sa_type=Text)
    changed_at: datetime = _instant()


program_settings: Table = metadata.tables["program_settings"]


class ProgramSettingChangeRow(SQLModel, table=True):
    """Who changed which setting of a workspace, when, from what to what: `settings history`."""

    __tablename__: ClassVar[str] = "program_settings_history"
    __table_args__ = (Index("ix_program_settings_history_workspace", "platform", "workspace_id", "at"),)

    id: int | None = Field(default=None, sa_type=Integer, primary_key=True)
    platform: str = Field(sa_type=String)
    workspace_id: str = Field(sa_type=String)
    key: str = Field(sa_type=String)
    old_value: str | None = Field(default=None, sa_type=Text, nullable=True)
    new_value: str | None = Field(default=None, sa_type=Text, nullable=True)
    by_key: str = Field(sa_type=String)
    at: datetime = _instant()


program_settings_history: Table = metadata.tables["program_settings_history"]


class TermVectorRow(SQLModel, table=True):
    """A skill or goal term's embedding, kept per model so the next round asks the model only for new
    terms. It names nobody: the term is the normalised text people wrote, shared by all who wrote it."""

    __tablename__: ClassVar[str] = "term_vectors"

    model: str = Field(sa_type=String, primary_key=True)
    term: str = Field(sa_type=String, primary_key=True)
    dimensions: int = Field(sa_type=Integer)
    vector: bytes = Field(sa_type=LargeBinary)
    """`dimensions` little-endian float32 values."""
    created_at: datetime = _instant()


term_vectors: Table = metadata.tables["term_vectors"]


class DevelopmentPathRow(SQLModel, table=True):
    """One person's development path for one pairing; it belongs to the person (erased with them) and to
    the pairing. `done` is the list of milestone indices the person marked done."""

    __tablename__: ClassVar[str] = "development_paths"

    pairing_id: str = Field(sa_type=String, primary_key=True, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(
        sa_type=String, primary_key=True, index=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    side: str = Field(sa_type=String)
    milestones: list[str] = Field(default_factory=list, sa_type=JSON)
    source: str = Field(sa_type=String)
    done: list[int] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _instant()
    accepted_at: datetime | None = _instant(nullable=True)
    asked_again: bool = Field(default=False, sa_type=Boolean)


development_paths: Table = metadata.tables["development_paths"]


class ResourcePickRow(SQLModel, table=True):
    """A learning resource shown to one person in one week of a pairing, and their 👍 (+1) or 👎 (-1).

    Keeps a resource from being shown twice in a round, and lets the votes steer later picks."""

    __tablename__: ClassVar[str] = "resource_picks"

    pairing_id: str = Field(sa_type=String, primary_key=True, foreign_key="pairings.id", ondelete="CASCADE")
    user_key: str = Field(
        sa_type=String, primary_key=True, index=True, foreign_key="participants.user_key", ondelete="CASCADE"
    )
    week: str = Field(sa_type=String, primary_key=True)
    resource_id: str = Field(sa_type=String, primary_key=True)
    position: int = Field(sa_type=Integer)
    vote: int = Field(default=0, sa_type=Integer)
    shown_at: datetime = _instant()
    voted_at: datetime | None = _instant(nullable=True)


resource_picks: Table = metadata.tables["resource_picks"]
