"""What every use case gets: the open unit of work, the time, the program's rules and its collaborators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conversations.domain import Participant, ParticipantStatus, UserRef
from conversations.errors import NotOptedIn
from conversations.matching import Matcher, MatchRules
from conversations.outbox import Outbox
from conversations.platform_ids import ids_for
from conversations.ports import ChatPort, PromptSuggester, UnitOfWork


@dataclass(frozen=True)
class NudgeRules:
    no_meeting_after: timedelta = timedelta(days=14)
    goals_missing_after: timedelta = timedelta(days=7)
    checkin_unanswered_after: timedelta = timedelta(hours=48)


@dataclass(frozen=True)
class ProgramConfig:
    admins: frozenset[str] = frozenset()
    """Platform user ids allowed to run admin commands."""
    stories_channel: str | None = None
    cycle_weeks: int = 12
    checkin_weekday: int = 0
    checkin_time: time = time(10, 0)
    match_rules: MatchRules = field(default_factory=MatchRules)
    nudges: NudgeRules = field(default_factory=NudgeRules)
    next_round_after: timedelta | None = timedelta(days=7)
    """After a round closes, the next starts by itself this much later; None leaves it to an admin.
    The very first round is always an admin's `pair`."""


@dataclass
class Ctx:
    uow: UnitOfWork
    now: datetime
    config: ProgramConfig
    chats: Mapping[str, ChatPort]
    matcher: Matcher
    prompts: PromptSuggester
    outbox: Outbox = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.uow, self.now)

    def local_today(self, person: Participant) -> date:
        """The date on the person's own calendar: pauses end and check-ins fall by local time."""
        try:
            return self.now.astimezone(ZoneInfo(person.timezone)).date()
        except (ValueError, KeyError):
            return self.now.date()

    def local_week(self, person: Participant) -> str:
        """The person's ISO week by their own calendar: check-ins and their prompts are kept by it."""
        year, week, _ = self.local_today(person).isocalendar()
        return f"{year}-W{week:02d}"

    def available(self, person: Participant) -> bool:
        return person.is_available(self.local_today(person))

    def is_admin(self, user: UserRef) -> bool:
        return user.user_id in ids_for(self.config.admins, user.platform)

    def admins_of(self, user: UserRef) -> list[UserRef]:
        """The admins reachable on the same platform and workspace as `user`."""
        return [UserRef(user.platform, user.workspace_id, a) for a in ids_for(self.config.admins, user.platform)]

    def stories_channel_for(self, platform: str) -> str | None:
        channels = ids_for(tuple((self.config.stories_channel or "").split(",")), platform)
        return next((c for c in channels if c.strip()), None)

    def supports_group_dm(self, platform: str) -> bool:
        chat = self.chats.get(platform)
        return bool(chat and chat.supports_group_dm)

    async def participant(self, user: UserRef) -> Participant:
        """The person as an active or paused member; people who never joined or left get told how to join."""
        found = await self.uow.participants.get(user)
        if found is None or found.status is ParticipantStatus.LEFT:
            raise NotOptedIn()
        return found

    async def name_of(self, user: UserRef) -> str:
        found = await self.uow.participants.get(user)
        return found.display_name if found else "your partner"
