"""What every use case gets: the open unit of work, the time, the program's rules and its collaborators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from conversations.clock import iso_week, local_time
from conversations.domain import Destination, Participant, ParticipantStatus, UserRef
from conversations.errors import NotOptedIn
from conversations.growth.picks import ResourceLibrary
from conversations.i18n import N_, _
from conversations.matching import Matcher, MatchRules
from conversations.outbox import Outbox
from conversations.platform_ids import admin_entries, ids_for
from conversations.ports import ChatPort, PromptSuggester, UnitOfWork
from conversations.program_settings import ProgramValues, next_round_after
from conversations.program_settings import ground_rules_list as ground_rules_list  # where it was read before


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
    help_person: str | None = None
    """A person of the workspace who receives every help request, with its admins."""
    help_channel: str | None = None
    """A (private) channel of the workspace that receives every help request."""
    help_contact_text: str | None = None
    """Who to contact when a help request reaches nobody, shown as plain text (e.g. an email address)."""
    ai_prompts: bool = True
    """False: the workspace's pairs get the curated library's prompts and nothing goes to the LLM."""
    ai_matching: bool = True
    """False: the workspace is matched on shared vocabulary, and none of its terms go to a model."""

    def values(self, platform: str) -> ProgramValues:
        """The form's settings as this config holds them, as seen on `platform`."""
        channels = ids_for(tuple((self.stories_channel or "").split(",")), platform)
        return ProgramValues(
            checkin_weekday=self.checkin_weekday,
            checkin_time=self.checkin_time,
            cycle_weeks=self.cycle_weeks,
            next_round_days=self.next_round_after.days if self.next_round_after else 0,
            mentor_capacity=self.match_rules.mentor_capacity,
            min_seniority_gap=self.match_rules.min_seniority_gap,
            min_overlap_hours=round(self.match_rules.min_overlap_hours),
            repeat_lookback_rounds=self.match_rules.repeat_lookback_cycles,
            nudge_no_meeting_days=self.nudges.no_meeting_after.days,
            nudge_goals_days=self.nudges.goals_missing_after.days,
            nudge_checkin_hours=round(self.nudges.checkin_unanswered_after.total_seconds() / 3600),
            stories_channel=next((c.strip() for c in channels if c.strip()), None),
            help_person=self.help_person,
            help_channel=self.help_channel,
            help_contact_text=self.help_contact_text,
            ground_rules=self.ground_rules,
            ai_prompts=self.ai_prompts,
            ai_matching=self.ai_matching,
        )

    def overlaid(self, platform: str, stored: Mapping[str, str]) -> ProgramConfig:
        """This config for one workspace of `platform`: its stored settings over these defaults."""
        if not stored:
            return self
        v = self.values(platform).with_stored(stored)
        return replace(
            self,
            stories_channel=v.stories_channel,
            cycle_weeks=v.cycle_weeks,
            checkin_weekday=v.checkin_weekday,
            checkin_time=v.checkin_time,
            match_rules=replace(
                self.match_rules,
                mentor_capacity=v.mentor_capacity,
                min_seniority_gap=v.min_seniority_gap,
                min_overlap_hours=float(v.min_overlap_hours),
                repeat_lookback_cycles=v.repeat_lookback_rounds,
            ),
            nudges=NudgeRules(
                no_meeting_after=timedelta(days=v.nudge_no_meeting_days),
                goals_missing_after=timedelta(days=v.nudge_goals_days),
                checkin_unanswered_after=timedelta(hours=v.nudge_checkin_hours),
            ),
            next_round_after=next_round_after(v.next_round_days),
            ground_rules=v.ground_rules,
            help_person=v.help_person,
            help_channel=v.help_channel,
            help_contact_text=v.help_contact_text,
            ai_prompts=v.ai_prompts,
            ai_matching=v.ai_matching,
        )


ADMIN_ONLY = N_("That command is for program admins only.")
"""What anyone but an admin is told when asking for an admin command or clicking an admin's button."""


@dataclass(frozen=True)
class AdminScope:
    """What an admin's `stats` and `export` cover: the workspace or tenant they asked from, or, for an
    org-wide admin (and the operator's CLI), the whole program."""

    platform: str | None = None
    workspace_id: str | None = None

    @property
    def org_wide(self) -> bool:
        return self.platform is None

    @property
    def workspace(self) -> tuple[str, str] | None:
        """(platform, workspace id) as the repositories filter by it; None for the whole program."""
        if self.platform is None:
            return None
        return (self.platform, str(self.workspace_id))

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


def admin_scope_of(config: ProgramConfig, user: UserRef) -> AdminScope | None:
    """What `user` may see as an admin, or None when they are no admin here: an entry must name
    them in this very workspace or tenant, not just by a user id another workspace may reuse."""
    homes = config.home_workspaces
    matching = [
        entry
        for entry in admin_entries(config.admins)
        if entry.names(user.platform, user.workspace_id, user.user_id, homes)
    ]
    if not matching:
        return None
    if any(e.org_wide for e in matching):
        return EVERYTHING
    return AdminScope(user.platform, user.workspace_id)


@dataclass
class Ctx:
    uow: UnitOfWork
    now: datetime
    config: ProgramConfig
    chats: Mapping[str, ChatPort]
    matcher: Matcher
    prompts: PromptSuggester
    resources: ResourceLibrary | None = None
    """Where learning resources come from; None sends none."""
    outbox: Outbox = field(init=False)
    _configs: dict[tuple[str, str], ProgramConfig] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.uow, self.now)

    async def config_for(self, where: UserRef | tuple[str, str]) -> ProgramConfig:
        """The program's rules for a person's workspace or tenant (or a `(platform, workspace_id)`):
        the deployment's defaults overlaid with what that workspace's admins changed in chat."""
        key = (where.platform, where.workspace_id) if isinstance(where, UserRef) else where
        found = self._configs.get(key)
        if found is None:
            stored = await self.uow.program_settings.get(*key)
            found = self._configs[key] = self.config.overlaid(key[0], stored)
        return found

    def local_today(self, person: Participant) -> date:
        """The date on the person's own calendar: pauses end and check-ins fall by local time."""
        return local_time(self.now, person.timezone).date()

    def local_week(self, person: Participant) -> str:
        """The person's ISO week by their own calendar: check-ins and their prompts are kept by it."""
        return iso_week(self.local_today(person))

    def available(self, person: Participant) -> bool:
        return person.is_available(self.local_today(person))

    def admin_scope(self, user: UserRef) -> AdminScope | None:
        return admin_scope_of(self.config, user)

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
        """The deployment's stories channel on `platform`; `story_channel` is a workspace's own."""
        return self.config.values(platform).stories_channel

    async def story_channel(self, user: UserRef) -> str | None:
        """Where `user`'s workspace posts success stories, as its admins set it (or the default)."""
        return (await self.config_for(user)).values(user.platform).stories_channel

    async def help_recipients(self, user: UserRef) -> list[Destination]:
        """Everyone who receives `user`'s help requests: their workspace's admins and its help contact."""
        found = [Destination.dm(admin) for admin in self.admins_of(user)]
        config = await self.config_for(user)
        if config.help_person:
            contact = Destination.dm(UserRef(user.platform, user.workspace_id, config.help_person))
            if contact not in found:
                found.append(contact)
        if config.help_channel:
            found.append(Destination.channel(user.platform, user.workspace_id, config.help_channel))
        return found

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
