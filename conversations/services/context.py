"""What every use case gets: the open unit of work, the time, the program's rules and its collaborators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from conversations.clock import iso_week, local_time
from conversations.domain import Participant, ParticipantStatus, UserRef
from conversations.errors import NotOptedIn
from conversations.i18n import N_, _
from conversations.matching import Matcher, MatchRules
from conversations.outbox import Outbox
from conversations.platform_ids import admin_entries, ids_for
from conversations.ports import ChatPort, PromptSuggester, UnitOfWork


@dataclass(frozen=True)
class NudgeRules:
    no_meeting_after: timedelta = timedelta(days=14)
    goals_missing_after: timedelta = timedelta(days=7)
    checkin_unanswered_after: timedelta = timedelta(hours=48)


DEFAULT_RULES = (
    N_("What you two discuss stays between you, unless you both agree to share it"),
    N_("No question is too basic, on either side"),
    N_("Either of you may end the pairing at any time, without fault and without giving reasons"),
    N_("Stuck, or something feels wrong? Ask the program admins privately: your partner is not told"),
)
"""Each shown in the reader's language; rules an admin writes are shown as written."""
DEFAULT_GROUND_RULES = "; ".join(DEFAULT_RULES)
"""The program's ground rules, separated by `;`: every introduction and the joining message carry them."""


def ground_rules_list(rules: str) -> tuple[str, ...]:
    """The rules one by one, as a `;`-separated setting holds them."""
    return tuple(rule.strip() for rule in rules.split(";") if rule.strip())


@dataclass(frozen=True)
class ProgramConfig:
    admins: frozenset[str] = frozenset()
    """Admin entries as configured (see `conversations.platform_ids` for what each may say)."""
    home_workspaces: Mapping[str, str] = field(default_factory=dict)
    """Per platform, the workspace or tenant where an admin entry that names none counts: the Slack
    workspace of the bot's token, the Teams app's own tenant."""
    stories_channel: str | None = None
    cycle_weeks: int = 12
    checkin_weekday: int = 0
    checkin_time: time = time(10, 0)
    match_rules: MatchRules = field(default_factory=MatchRules)
    nudges: NudgeRules = field(default_factory=NudgeRules)
    next_round_after: timedelta | None = timedelta(days=7)
    """After a round closes, the next starts by itself this much later; None leaves it to an admin.
    The very first round is always an admin's `pair`."""
    ground_rules: str = DEFAULT_GROUND_RULES
    """`;`-separated, shown in every introduction and, briefly, after joining."""


@dataclass(frozen=True)
class AdminScope:
    """What an admin's `stats` and `export` cover: the workspace or tenant they asked from, or, for an
    org-wide admin (and the operator's CLI), the whole program."""

    platform: str | None = None
    workspace_id: str | None = None

    @property
    def org_wide(self) -> bool:
        return self.platform is None

    def covers(self, user: UserRef) -> bool:
        if self.platform is None:
            return True
        return user.platform == self.platform and user.workspace_id == self.workspace_id

    def describe(self) -> str:
        if self.platform is None:
            return _("every workspace and tenant")
        if self.platform == "slack":
            return _("this Slack workspace only")
        if self.platform == "teams":
            return _("this Teams tenant only")
        return _("this {platform} workspace only", platform=self.platform)


EVERYTHING = AdminScope()


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
        return local_time(self.now, person.timezone).date()

    def local_week(self, person: Participant) -> str:
        """The person's ISO week by their own calendar: check-ins and their prompts are kept by it."""
        return iso_week(self.local_today(person))

    def available(self, person: Participant) -> bool:
        return person.is_available(self.local_today(person))

    def admin_scope(self, user: UserRef) -> AdminScope | None:
        """What `user` may see as an admin, or None when they are no admin here: an entry must name
        them in this very workspace or tenant, not just by a user id another workspace may reuse."""
        homes = self.config.home_workspaces
        matching = [
            entry
            for entry in admin_entries(self.config.admins)
            if entry.names(user.platform, user.workspace_id, user.user_id, homes)
        ]
        if not matching:
            return None
        if any(e.org_wide for e in matching):
            return EVERYTHING
        return AdminScope(user.platform, user.workspace_id)

    def is_admin(self, user: UserRef) -> bool:
        return self.admin_scope(user) is not None

    def admins_of(self, user: UserRef) -> list[UserRef]:
        """The admins of `user`'s own workspace or tenant, the only ones reachable there."""
        homes = self.config.home_workspaces
        found: list[UserRef] = []
        for entry in admin_entries(self.config.admins):
            admin = UserRef(user.platform, user.workspace_id, entry.user_id)
            if entry.counts_in(user.platform, user.workspace_id, homes) and admin not in found:
                found.append(admin)
        return found

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
        return found.display_name if found else _("your partner")

    async def language_of(self, user: UserRef) -> str | None:
        """The language `user` reads, for a message built for them (`with speaking(...)`)."""
        found = await self.uow.participants.get(user)
        return found.language if found else None
