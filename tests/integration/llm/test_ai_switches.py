"""An admin turns each AI feature off for their workspace from the settings form: after that none of
its people's data reaches the model, and the workspace gets what a deployment without a model gets.
The engine and the LLM adapters run against the fake OpenAI-compatible server over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.llm import OpenAIEmbedder, build_prompt_suggester
from conversations.prompts import FallbackSuggester
from tests.integration.llm.conftest import API_KEY
from tests.integration.llm.test_meaning_matching import MEANINGS, WHY_BEN_AND_LEE, preview, program
from tests.integration.llm.test_openai_suggester import llm_settings
from tests.support.fake_llm import FakeOpenAI, MeaningClusters
from tests.unit.engine_harness import Harness, pair_lea_and_max
from tests.unit.test_program_settings import change

_opened: list[OpenAIEmbedder | FallbackSuggester] = []


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while _opened:
        await _opened.pop().aclose()


def embedder(fake: FakeOpenAI) -> OpenAIEmbedder:
    fake.embedding = MeaningClusters(MEANINGS)
    made = OpenAIEmbedder.connect(API_KEY, fake.base_url, "fake-embeddings", timeout=5.0, max_retries=0)
    _opened.append(made)
    return made


def llm_prompts(fake: FakeOpenAI) -> FallbackSuggester:
    made = build_prompt_suggester(llm_settings(fake))
    assert isinstance(made, FallbackSuggester)
    _opened.append(made)
    return made


async def test_meaning_matching_switched_off_sends_no_term_and_matches_on_vocabulary(
    fake: FakeOpenAI,
) -> None:
    h = await program(Harness(embedder=embedder(fake)))
    assert WHY_BEN_AND_LEE in await preview(h)  # on by default
    asked = len(fake.embedding_requests)
    await h.join("cat", "leader", goals=("Spreadsheet wizardry",), skills=("Pricing",), level="5")
    await change(h, ai_matching="off")
    switched_off = await preview(h)
    assert len(fake.embedding_requests) == asked  # the new term was never sent
    plain = await program(Harness())
    await plain.join("cat", "leader", goals=("Spreadsheet wizardry",), skills=("Pricing",), level="5")
    assert switched_off == await preview(plain)
    await change(h, ai_matching="on")
    await preview(h)
    assert len(fake.embedding_requests) == asked + 1
    assert fake.embedding_requests[-1].body["input"] == ["spreadsheet wizardry"]


async def test_ai_prompts_switched_off_give_library_prompts_and_send_nothing(fake: FakeOpenAI) -> None:
    h = await pair_lea_and_max(Harness(prompts=llm_prompts(fake)))  # type: ignore[arg-type]
    await change(h, ai_prompts="off")
    reply = await h.say("lea", "prompts")
    assert reply.message is not None and reply.message.fields
    assert fake.requests == []
    await change(h, ai_prompts="on")
    await h.click(
        "lea", *next((b.action_id, b.value) for b in reply.message.buttons if b.label == "Fresh ideas")
    )
    assert len(fake.requests) == 1  # on again: the next ideas are asked of the model


async def test_the_switches_refuse_anything_but_on_or_off(fake: FakeOpenAI) -> None:
    h = Harness()
    reply = await change(h, ai_prompts="maybe")
    assert reply.form_errors == {"ai_prompts": "Choose on or off."}
