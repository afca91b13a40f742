"""One replica of the bot as a deployment runs it: the engine with the real Slack and Teams chat ports,
pointed at the fake platforms, over a store of its own choosing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.slack.chat import Pacing, SlackChat, build_web_client
from adapters.teams.app import TeamsIntegration
from adapters.teams.resilience import PacingPolicy, RetryPolicy
from bot.settings import Settings
from conversations.app import Mentorbot
from conversations.ports import Clock, PairContext, PromptSet, UnitOfWorkFactory
from conversations.sender import SenderOptions
from conversations.services.context import ProgramConfig
from tests.integration.delivery.seeding import SLACK_TOKEN
from tests.support.greedy_matcher import GreedyMatcher


class QuickPrompts:
    async def suggest(self, context: PairContext) -> PromptSet:
        return PromptSet(
            ("What tool saved you time this week?",), "Draft an update with an AI assistant.", "library"
        )


@dataclass
class Replica:
    bot: Mentorbot
    slack: SlackChat
    teams: Any


def build_replica(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    slack_url: str,
    *,
    rate: float,
    options: SenderOptions | None = None,
    prompts: Any = None,
    teams_retry: RetryPolicy | None = None,
) -> Replica:
    """`rate`: the requests per second each adapter allows itself per workspace or tenant."""
    slack = SlackChat(build_web_client(SLACK_TOKEN, slack_url), Pacing(messages_per_second=rate))
    teams = TeamsIntegration(
        Settings(),  # no app id: the emulator's unauthenticated connector calls, as the fake expects
        uow_factory,
        pacing=PacingPolicy(per_tenant_per_second=rate),
        retry=teams_retry or RetryPolicy(attempts=5, initial_wait=0.05, max_wait=5.0),
    ).chat
    bot = Mentorbot(
        uow_factory,
        clock,
        GreedyMatcher(),
        prompts or QuickPrompts(),
        ProgramConfig(),
        {"slack": slack, "teams": teams},
        sender_options=options,
    )
    return Replica(bot, slack, teams)
