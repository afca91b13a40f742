"""The one place that picks concrete adapters and wires them to the engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings
from conversations.app import Mentorbot
from conversations.clock import SystemClock
from conversations.matching import Matcher, MatchRules
from conversations.ports import Clock, PromptSuggester
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.services.context import ProgramConfig
from storage.database import Database

logger = logging.getLogger(__name__)


def program_config(settings: Settings) -> ProgramConfig:
    return ProgramConfig(
        admins=settings.admins,
        stories_channel=settings.stories_channel,
        cycle_weeks=settings.cycle_weeks,
        checkin_weekday=settings.checkin_weekday,
        checkin_time=settings.checkin_time,
        match_rules=MatchRules(mentor_capacity=settings.mentor_capacity),
    )


def build_matcher() -> Matcher:
    try:
        from conversations.matching.optimal import OptimalMatcher
    except ImportError:
        from conversations.matching.simple import GreedyMatcher

        return GreedyMatcher()
    return OptimalMatcher()


def build_prompt_suggester(settings: Settings) -> PromptSuggester:
    library = LibrarySuggester()
    if not settings.llm_enabled:
        return library
    from adapters.llm import build_openai_suggester
    from conversations.prompts.fallback import FallbackSuggester

    return FallbackSuggester(build_openai_suggester(settings), library)


@dataclass
class Container:
    settings: Settings
    database: Database
    bot: Mentorbot
    clock: Clock
    integrations: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for integration in reversed(self.integrations):
            close = getattr(integration, "close", None)
            if close is not None:
                await close()
        await self.database.dispose()


def build_container(settings: Settings, clock: Clock | None = None, database: Database | None = None) -> Container:
    database = database or Database(settings.database_url)
    clock = clock or SystemClock()
    bot = Mentorbot(
        uow_factory=database.unit_of_work,
        clock=clock,
        matcher=build_matcher(),
        prompts=build_prompt_suggester(settings),
        config=program_config(settings),
    )
    return Container(settings, database, bot, clock)


async def connect_platforms(container: Container, web_app: Any | None = None) -> None:
    """Register a chat port for every platform with credentials; with a web app, add their routes too."""
    return None
