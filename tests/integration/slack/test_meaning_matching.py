"""Meaning-based matching as a Slack admin and members see it: people join through the modal with
their own words, `/mentor pair` asks the embeddings model (a fake OpenAI-compatible server over HTTP),
and the introduction in the group DM says which of their words are close."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.llm import OpenAIEmbedder
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.program import LEA, MAX, join, profile_answers
from tests.support.fake_llm import FakeOpenAI, MeaningClusters, RunningFake

GOAL, SKILL = "Automating monthly reports", "Python scripting"


@pytest.fixture
async def embeddings() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(
        embedding=MeaningClusters({DEFAULT_VOCABULARY.canonical(t): "automation" for t in (GOAL, SKILL)})
    )
    running = RunningFake(fake)
    await running.start()
    yield fake
    await running.stop()


async def test_the_introduction_says_which_words_are_close_in_meaning(
    slack: SlackDriver, embeddings: FakeOpenAI
) -> None:
    model = OpenAIEmbedder.connect("key", embeddings.base_url, "fake-embeddings", timeout=5.0)
    slack.engine.embedder = model
    try:
        await join(slack, LEA, profile_answers("leader", ["Hiring"], [GOAL], "5", "Finance"))
        await join(slack, MAX, profile_answers("mentor", [SKILL], ["Pricing"], "1", "Engineering"))
        slack.fake.clear()
        await slack.command(ADMIN, "pair")
        await slack.settle()
        (summary,) = slack.fake.responses
        assert f"'{GOAL}' is close to what Max Mentor offers: '{SKILL}'." in summary["text"]
        await slack.engine.jobs.deliver_due()
        (opened,) = slack.fake.successful("conversations.open")
        group = opened.response["channel"]["id"]
        (intro,) = [c for c in slack.fake.successful("chat.postMessage") if c.args["channel"] == group]
        assert f"'{GOAL}' is close to what Max Mentor offers: '{SKILL}'." in str(intro.args["blocks"])
        assert sorted(embeddings.embedded_texts) == sorted(
            DEFAULT_VOCABULARY.canonical(t) for t in ("Hiring", GOAL, SKILL, "Pricing")
        )
    finally:
        await model.aclose()
