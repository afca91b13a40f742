"""A small harness around the real engine with fakes: an in-memory SQLite store, manual clock, recording chat."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from adapters.console import ConsoleChat, Sent
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.domain import UserRef
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted
from conversations.messages import Reply
from conversations.ports import InsightsWriter, PairContext, PathSuggester, PromptSet, TermEmbedder
from conversations.services.context import ProgramConfig
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.stores import TestStore

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday morning
ADMIN = "UADMIN"


class FixedPrompts:
    """Records what it was asked so tests can check private notes never reach a suggester."""

    def __init__(self) -> None:
        self.contexts: list[PairContext] = []

    async def suggest(self, context: PairContext) -> PromptSet:
        self.contexts.append(context)
        return PromptSet(
            ("What tool saved you time this week?", "What decision is on your desk?"),
            "Draft an update with an AI assistant.",
            "library",
            topics=("ai_tools", "strategy"),
        )


@dataclass
class Harness:
    store: TestStore = field(default_factory=TestStore)
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    chat: ConsoleChat = field(default_factory=ConsoleChat)
    prompts: FixedPrompts = field(default_factory=FixedPrompts)
    config: ProgramConfig = field(
        default_factory=lambda: ProgramConfig(admins=frozenset({ADMIN}), stories_channel="CSTORIES")
    )
    embedder: TermEmbedder | None = None
    insights_writer: InsightsWriter | None = None
    paths: PathSuggester | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.bot = Mentorbot(
            self.store,
            self.clock,
            GreedyMatcher(),
            self.prompts,
            self.config,
            {"console": self.chat},
            embedder=self.embedder,
            insights_writer=self.insights_writer,
            paths=self.paths,
        )

    def user(self, user_id: str) -> UserRef:
        return UserRef("console", "T1", user_id)

    def event_id(self) -> str:
        return f"ev{next(self._ids)}"

    async def say(self, user_id: str, text: str) -> Reply:
        reply = await self.bot.handle(CommandReceived(self.user(user_id), text, self.event_id()))
        assert reply is not None
        return reply

    async def click(self, user_id: str, action_id: str, value: str) -> Reply:
        reply = await self.bot.handle(ButtonClicked(self.user(user_id), action_id, value, self.event_id()))
        assert reply is not None
        return reply

    async def submit(self, user_id: str, form_id: str, fields: dict, context: str = "") -> Reply:
        reply = await self.bot.handle(
            FormSubmitted(self.user(user_id), form_id, fields, self.event_id(), context)
        )
        assert reply is not None
        return reply

    async def join(
        self,
        user_id: str,
        role: str,
        *,
        skills=("Generative AI",),
        goals=("Company strategy",),
        level: str = "1",
        department: str = "Engineering",
        timezone: str = "Europe/London",
        manager: str = "",
    ) -> Reply:
        self.chat.names.setdefault(user_id, user_id.title())
        opened = (await self.say(user_id, "join")).message
        if opened is None or opened.form is None:
            opened = (await self.say(user_id, "profile")).message
        context = opened.form.context if opened and opened.form else ""
        return await self.submit(
            user_id,
            "join",
            {
                "role": role,
                "skills": list(skills),
                "skills_other": "",
                "learning_goals": list(goals),
                "learning_goals_other": "",
                "department": department,
                "seniority": level,
                "timezone": timezone,
                "manager": manager,
            },
            context=context,
        )

    async def pair_up(self) -> Reply:
        reply = await self.say(ADMIN, "pair")
        await self.bot.jobs.deliver_due()
        return reply

    def sent_to(self, user_id: str) -> list[Sent]:
        return [s for s in self.chat.transcript if user_id in s.recipients]

    def advance(self, **kwargs: float) -> None:
        self.clock.advance(timedelta(**kwargs))


async def paired_harness(group_dm: bool = True) -> Harness:
    """Lea (a leader) and Max (a mentor), joined and paired: where most engine tests start."""
    h = Harness()
    h.chat._group_dm = group_dm
    return await pair_lea_and_max(h)


async def pair_lea_and_max(h: Harness) -> Harness:
    """Lea (a leader of Finance) and Max (a mentor of Engineering), both in London, join `h`'s program
    and are paired."""
    await h.join(
        "lea",
        "leader",
        skills=("Company strategy",),
        goals=("Generative AI",),
        level="5",
        department="Finance",
    )
    await h.join("max", "mentor", skills=("Generative AI",), goals=("Company strategy",), level="1")
    await h.pair_up()
    return h
