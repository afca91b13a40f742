"""Domain types of a reverse-mentoring program.

Entities that change over their life (a participant's status, a goal's progress) are plain dataclasses
saved back through a repository; values that identify or describe are frozen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum

from conversations.i18n import N_, _


def new_id() -> str:
    """Ids are made by the engine so every store (SQLite, PostgreSQL) agrees on them.

    128 random bits as 32 hex digits, the shape a uuid4's hex has always had here. A tick makes tens of
    thousands of ids (a check-in and its delivery per person), and `uuid.uuid4()` costs five times as
    much as the bytes themselves, for a version field nothing reads."""
    return os.urandom(16).hex()


class Role(StrEnum):
    MENTOR = "mentor"
    LEADER = "leader"
    BOTH = "both"

    def can_lead(self) -> bool:
        return self in (Role.LEADER, Role.BOTH)

    def can_mentor(self) -> bool:
        return self in (Role.MENTOR, Role.BOTH)


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class PairingStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Side(StrEnum):
    """Which half of a pairing a person sits on; goals and assessments belong to a side."""

    LEADER = "leader"
    MENTOR = "mentor"


class CheckinAnswer(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"
    RESCHEDULED = "rescheduled"
    NEED_HELP = "need_help"

    @property
    def label(self) -> str:
        return _(
            {
                CheckinAnswer.MET: N_("We met"),
                CheckinAnswer.NOT_YET: N_("Not yet"),
                CheckinAnswer.RESCHEDULED: N_("Rescheduled"),
                CheckinAnswer.NEED_HELP: N_("Need help"),
            }[self]
        )


class StoryStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Gave up: the recipient cannot be reached (left, blocked, unknown); shown in admin stats."""


SENIORITY_LEVELS: dict[int, str] = {
    1: N_("Early career"),
    2: N_("Professional"),
    3: N_("Senior professional"),
    4: N_("Manager"),
    5: N_("Director"),
    6: N_("Executive"),
}
"""In English; `level_name` says a level in the reader's language."""


ROLE_NAMES: dict[Role, str] = {Role.MENTOR: N_("mentor"), Role.LEADER: N_("leader"), Role.BOTH: N_("both")}
STATUS_NAMES: dict[ParticipantStatus, str] = {
    ParticipantStatus.ACTIVE: N_("active"),
    ParticipantStatus.PAUSED: N_("paused"),
    ParticipantStatus.LEFT: N_("left"),
}


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])


def status_name(status: ParticipantStatus) -> str:
    return _(STATUS_NAMES[status])


def level_name(level: int) -> str:
    return _(SENIORITY_LEVELS[level]) if level in SENIORITY_LEVELS else str(level)


@dataclass(frozen=True, order=True)
class UserRef:
    """A person on one platform; the same human in Slack and in Teams is two participants."""

    platform: str
    workspace_id: str
    user_id: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.workspace_id}:{self.user_id}"

    @classmethod
    def from_key(cls, key: str) -> UserRef:
        platform, workspace_id, user_id = key.split(":", 2)
        return cls(platform, workspace_id, user_id)


@dataclass
class Participant:
    user: UserRef
    display_name: str
    role: Role
    department: str
    seniority: int
    timezone: str
    skills: tuple[str, ...] = ()
    learning_goals: tuple[str, ...] = ()
    manager_id: str | None = None
    """Platform user id of the person's manager, where known: keeps reporting lines apart."""
    language: str | None = None
    """The language the person reads: the platform's locale tag when they joined (`es-ES`), or the
    language they chose in their profile (`es`); `conversations.i18n.negotiate` turns it into a shipped one."""
    status: ParticipantStatus = ParticipantStatus.ACTIVE
    paused_until: date | None = None
    joined_at: datetime | None = None

    def is_available(self, today: date) -> bool:
        """Active, or paused with the pause already over."""
        if self.status is ParticipantStatus.ACTIVE:
            return True
        if self.status is ParticipantStatus.PAUSED and self.paused_until is not None:
            return self.paused_until <= today
        return False


@dataclass
class Cycle:
    id: str
    number: int
    started_at: datetime
    weeks: int
    closed_at: datetime | None = None
    matchings: int = 0
    """How many times pairs were added to this round; guards against two matchings at once."""


ROUND_FINISHED = "round finished"
"""The end reason of a pairing that lasted until its round closed (rather than ended early)."""


@dataclass
class Pairing:
    id: str
    cycle_id: str
    leader: UserRef
    mentor: UserRef
    score: float
    reasons: tuple[str, ...]
    created_at: datetime
    status: PairingStatus = PairingStatus.ACTIVE
    ended_at: datetime | None = None
    end_reason: str | None = None

    def members(self) -> tuple[UserRef, UserRef]:
        return (self.leader, self.mentor)

    def side_of(self, user: UserRef) -> Side | None:
        if user == self.leader:
            return Side.LEADER
        if user == self.mentor:
            return Side.MENTOR
        return None

    def other(self, user: UserRef) -> UserRef:
        return self.mentor if user == self.leader else self.leader


@dataclass
class Goal:
    id: str
    pairing_id: str
    owner: UserRef
    side: Side
    text: str
    created_at: datetime
    progress: int = 0
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass
class Checkin:
    """One person's answer for one pairing and one ISO week; created unanswered when it is sent."""

    id: str
    pairing_id: str
    user: UserRef
    week: str
    sent_at: datetime
    answer: CheckinAnswer | None = None
    rating: int | None = None
    note: str | None = None
    """Private: read by nobody but the program admins when help is asked; never in stats or exports."""
    answered_at: datetime | None = None


@dataclass(frozen=True)
class CheckinTally:
    """One pairing's check-ins, counted: what an export needs of thousands of check-ins, without
    reading each one (and never a note)."""

    pairing_id: str
    asked: int
    answered: int
    met: int
    need_help: int
    rating_sum: int
    rating_count: int
    asked_keys: tuple[str, ...]
    """`UserRef.key` of the (at most two) people asked."""
    rater_keys: tuple[str, ...]
    """`UserRef.key` of the people who gave a rating."""


@dataclass(frozen=True)
class WeekTotals:
    """One ISO week of a round's check-ins, counted over a set of pairs: people are counted once
    however many pairs they are in, so a figure can be withheld when fewer than five stand behind it."""

    week: str
    asked: int
    answered: int
    people_asked: int
    pairs_met: int
    rating_sum: int
    rating_count: int
    raters: int


@dataclass(frozen=True)
class HeadCount:
    """Participants with one role, status and department, counted: what `stats` shows of people,
    without reading every profile."""

    role: Role
    status: ParticipantStatus
    department: str
    people: int


@dataclass(frozen=True)
class ScoreTotals:
    """A sum and how many went into it, so the engine divides: the mean it would take of the scores."""

    total: int
    count: int

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass(frozen=True)
class GoalTotals:
    """One side's goals over a set of pairs, counted by the database."""

    goals: int
    done: int
    owners: int
    """People who set them, each once."""
    done_before: tuple[int, ...] = ()
    """Goals done before each of the times asked for (the ends of a round's weeks), in that order."""


@dataclass(frozen=True)
class WindowTotals:
    """A window's check-ins over a set of pairs: the pairs that met, and the ratings given."""

    met_pairings: frozenset[str]
    rating_sum: int
    rating_count: int


@dataclass(frozen=True)
class PairSignals:
    """One active pair's recent check-ins, reduced to what the at-risk signals are made of."""

    pairing_id: str
    met: bool
    """A meeting was logged (answered) since the window opened."""
    unanswered: int
    asked_for_help: tuple[UserRef, ...]
    """Who answered *Need help*, each once, in the order they asked."""
    rating_sum: int
    rating_count: int


@dataclass
class Assessment:
    """A before/after self-assessment on a 1-5 scale, one per person, pairing and phase."""

    id: str
    pairing_id: str
    user: UserRef
    side: Side
    phase: str  # "before" | "after"
    score: int
    created_at: datetime


ASSESSMENT_QUESTIONS: dict[Side, str] = {
    Side.LEADER: N_("How confident are you using AI and digital tools in your work?"),
    Side.MENTOR: N_("How much exposure do you have to leadership and company strategy?"),
}


@dataclass(frozen=True)
class PromptRating:
    """A 👍 (+1) or 👎 (-1) on one prompt a pair was shown; ratings steer the topics of later weeks."""

    id: str
    pairing_id: str
    user: UserRef
    week: str
    prompt_index: int
    topic: str
    vote: int
    created_at: datetime


@dataclass
class Story:
    id: str
    pairing_id: str
    proposer: UserRef
    text: str
    created_at: datetime
    status: StoryStatus = StoryStatus.PROPOSED
    decided_at: datetime | None = None


@dataclass(frozen=True)
class SurveyAnswer:
    """One person's round-end survey, for the pairing the round closed.

    `learned` is the person's own words: kept for them and the program, never shown in a report."""

    id: str
    cycle_id: str
    pairing_id: str
    user: UserRef
    side: Side
    recommend: int
    """0-10: how likely they are to recommend the program to a colleague (the NPS question)."""
    learned: str
    again: bool
    answered_at: datetime
    story_id: str | None = None
    """The story they offered with it, which then waits for their partner's approval like any other."""


@dataclass(frozen=True)
class Destination:
    """Where a delivery goes: one person, several people together, or a channel."""

    platform: str
    workspace_id: str
    users: tuple[str, ...] = ()
    channel_id: str | None = None

    @classmethod
    def dm(cls, user: UserRef) -> Destination:
        return cls(user.platform, user.workspace_id, users=(user.user_id,))

    @classmethod
    def group(cls, users: tuple[UserRef, ...]) -> Destination:
        first = users[0]
        return cls(first.platform, first.workspace_id, users=tuple(u.user_id for u in users))

    @classmethod
    def channel(cls, platform: str, workspace_id: str, channel_id: str) -> Destination:
        return cls(platform, workspace_id, channel_id=channel_id)


class DeliveryPriority(IntEnum):
    """Which messages go first when a fan-out meets a platform's limit: what people are waiting for
    (introductions, check-ins, answers to help) before reminders and nudges about them."""

    URGENT = 0
    NORMAL = 1
    REMINDER = 2


@dataclass
class Delivery:
    """One outgoing message in the outbox, recorded before it is sent (see DESIGN section 5)."""

    id: str
    idempotency_key: str
    destination: Destination
    message: dict[str, object]
    created_at: datetime
    not_before: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str | None = None
    platform_message_id: str | None = None
    sent_at: datetime | None = None
    priority: DeliveryPriority = DeliveryPriority.NORMAL


@dataclass(frozen=True)
class Profile:
    """What the chat platform knows of a person, used to prefill forms and name people."""

    display_name: str
    timezone: str | None = None
    email: str | None = None
    locale: str | None = None
    """The platform's language tag for the person (Slack `es-ES`, Teams `es-es`), where it says one."""


@dataclass
class ConversationRef:
    """An opaque platform handle for reaching someone proactively (Teams needs one per person)."""

    user: UserRef
    data: dict[str, object] = field(default_factory=dict)


EMAIL_RECIPIENT = "email:"
"""The prefix of a `UserRef.user_id` that names a person by their work email instead of a platform id:
someone imported from the org chart who never used the bot. The chat adapter finds their account when
it sends (Slack: users.lookupByEmail; Teams: the tenant's roster), never inside a transaction."""


def email_recipient(platform: str, workspace_id: str, email: str) -> UserRef:
    """A recipient known only by email, for `Destination.dm` and `ChatPort.send_dm`."""
    return UserRef(platform, workspace_id, EMAIL_RECIPIENT + email.strip().lower())


def recipient_email(user: UserRef) -> str | None:
    """The email of a recipient made by `email_recipient`; None for a platform user id."""
    if user.user_id.startswith(EMAIL_RECIPIENT):
        return user.user_id[len(EMAIL_RECIPIENT) :]
    return None


class InvitationStatus(StrEnum):
    INVITED = "invited"
    JOINED = "joined"
    NOT_NOW = "not_now"
    NEVER = "never"


@dataclass
class Invitation:
    """One invitation of one person of the org chart to the program, in one workspace or tenant."""

    id: str
    email: str
    """Lower-cased, as in the org chart."""
    platform: str
    workspace_id: str
    status: InvitationStatus
    invited_at: datetime
    answered_at: datetime | None = None
    user_key: str | None = None
    """The chat account that answered or joined, once known (`UserRef.key`)."""
    sent: int = 1
    """How many invitations this person has been sent here; each has its own outbox key."""


@dataclass
class DevelopmentPath:
    """One person's milestones for one pairing's round: proposed after the introduction, then accepted
    (as offered or edited) and ticked off week by week. Private to its owner; stats read counts only."""

    pairing_id: str
    user: UserRef
    side: Side
    milestones: tuple[str, ...]
    source: str
    """"llm" or "library": where the milestones on offer came from ("edited" once the person edits them)."""
    created_at: datetime
    done: tuple[int, ...] = ()
    """Indices of the milestones the person marked done."""
    accepted_at: datetime | None = None
    asked_again: bool = False
    """Whether the person already asked for another path this round (once is allowed)."""

    @property
    def done_count(self) -> int:
        return len(self.done)

    def milestone_of_week(self, week_number: int, weeks: int) -> int | None:
        """The index of "this week's" milestone: milestone i (from 1) belongs to week ⌈i·weeks/n⌉, and
        the weeks between two milestones keep working on the later one. None past the last."""
        n = len(self.milestones)
        if n == 0 or weeks < 1 or week_number < 1:
            return None
        for i in range(1, n + 1):
            if week_number <= -(-i * weeks // n):
                return i - 1
        return None
