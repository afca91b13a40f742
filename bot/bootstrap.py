"""The one place that picks concrete adapters and wires them to the engine."""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.settings import Settings
from conversations.app import Mentorbot
from conversations.clock import SystemClock
from conversations.domain import UserRef
from conversations.events import InboundEvent
from conversations.growth import LibraryPathSuggester
from conversations.growth.picks import ResourceLibrary
from conversations.growth.ranking import ResourceRanker
from conversations.growth.resource_catalogue import load_catalogue
from conversations.matching import Candidate, Matcher, MatchResult, MatchRules, Progress, TermVectors
from conversations.messages import OutgoingMessage, Reply
from conversations.platform_ids import admin_entries, bare_entries
from conversations.ports import Clock, InsightsWriter, PathSuggester, PromptSuggester, TermEmbedder
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.sender import SenderOptions
from conversations.services.context import NudgeRules, ProgramConfig
from storage.database import Database

logger = logging.getLogger(__name__)


def program_config(settings: Settings) -> ProgramConfig:
    homes = {"teams": settings.microsoft_app_tenant_id} if settings.microsoft_app_tenant_id else {}
    bare_teams = [e for e in bare_entries(admin_entries(settings.admins), "teams") if e.platform == "teams"]
    if bare_teams and "teams" not in homes:
        logger.warning(
            "MENTORBOT_ADMINS has Teams ids without a tenant and MICROSOFT_APP_TENANT_ID is not set: they "
            "count in every tenant; write teams:TENANT-ID/29:… to limit each to its tenant"
        )
    return ProgramConfig(
        admins=settings.admins,
        home_workspaces=homes,
        stories_channel=settings.stories_channel,
        cycle_weeks=settings.cycle_weeks,
        checkin_weekday=settings.checkin_weekday,
        checkin_time=settings.checkin_time,
        match_rules=MatchRules(
            mentor_capacity=settings.mentor_capacity,
            reporting_depth=settings.reporting_depth,
            min_seniority_gap=settings.min_seniority_gap,
            min_overlap_hours=float(settings.min_overlap_hours),
            repeat_lookback_cycles=settings.repeat_lookback_rounds,
        ),
        next_round_after=timedelta(days=settings.next_round_days) if settings.next_round_days else None,
        nudges=NudgeRules(
            no_meeting_after=timedelta(days=settings.nudge_no_meeting_days),
            goals_missing_after=timedelta(days=settings.nudge_goals_days),
            checkin_unanswered_after=timedelta(hours=settings.nudge_checkin_hours),
        ),
        ground_rules=settings.ground_rules,
        help_contact_text=settings.help_contact_text,
    )


def sender_options(settings: Settings) -> SenderOptions:
    return SenderOptions(
        in_flight_per_workspace=settings.delivery_in_flight,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
    )


class OptimalMatcherOnFirstUse:
    """The optimal matcher, imported when a round is first matched: numpy and scipy weigh about 65 MB,
    which a serving replica that never runs a round should not carry."""

    def match(
        self,
        candidates: Sequence[Candidate],
        rules: MatchRules,
        progress: Progress | None = None,
        meanings: TermVectors | None = None,
    ) -> MatchResult:
        from conversations.matching.optimal import OptimalMatcher

        return OptimalMatcher().match(candidates, rules, progress, meanings)


def build_matcher() -> Matcher:
    return OptimalMatcherOnFirstUse()


def prompt_suggester(settings: Settings) -> PromptSuggester:
    """The curated library alone without a key; the LLM adapter (and the openai package) only with one."""
    if not settings.llm_enabled:
        return LibrarySuggester()
    from adapters.llm import build_prompt_suggester

    return build_prompt_suggester(settings)


def path_suggester(settings: Settings) -> PathSuggester:
    """Development paths from the curated library without a key; from the LLM, library behind, with one."""
    if not settings.llm_enabled:
        return LibraryPathSuggester()
    from adapters.llm import build_path_suggester

    return build_path_suggester(settings)


def resource_ranker(settings: Settings) -> ResourceRanker | None:
    """The LLM reorders each person's resource shortlist when a key is set; otherwise the picks stand."""
    if not settings.llm_enabled:
        return None
    from adapters.llm import build_resource_ranker

    return build_resource_ranker(settings)


def term_embedder(settings: Settings) -> TermEmbedder | None:
    """The embeddings model for meaning-based matching, only with a key and MENTORBOT_EMBEDDING_MODEL."""
    if not settings.embeddings_enabled:
        return None
    from adapters.llm import build_term_embedder

    return build_term_embedder(settings)


def insights_writer(settings: Settings) -> InsightsWriter | None:
    """The LLM that summarises an admin's `insights`, only with a key; the figures alone without."""
    if not settings.llm_enabled:
        return None
    from adapters.llm import build_insights_writer

    return build_insights_writer(settings)


@dataclass
class Container:
    settings: Settings
    database: Database
    bot: Mentorbot
    clock: Clock
    integrations: list[Any] = field(default_factory=list)
    slack_home: SlackHomeWorkspace | None = None
    """Set once Slack serves here: it learns the workspace of the bot's token."""

    async def close(self) -> None:
        for integration in reversed(self.integrations):
            close = getattr(integration, "close", None)
            if close is not None:
                await close()
        for model_client in (
            self.bot.prompts,
            self.bot.embedder,
            self.bot.insights_writer,
            self.bot.paths,
            self.bot.resource_ranker,
        ):
            close_client = getattr(model_client, "aclose", None)
            if close_client is not None:
                await close_client()
        await self.database.dispose()


def build_container(
    settings: Settings, clock: Clock | None = None, database: Database | None = None
) -> Container:
    database = database or Database(settings.database_url)
    clock = clock or SystemClock()
    bot = Mentorbot(
        uow_factory=database.unit_of_work,
        clock=clock,
        matcher=build_matcher(),
        prompts=prompt_suggester(settings),
        config=program_config(settings),
        sender_options=sender_options(settings),
        embedder=term_embedder(settings),
        insights_writer=insights_writer(settings),
        paths=path_suggester(settings),
        resources=ResourceLibrary(load_catalogue(settings.resources_file)),
        resource_ranker=resource_ranker(settings),
    )
    return Container(settings, database, bot, clock)


async def connect_platforms(container: Container, web_app: Any | None = None) -> None:
    """Register a chat port for every platform with credentials; with a web app, serve their routes too.

    Without a web app (`mentorbot tick`, `pair`) only the outbound side is needed: the chat ports.
    Teams is connected either way, as `serve` always serves it: in emulator mode its messages still
    go out to the (local) serviceUrls people wrote from, and a tick must deliver them too.
    """
    settings = container.settings
    if settings.slack_enabled:
        await _connect_slack(container, web_app)
    _connect_teams(container, web_app)
    freeze_startup_objects()


async def help_warnings(container: Container) -> list[str]:
    """Where a help request would reach nobody. Bare Slack admin ids count in the workspace of the
    bot's token, so that workspace is learned first (one auth.test, which Slack's front end caches)."""
    if container.slack_home is not None:
        try:
            await container.slack_home.learn()
        except Exception:  # noqa: BLE001 - a warning at start must never stop the bot from serving
            logger.warning("could not ask Slack which workspace the bot's token belongs to", exc_info=True)
    return await container.bot.help_warnings()


def freeze_startup_objects() -> None:
    """Move everything made at start (imported modules, the wiring) out of the garbage collector's sight.

    Those objects live as long as the process; left in place, every full collection scans hundreds of
    thousands of them again, which in a tick enqueuing 20,000 check-ins cost over a second.
    """
    gc.collect()
    gc.freeze()


def _connect_teams(container: Container, web_app: Any | None) -> None:
    """Teams is always served; without MICROSOFT_APP_ID it runs unauthenticated for a local emulator."""
    from adapters.teams.app import TeamsIntegration
    from adapters.teams.resilience import PacingPolicy
    from adapters.teams.threads import use_request_threads

    # One thread per send the sender keeps in flight per tenant, and some for replies to people.
    use_request_threads(container.settings.delivery_in_flight + 8)
    teams = TeamsIntegration(
        container.settings,
        container.database.unit_of_work,
        pacing=PacingPolicy(per_tenant_per_second=container.settings.teams_requests_per_second),
    )
    container.bot.register_chat(teams.chat)
    if web_app is not None:
        teams.attach(web_app, container.bot)


class SlackHomeWorkspace:
    """Stands in front of the engine for Slack events and tells it, before the first one, which
    workspace the bot's token lives in: bare Slack admin ids count there and nowhere else.

    The workspace comes from the front end's own auth.test, which Bolt has already run (and cached) to
    authorise the request, so this costs no call to Slack.
    """

    def __init__(self, bot: Mentorbot) -> None:
        self.bot = bot
        self.front_end: Any = None
        self._settled = False

    async def handle(self, event: InboundEvent) -> Reply | None:
        if not self._settled and self.front_end is not None:
            await self.learn()
        return await self.bot.handle(event)

    async def home(self, user: UserRef) -> list[OutgoingMessage]:
        return await self.bot.home(user)

    async def learn(self) -> None:
        authorization = await self.front_end._authorize()
        self._settled = True
        if authorization.team_id:
            self.bot.learn_home_workspace("slack", authorization.team_id)
            return
        # An Enterprise Grid org-wide install has no single workspace: bare ids then count nowhere.
        logger.warning(
            "the Slack token belongs to no single workspace (org %s): bare Slack admin ids count nowhere; "
            "write slack:T…/U… or slack:*/W… in MENTORBOT_ADMINS",
            authorization.enterprise_id,
        )


async def _connect_slack(container: Container, web_app: Any | None) -> None:
    settings = container.settings
    assert settings.slack_bot_token and settings.slack_signing_secret
    if web_app is None:  # tick, pair, export: send only; never take inbound events meant for `serve`
        from adapters.slack.chat import Pacing, SlackChat, build_web_client

        client = build_web_client(settings.slack_bot_token, settings.slack_api_url)
        container.bot.register_chat(
            SlackChat(client, Pacing(messages_per_second=settings.slack_messages_per_second))
        )
        return
    from adapters.slack.app import SlackConfig, SlackFrontEnd
    from adapters.slack.chat import Pacing
    from adapters.slack.serving import attach_slack, start_socket_mode

    home = SlackHomeWorkspace(container.bot)
    front_end = SlackFrontEnd(
        home,
        SlackConfig(
            bot_token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret,
            api_url=settings.slack_api_url,
            app_token=settings.slack_app_token,
            pacing=Pacing(messages_per_second=settings.slack_messages_per_second),
        ),
    )
    home.front_end = front_end
    container.slack_home = home
    container.bot.register_chat(front_end.chat)
    container.integrations.append(front_end)
    if settings.socket_mode and settings.slack_app_token:
        await start_socket_mode(front_end, settings.slack_app_token)
    elif web_app is not None:
        attach_slack(web_app, front_end)
    logger.info("Slack connected (%s)", "Socket Mode" if settings.socket_mode else "HTTP at /slack/events")
