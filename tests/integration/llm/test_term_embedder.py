"""The embeddings adapter over real HTTP: the `openai` client against the fake server's /v1/embeddings."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import pytest

from adapters.llm import CircuitBreaker, CircuitState, LLMAnswerInvalid, LLMUnavailable, OpenAIEmbedder
from adapters.llm.factory import build_term_embedder
from bot.settings import Settings
from tests.integration.llm.conftest import API_KEY
from tests.support.fake_llm import FakeOpenAI, hashed_vector

_opened: list[OpenAIEmbedder] = []


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while _opened:
        await _opened.pop().aclose()


def embedder(fake: FakeOpenAI, timeout: float = 5.0, breaker: CircuitBreaker | None = None) -> OpenAIEmbedder:
    made = OpenAIEmbedder.connect(
        API_KEY, fake.base_url, "text-embedding-3-small", timeout=timeout, max_retries=0, breaker=breaker
    )
    _opened.append(made)
    return made


async def test_one_vector_per_term_in_order_and_only_the_terms_are_sent(fake: FakeOpenAI) -> None:
    vectors = await embedder(fake).embed(["python scripting", "business planning"])
    assert vectors == [
        pytest.approx(tuple(hashed_vector("python scripting"))),
        pytest.approx(tuple(hashed_vector("business planning"))),
    ]
    (request,) = fake.embedding_requests
    assert request.body == {
        "model": "text-embedding-3-small",
        "input": ["python scripting", "business planning"],
        "encoding_format": "float",
    }
    assert fake.requests == []  # no chat request on the way


async def test_a_server_error_and_a_hung_server_raise_unavailable(fake: FakeOpenAI) -> None:
    fake.embedding_behaviour = fake.status(500)
    with pytest.raises(LLMUnavailable):
        await embedder(fake).embed(["python"])
    fake.embedding_behaviour = fake.hangs()
    with pytest.raises(LLMUnavailable):
        await embedder(fake, timeout=0.3).embed(["python"])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda vs: [vs[0], vs[1][:-1]], id="dimensions differ"),
        pytest.param(lambda vs: [vs[0], [math.nan] * len(vs[1])], id="not a number"),
        pytest.param(lambda vs: vs[:1], id="one missing"),
        pytest.param(lambda vs: [[], []], id="empty"),
    ],
)
async def test_answers_without_one_usable_vector_per_term_are_refused(
    fake: FakeOpenAI, change: object
) -> None:
    fake.embedding_behaviour = fake.embeds_with(change)  # type: ignore[arg-type]
    with pytest.raises(LLMAnswerInvalid):
        await embedder(fake).embed(["python", "sql"])


async def test_the_circuit_opens_after_failures_and_stops_the_asking(fake: FakeOpenAI) -> None:
    fake.embedding_behaviour = fake.status(503)
    breaker = CircuitBreaker(failure_threshold=2, reset_after=60.0)
    client = embedder(fake, breaker=breaker)
    for _ in range(2):
        with pytest.raises(LLMUnavailable):
            await client.embed(["python"])
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(LLMUnavailable):
        await client.embed(["python"])
    assert len(fake.embedding_requests) == 2


def test_no_embedder_without_a_key_or_without_a_model() -> None:
    assert build_term_embedder(Settings(embedding_model="text-embedding-3-small")) is None
    assert build_term_embedder(Settings(openai_api_key="k")) is None
    assert Settings.from_env({"MENTORBOT_EMBEDDING_MODEL": "m", "OPENAI_API_KEY": "k"}).embeddings_enabled
