"""The engine's view of the outside world: small protocols it owns and adapters implement.

Services depend on these and nothing else, so a ten-line fake serves in a unit test and
`bot/bootstrap.py` is the one place that picks the real implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    CheckinTally,
    ConversationRef,
    Cycle,
    Delivery,
    DeliveryStatus,
    DevelopmentPath,
    Goal,
    GoalTotals,
    HeadCount,
    Invitation,
    InvitationStatus,
    Pairing,
    PairingStatus,
    PairSignals,
    Participant,
    ParticipantStatus,
    Profile,
    PromptRating,
    ScoreTotals,
    Side,
    Story,
    SurveyAnswer,
    UserRef,
    WeekTotals,
    WindowTotals,
)
from conversations.events import InboundEvent
from conversations.messages import OutgoingMessage, Reply
from conversations.program_settings import SettingChange
from conversations.services.org import OrgChanges, OrgPerson

if TYPE_CHECKING:  # the growth package's own modules import these ports
    from conversations.growth.picks import ResourcePick


class InboundHandler(Protocol):
    """What a platform front end needs of the engine: one reply per inbound event (None: a retry)."""

    async def handle(self, event: InboundEvent) -> Reply | None: ...

    async def home(self, user: UserRef) -> list[OutgoingMessage]:
        """What the person's home view shows (read only; opening it is not an event)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime; the demo and the tests move it forward at will."""
        ...


class ChatPort(Protocol):
    """One per platform. Sends raise `conversations.errors.DeliveryError` on failure."""

    platform: str

    @property
    def supports_group_dm(self) -> bool: ...

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        """Returns the platform's id of the sent message. `user` may name someone by email
        (`conversations.domain.email_recipient`): the port finds their account as it sends, and an
        email nobody has is a permanent `DeliveryError`."""
        ...

    async def open_group_dm(self, users: Sequence[UserRef]) -> str:
        """Returns a conversation id to post to; only where `supports_group_dm`."""
        ...

    async def post_to_channel(self, workspace_id: str, channel_id: str, message: OutgoingMessage) -> str: ...

    async def get_profile(self, user: UserRef) -> Profile: ...


@dataclass(frozen=True)
class PairContext:
    """What a prompt suggester may know of a pair: goals, skills, progress, outcomes; never notes."""

    pairing_id: str
    week: str
    leader_name: str
    mentor_name: str
    leader_skills: tuple[str, ...]
    mentor_skills: tuple[str, ...]
    leader_goals: tuple[str, ...]
    mentor_goals: tuple[str, ...]
    goal_progress: tuple[tuple[str, str, int, bool], ...] = ()
    """(side, goal text, progress %, done) for the pair's own goals."""
    recent_outcomes: tuple[str, ...] = ()
    language: str | None = None
    liked_topics: tuple[str, ...] = ()
    """Prompt topics the pair rated up (see `conversations.prompts.topics`); steers later weeks."""
    disliked_topics: tuple[str, ...] = ()
    recent_prompts: tuple[str, ...] = ()
    """Prompt texts shown in recent weeks (and this week's, when asking for fresh ones): not repeated."""
    use_model: bool = True
    """False when the pair's workspace turned AI-written prompts off: the library answers and nothing
    of the pair reaches the LLM. Never sent itself."""


@dataclass(frozen=True)
class PromptSet:
    prompts: tuple[str, ...]
    task: str
    source: str  # "llm" | "library"
    topics: tuple[str, ...] = ()
    """The topic of each prompt, in the same order, so a 👍/👎 on a prompt can steer by topic."""


class PromptSuggester(Protocol):
    async def suggest(self, context: PairContext) -> PromptSet: ...


class InsightsWriter(Protocol):
    """A model that writes a program owner a few sentences from `insights`' aggregates, and from nothing
    else (see `conversations.privacy`). Any failure raises; the caller then shows the figures alone."""

    async def summarise(self, facts: Mapping[str, object]) -> str: ...


@dataclass(frozen=True)
class PathContext:
    """What a development path is made from: one person's side of the pairing and their own words.

    Exactly the fields `conversations.privacy.SENT_TO_MODELS[DEVELOPMENT_PATHS]` lists: no name, id or
    anything of the partner's."""

    pairing_id: str
    side: Side
    skills: tuple[str, ...]
    learning_goals: tuple[str, ...]
    weeks: int
    language: str | None = None
    variant: int = 0
    """0 for the first path of the round, 1 when the person asked for another."""


@dataclass(frozen=True)
class MilestoneSet:
    milestones: tuple[str, ...]
    source: str  # "llm" | "library"


class PathSuggester(Protocol):
    async def suggest_path(self, context: PathContext) -> MilestoneSet: ...


class TermEmbedder(Protocol):
    """An embeddings model: one vector per skill or goal term, so matching can compare them by meaning.

    It is given terms and nothing else (see `conversations.privacy`). Any failure raises; the caller
    then matches on the vocabulary alone."""

    @property
    def model(self) -> str:
        """The model's name: vectors of different models are never compared, nor cached together."""
        ...

    async def embed(self, terms: Sequence[str]) -> list[tuple[float, ...]]:
        """One vector per term, in the order given."""
        ...


# --- people ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone of a workspace or tenant as its directory knows them: whom a picker or a typed name means."""

    user: UserRef
    name: str
    email: str | None = None


class Absence(StrEnum):
    """Why a picked account is nobody the program can name (a reason the person can act on)."""

    UNKNOWN = "unknown"
    """No such account here: another organisation's, a guest's, or not in the team the bot is in."""
    DEACTIVATED = "deactivated"
    BOT = "bot"


@dataclass(frozen=True)
class NotMember:
    reason: Absence


@runtime_checkable
class PeopleDirectory(Protocol):
    """Who is in a workspace or tenant, for pickers and typed names; implemented by each chat port.

    Every method calls the platform, so the engine asks before a unit of work opens (see
    `conversations.people`), never inside one. A directory that cannot answer raises
    `conversations.errors.DeliveryError`.
    """

    async def member(self, user: UserRef) -> Person | NotMember:
        """The active person a picker's value names in `user.workspace_id`: a Slack user id, a Teams
        user id or the Azure AD object id the Teams people picker gives."""
        ...

    async def by_email(self, workspace_id: str, email: str) -> Person | None: ...

    async def search(self, workspace_id: str, name: str) -> list[Person]:
        """Active people whose name, display name, handle or sign-in name matches `name`, best first."""
        ...

    async def channel_members(self, workspace_id: str, channel_id: str) -> list[Person]:
        """The active people (no apps) of a channel the bot is in, with their emails where the platform
        gives them: whom `invite here` writes to."""
        ...


# --- persistence -----------------------------------------------------------------------------------


class ParticipantRepository(Protocol):
    async def get(self, user: UserRef) -> Participant | None: ...
    async def save(self, participant: Participant) -> None: ...
    async def delete(self, user: UserRef) -> None:
        """Remove the person, and with them their goals, check-ins, assessments, stories and prompt votes."""
        ...

    async def list(
        self,
        platform: str | None = None,
        workspace_id: str | None = None,
        status: ParticipantStatus | None = None,
    ) -> list[Participant]: ...
    async def get_many(self, users: Collection[UserRef]) -> dict[UserRef, Participant]:
        """The stored ones among `users`, in one round trip per large batch; the absent are left out."""
        ...

    async def head_counts(self, workspace: tuple[str, str] | None = None) -> Sequence[HeadCount]:
        """Everyone (with `workspace` (platform, id), that workspace's people), counted by role, status
        and department."""
        ...

    async def unpaired(self, workspace: tuple[str, str] | None = None) -> int:
        """How many active people (of `workspace`, or of every one) are in no active pairing."""
        ...

    async def labels(self) -> dict[str, tuple[str, str]]:
        """Everyone's display name and department, by `UserRef.key`."""
        ...

    async def workspaces(self) -> set[tuple[str, str]]:
        """The (platform, workspace id) of every workspace someone joined from."""
        ...


class CycleRepository(Protocol):
    async def add(self, cycle: Cycle) -> None: ...
    async def start(self, cycle: Cycle) -> bool:
        """Insert a new round unless one with its number exists: False when another replica (or an
        admin) started it first, so two replicas never run the same round."""
        ...

    async def begin_matching(self, cycle: Cycle) -> bool:
        """Count one more matching into an open round, if nobody else did since `cycle` was read:
        False means another matching of the same round got there first (its pairs stand)."""
        ...

    async def save(self, cycle: Cycle) -> None: ...
    async def get(self, cycle_id: str) -> Cycle | None: ...
    async def latest(self) -> Cycle | None: ...
    async def list(self) -> list[Cycle]: ...


class PairingRepository(Protocol):
    async def add(self, pairing: Pairing) -> None: ...
    async def save(self, pairing: Pairing) -> None: ...
    async def get(self, pairing_id: str) -> Pairing | None: ...
    async def for_user(self, user: UserRef, status: PairingStatus | None = None) -> list[Pairing]: ...
    async def list(
        self, status: PairingStatus | None = None, cycle_id: str | None = None
    ) -> list[Pairing]: ...


class GoalRepository(Protocol):
    async def add(self, goal: Goal) -> None: ...
    async def save(self, goal: Goal) -> None: ...
    async def get(self, goal_id: str) -> Goal | None: ...
    async def for_pairing(self, pairing_id: str) -> list[Goal]: ...
    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[Goal]]:
        """`for_pairing` of many pairings at once; pairings without goals are left out."""
        ...

    async def list(self) -> list[Goal]: ...
    async def totals(
        self,
        workspace: tuple[str, str] | None = None,
        cycle_id: str | None = None,
        done_before: Sequence[datetime] = (),
    ) -> dict[Side, GoalTotals]:
        """The goals of the pairs with someone of `workspace` (every pair without one), of one round
        with `cycle_id`, counted per side; a side without goals is left out."""
        ...

    async def counts_by_pairing(self) -> dict[tuple[str, Side], tuple[int, int]]:
        """Goals set and done, per pairing and side (pairs without goals are left out)."""
        ...


class CheckinRepository(Protocol):
    async def add(self, checkin: Checkin) -> bool:
        """False (and nothing stored) when this pairing, person and week already has one."""
        ...

    async def add_many(self, checkins: Sequence[Checkin]) -> list[Checkin]:
        """`add` for each, in one statement per large batch: the ones stored, in the given order.

        A check-in whose pairing, person and week already has one (stored, or earlier in `checkins`)
        is skipped, exactly as `add` would refuse it.
        """
        ...

    async def save(self, checkin: Checkin) -> None: ...
    async def get(self, checkin_id: str) -> Checkin | None: ...
    async def find(self, pairing_id: str, user: UserRef, week: str) -> Checkin | None: ...
    async def for_pairing(self, pairing_id: str) -> list[Checkin]: ...
    async def latest_for_pairings(self, pairing_ids: Collection[str], limit: int) -> dict[str, list[Checkin]]:
        """The last `limit` check-ins of each pairing, oldest first: `for_pairing(id)[-limit:]` for
        many pairings at once. Pairings without check-ins are left out."""
        ...

    async def unanswered(self, sent_from: datetime, sent_until: datetime) -> list[Checkin]:
        """Check-ins without an answer sent from `sent_from` to `sent_until` (both included), ordered
        as `list`: what reminders need, without every answered one."""
        ...

    async def list(self, since: datetime | None = None) -> list[Checkin]: ...

    async def tallies(self, since: datetime | None = None) -> Sequence[CheckinTally]:
        """Check-ins sent since `since`, counted per pairing (see `CheckinTally`)."""
        ...

    async def week_totals(
        self, cycle_id: str, workspace: tuple[str, str] | None = None
    ) -> Sequence[WeekTotals]:
        """The check-ins of a round's pairs, counted per ISO week; with `workspace` (platform, id), only
        the pairs with someone of that workspace."""
        ...

    async def pairings_answered(
        self, answer: CheckinAnswer, answered_since: datetime, sent_from: datetime
    ) -> set[str]:
        """Ids of the pairings with a check-in sent since `sent_from` that was answered `answer` at or
        after `answered_since`."""
        ...

    async def window_totals(
        self, sent_from: datetime, sent_until: datetime, workspace: tuple[str, str] | None = None
    ) -> WindowTotals:
        """The check-ins sent from `sent_from` to `sent_until` (both included) of the pairs with
        someone of `workspace` (every pair without one), counted."""
        ...

    async def pair_signals(
        self, sent_from: datetime, since: datetime, unanswered_until: datetime
    ) -> dict[str, PairSignals]:
        """The check-ins sent since `sent_from`, reduced per pairing (pairings with none left out): met
        means answered *met* at or after `since`; unanswered counts those sent from `since` to
        `unanswered_until`; help and ratings are of those sent since `since`."""
        ...


class AssessmentRepository(Protocol):
    async def save(self, assessment: Assessment) -> None:
        """Upsert by (pairing, person, phase): the latest answer counts."""
        ...

    async def for_pairing(self, pairing_id: str) -> list[Assessment]: ...
    async def list(self) -> list[Assessment]: ...
    async def scores(self) -> dict[tuple[str, Side, str], int]:
        """Every score by (pairing, side, phase); of two with the same key, the later one."""
        ...

    async def change(self, side: Side, workspace: tuple[str, str] | None = None) -> ScoreTotals:
        """After minus before, summed over the people of `side` who gave both in the same pairing
        (over the pairs with someone of `workspace`, or every pair)."""
        ...

    async def phase_totals(
        self, cycle_id: str, workspace: tuple[str, str] | None = None
    ) -> dict[tuple[Side, str], ScoreTotals]:
        """Each person's latest score in a round's pairs (those with someone of `workspace`), summed
        per side and phase; `count` is the people."""
        ...


class StoryRepository(Protocol):
    async def add(self, story: Story) -> None: ...
    async def save(self, story: Story) -> None: ...
    async def get(self, story_id: str) -> Story | None: ...
    async def list(self) -> list[Story]: ...


class DeliveryRepository(Protocol):
    async def enqueue(self, delivery: Delivery) -> bool:
        """Insert unless the idempotency key exists; False means it was already enqueued."""
        ...

    async def enqueue_many(self, deliveries: Sequence[Delivery]) -> int:
        """`enqueue` for each, in one statement per large batch; how many were new.

        A delivery whose key exists (stored, or earlier in `deliveries`) is skipped, as `enqueue`
        would skip it; a second fan-out of the same keys inserts nothing.
        """
        ...

    async def get_by_key(self, idempotency_key: str) -> Delivery | None: ...

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, platform: str | None = None
    ) -> list[Delivery]:
        """Take up to `limit` pending rows due by `now` (or whose lease ran out) and lease them.

        Concurrent claimers never get the same row (PostgreSQL: FOR UPDATE SKIP LOCKED).
        """
        ...

    async def mark_sent(self, delivery_id: str, platform_message_id: str | None, at: datetime) -> None: ...
    async def mark_retry(self, delivery_id: str, error: str, not_before: datetime) -> None: ...
    async def mark_failed(self, delivery_id: str, error: str) -> None: ...
    async def count_by_status(self) -> dict[DeliveryStatus, int]: ...
    async def sent_times(self, keys: Collection[str]) -> dict[str, datetime]:
        """When each of these messages was delivered; keys not (yet) sent are absent."""
        ...

    async def list_failed(self, limit: int = 20) -> list[Delivery]: ...
    async def cancel_for_user(self, user: UserRef) -> int:
        """Drop pending deliveries to someone who left and asked for their data to be deleted."""
        ...


class InboundEventRepository(Protocol):
    async def remember(self, event_id: str, at: datetime) -> bool:
        """Record an inbound event id; False when it was seen before (a retry to drop)."""
        ...

    async def forget_before(self, at: datetime) -> int:
        """Drop ids received before `at`: platforms stop retrying within minutes, so a week is ample."""
        ...


class ConversationRefRepository(Protocol):
    async def save(self, ref: ConversationRef) -> None: ...
    async def get(self, user: UserRef) -> ConversationRef | None: ...
    async def get_many(self, users: Collection[UserRef]) -> dict[UserRef, ConversationRef]: ...
    async def delete(self, user: UserRef) -> None: ...


class PromptCacheRepository(Protocol):
    async def get(self, pairing_id: str, week: str) -> PromptSet | None: ...
    async def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], PromptSet]:
        """The cached sets among `keys` (pairing id, week); keys with none are left out."""
        ...

    async def save(self, pairing_id: str, week: str, prompts: PromptSet) -> None: ...
    async def add_many(self, entries: Sequence[tuple[str, str, PromptSet]]) -> int:
        """Store each (pairing id, week, prompts) unless that pairing and week already has a set:
        the first stored set wins, so every reader sees the same prompts. How many were stored."""
        ...


class PromptRatingRepository(Protocol):
    async def add(self, rating: PromptRating) -> bool:
        """False (and nothing stored) when this person already rated this prompt of this week."""
        ...

    async def for_pairing(self, pairing_id: str) -> list[PromptRating]: ...
    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[PromptRating]]:
        """`for_pairing` of many pairings at once; pairings without ratings are left out."""
        ...


class OrgChartRepository(Protocol):
    """The imported org chart, and which chat accounts are which people in it (linked by email)."""

    async def list(self) -> list[OrgPerson]:
        """Everyone in the chart, by email."""
        ...

    async def get(self, email: str) -> OrgPerson | None: ...
    async def managers(self) -> dict[str, str | None]:
        """Each person's manager's email (None at the top), for walking management chains."""
        ...

    async def apply(self, changes: OrgChanges, at: datetime) -> None: ...
    async def link(self, user: UserRef, email: str, at: datetime) -> None:
        """Record that this chat account belongs to `email` (replacing an earlier link)."""
        ...

    async def unlink(self, user: UserRef) -> None: ...
    async def links(self) -> dict[UserRef, str]:
        """Every linked chat account and its email."""
        ...


class AvoidListRepository(Protocol):
    """Each person's private "please don't pair me with" list: read by them and by matching only."""

    async def get(self, user: UserRef) -> tuple[Person, ...]:
        """The people `user` listed, in the order they were added, with the names they had then."""
        ...

    async def replace(self, user: UserRef, avoided: Sequence[Person], at: datetime) -> None:
        """`user`'s whole list becomes `avoided` (empty clears it); the person themself is left out."""
        ...

    async def pairs(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> set[frozenset[UserRef]]:
        """Every pair that must never be matched (one of the two listed the other), for matching."""
        ...


class WaitlistRepository(Protocol):
    """Who was left without a partner by a matching, and since when: the longest-waiting go first."""

    async def add(self, users: Sequence[UserRef], at: datetime) -> list[UserRef]:
        """Put on the waitlist whoever is not on it yet, waiting from `at`; returns those added."""
        ...

    async def remove(self, users: Collection[UserRef]) -> None: ...
    async def since(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> dict[UserRef, datetime]:
        """Everyone waiting (program-wide or in one workspace or tenant) and since when."""
        ...


class DailyRunRepository(Protocol):
    """Claims on days, so a daily job runs once a day however many replicas or ticks ask."""

    async def claim(self, job: str, day: date, at: datetime) -> bool:
        """True for the first claim of `job` on `day`, False for every later one."""


class RoundEndRepository(Protocol):
    """The round-end survey's answers, and which rounds' reports went out."""

    async def add_answer(self, answer: SurveyAnswer) -> bool:
        """False (and nothing stored) when this person already answered for this pairing."""
        ...

    async def answer_of(self, pairing_id: str, user: UserRef) -> SurveyAnswer | None: ...
    async def answers(self, cycle_id: str) -> list[SurveyAnswer]: ...
    async def mark_reported(self, cycle_id: str, at: datetime) -> bool:
        """Record that the round's report went out; False when it already had."""
        ...

    async def reported(self, cycle_ids: list[str]) -> set[str]:
        """Which of these rounds' reports went out."""


class ProgramSettingsRepository(Protocol):
    """The settings each workspace's admins changed in chat, and who changed what, when."""

    async def get(self, platform: str, workspace_id: str) -> dict[str, str]:
        """The workspace's stored settings by name, as canonical text; the others keep their defaults."""
        ...

    async def change(
        self, platform: str, workspace_id: str, values: Mapping[str, str | None], by: UserRef, at: datetime
    ) -> list[SettingChange]:
        """Store the values that differ from those stored (None removes one) and record each change."""
        ...

    async def history(self, platform: str, workspace_id: str, limit: int = 20) -> list[SettingChange]:
        """The workspace's latest changes, newest first."""
        ...

    async def all(self) -> dict[tuple[str, str], dict[str, str]]:
        """Every workspace's stored settings, by (platform, workspace id)."""


class TermVectorRepository(Protocol):
    """Embeddings already fetched, by model and normalised term: a term is sent to a model once."""

    async def get_many(self, model: str, terms: Collection[str]) -> dict[str, tuple[float, ...]]:
        """The stored vectors among `terms`; terms with none are left out."""
        ...

    async def add_many(self, model: str, vectors: Mapping[str, Sequence[float]], at: datetime) -> int:
        """Store each term's vector unless the term already has one for `model`; how many were stored."""
        ...


class DevelopmentPathRepository(Protocol):
    """One path per person and pairing; the first stored wins (another replica may store one too)."""

    async def get(self, pairing_id: str, user: UserRef) -> DevelopmentPath | None: ...
    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[DevelopmentPath]]:
        """The paths of many pairings at once, by pairing (none: left out)."""
        ...

    async def owners(self, pairing_ids: Collection[str]) -> set[tuple[str, UserRef]]:
        """(pairing id, person) of every stored path of these pairings: the clock's check for whom to make
        one, without reading the milestones."""
        ...

    async def add_many(self, paths: Sequence[DevelopmentPath]) -> list[DevelopmentPath]:
        """Store each path unless its person already has one for the pairing; the ones stored."""
        ...

    async def save(self, path: DevelopmentPath) -> None: ...


class ResourcePickRepository(Protocol):
    """The learning resources shown to each person, week by week, and their votes on them."""

    async def for_users(self, users: Collection[UserRef]) -> dict[UserRef, list[ResourcePick]]:
        """Every pick of each person, oldest first; people without any are left out."""
        ...

    async def of_week(self, pairing_id: str, user: UserRef, week: str) -> list[ResourcePick]:
        """One person's picks of one week of a pairing, in the order shown."""
        ...

    async def add_many(self, picks: Sequence[ResourcePick]) -> int:
        """Store each pick unless that person already has it for that week; how many were stored."""
        ...

    async def vote(
        self, pairing_id: str, user: UserRef, week: str, resource_id: str, vote: int, at: datetime
    ) -> bool:
        """Record +1 or -1 on a pick; False when no such pick was shown."""
        ...


class UnitOfWork(Protocol):
    """One per inbound event or scheduled job: `async with uow: ...; await uow.commit()`.

    Leaving the block without `commit()` rolls back. The repositories are read-only here so that a
    unit whose repositories are more specific (the SQL ones) still is one.
    """

    @property
    def participants(self) -> ParticipantRepository: ...
    @property
    def cycles(self) -> CycleRepository: ...
    @property
    def pairings(self) -> PairingRepository: ...
    @property
    def goals(self) -> GoalRepository: ...
    @property
    def checkins(self) -> CheckinRepository: ...
    @property
    def assessments(self) -> AssessmentRepository: ...
    @property
    def stories(self) -> StoryRepository: ...
    @property
    def deliveries(self) -> DeliveryRepository: ...
    @property
    def inbound_events(self) -> InboundEventRepository: ...
    @property
    def conversation_refs(self) -> ConversationRefRepository: ...
    @property
    def prompt_cache(self) -> PromptCacheRepository: ...
    @property
    def prompt_ratings(self) -> PromptRatingRepository: ...
    @property
    def org_chart(self) -> OrgChartRepository: ...
    @property
    def invitations(self) -> InvitationRepository: ...
    @property
    def avoid_list(self) -> AvoidListRepository: ...
    @property
    def waitlist(self) -> WaitlistRepository: ...
    @property
    def daily_runs(self) -> DailyRunRepository: ...
    @property
    def round_end(self) -> RoundEndRepository: ...
    @property
    def program_settings(self) -> ProgramSettingsRepository: ...
    @property
    def term_vectors(self) -> TermVectorRepository: ...
    @property
    def development_paths(self) -> DevelopmentPathRepository: ...
    @property
    def resource_picks(self) -> ResourcePickRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class InvitationRepository(Protocol):
    """Invitations to join, one per person (by email) and workspace or tenant."""

    async def get(self, invitation_id: str) -> Invitation | None: ...
    async def in_workspace(self, platform: str, workspace_id: str) -> dict[str, Invitation]:
        """Every invitation of one workspace or tenant, by email."""
        ...

    async def save_many(self, invitations: Sequence[Invitation]) -> None:
        """Insert or replace each, by (email, platform, workspace), in one statement per large batch."""
        ...

    async def mark_joined(self, user: UserRef, at: datetime) -> int:
        """Mark as joined the invitation `user` answered, or the one to the email their account is
        linked to in the org chart, in their workspace; how many changed."""
        ...

    async def counts(
        self, platform: str | None = None, workspace_id: str | None = None
    ) -> dict[InvitationStatus, int]:
        """How many invitations are in each status, program-wide or in one workspace or tenant."""
        ...
