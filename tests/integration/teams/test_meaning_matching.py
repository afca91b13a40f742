"""Meaning-based matching as Teams members see it: they join through the card in their own words, the
admin's `pair` asks the embeddings model (a fake OpenAI-compatible server over HTTP), and each
introduction card says which of their words are close."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.llm import OpenAIEmbedder
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from tests.integration.teams.conftest import TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    all_valid,
    click,
    dm_conversation,
    install_everyone,
    pair_and_introduce,
    say,
    submit_data,
)
from tests.support.fake_llm import FakeOpenAI, MeaningClusters, RunningFake

GOAL, SKILL = "Automating monthly reports", "Python scripting"
WHY = f"'{GOAL}' is close to what Mo Mentor offers: '{SKILL}'."


@pytest.fixture
async def embeddings() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(
        embedding=MeaningClusters({DEFAULT_VOCABULARY.canonical(t): "automation" for t in (GOAL, SKILL)})
    )
    running = RunningFake(fake)
    await running.start()
    yield fake
    await running.stop()


async def join_in_own_words(
    bot: TeamsBot, user_id: str, role: str, skill: str, goal: str, level: str
) -> None:
    form = await say(bot, user_id, "join")
    answers = {
        "role": role,
        "skills_other": skill,
        "learning_goals_other": goal,
        "department": "Finance" if role == "leader" else "Engineering",
        "seniority": level,
        "timezone": "Europe/London",
    }
    status, replies = await click(bot, user_id, form, submit_data(form, answers))
    assert status == 200 and replies


async def test_each_introduction_card_says_which_words_are_close_in_meaning(
    teams_bot: TeamsBot, embeddings: FakeOpenAI
) -> None:
    model = OpenAIEmbedder.connect("key", embeddings.base_url, "fake-embeddings", timeout=5.0)
    teams_bot.engine.embedder = model
    try:
        await install_everyone(teams_bot)
        await join_in_own_words(teams_bot, LEADER, "leader", "Hiring", GOAL, "5")
        await join_in_own_words(teams_bot, MENTOR, "mentor", SKILL, "Pricing", "1")
        summary = await pair_and_introduce(teams_bot)
        assert WHY in summary.card_text or WHY in summary.activity.get("text", "")
        for user_id in (LEADER, MENTOR):
            intro = next(
                s for s in teams_bot.framework.sent_to(dm_conversation(user_id)) if "Meet your" in s.card_text
            )
            assert WHY in intro.card_text
        all_valid(teams_bot)
        assert len(embeddings.embedding_requests) == 1
    finally:
        await model.aclose()
