"""A chat model on the OpenAI-compatible server, held with the prompts' discipline: one client per
feature, a deadline for each answer and a circuit breaker that stops asking during an outage. The
features that ask a model something of their own (insights, development paths, resources) share it."""

from __future__ import annotations

from typing import Self

from openai import AsyncOpenAI

from adapters.llm.circuit_breaker import CircuitBreaker
from adapters.llm.openai_suggester import DEFAULT_MAX_RETRIES, DEFAULT_MODEL, DEFAULT_TIMEOUT


class ModelClient:
    def __init__(
        self,
        client: AsyncOpenAI,
        model: str = DEFAULT_MODEL,
        *,
        breaker: CircuitBreaker | None = None,
        deadline: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._client = client
        self._model = model
        self._breaker = breaker or CircuitBreaker()
        self._deadline = deadline

    @classmethod
    def connect(
        cls,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        breaker: CircuitBreaker | None = None,
    ) -> Self:
        client = AsyncOpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )
        return cls(client, model, breaker=breaker, deadline=timeout)

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    async def aclose(self) -> None:
        await self._client.close()
