"""Term embeddings from any OpenAI-compatible server's `/v1/embeddings`, behind a circuit breaker.

One request per batch of terms, bounded by `timeout` (retries included) and skipped altogether while
the circuit is open. The answer is checked before anyone relies on it: one finite vector per term,
all of one dimension. Every failure raises, so the engine matches on the vocabulary alone.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence

import openai
from openai import AsyncOpenAI

from adapters.llm.circuit_breaker import CircuitBreaker
from adapters.llm.errors import LLMAnswerInvalid, LLMUnavailable

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDING_TIMEOUT = 10.0
DEFAULT_EMBEDDING_RETRIES = 1


class OpenAIEmbedder:
    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        breaker: CircuitBreaker | None = None,
        deadline: float = DEFAULT_EMBEDDING_TIMEOUT,
    ) -> None:
        self._client = client
        self._model = model
        self._breaker = breaker or CircuitBreaker()
        self._deadline = deadline

    @classmethod
    def connect(
        cls,
        api_key: str,
        base_url: str | None,
        model: str,
        *,
        timeout: float = DEFAULT_EMBEDDING_TIMEOUT,
        max_retries: int = DEFAULT_EMBEDDING_RETRIES,
        breaker: CircuitBreaker | None = None,
    ) -> OpenAIEmbedder:
        client = AsyncOpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )
        return cls(client, model, breaker=breaker, deadline=timeout)

    @property
    def model(self) -> str:
        return self._model

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    async def aclose(self) -> None:
        await self._client.close()

    async def embed(self, terms: Sequence[str]) -> list[tuple[float, ...]]:
        if not terms:
            return []
        if not self._breaker.allow():
            raise LLMUnavailable("circuit open")
        try:
            async with asyncio.timeout(self._deadline):
                answer = await self._client.embeddings.create(
                    model=self._model, input=list(terms), encoding_format="float"
                )
        except (openai.APIError, TimeoutError) as error:
            self._breaker.record_failure()
            logger.info("embeddings request for %d terms failed: %r", len(terms), error)
            raise LLMUnavailable(repr(error)) from error
        except BaseException:
            self._breaker.abandon()
            raise
        self._breaker.record_success()
        return _vectors(answer.data, len(terms))


def _vectors(data: Sequence[openai.types.Embedding], expected: int) -> list[tuple[float, ...]]:
    by_index = {item.index: item.embedding for item in data}
    if len(data) != expected or sorted(by_index) != list(range(expected)):
        raise LLMAnswerInvalid(f"{len(data)} embeddings for {expected} terms")
    vectors = [tuple(float(x) for x in by_index[k]) for k in range(expected)]
    sizes = {len(v) for v in vectors}
    if len(sizes) != 1 or 0 in sizes:
        raise LLMAnswerInvalid(f"embeddings of dimensions {sorted(sizes)}")
    if not all(math.isfinite(x) for v in vectors for x in v):
        raise LLMAnswerInvalid("an embedding that is not finite")
    return vectors
