"""Personalised prompts from any OpenAI-compatible chat server (OpenAI, gateways, Ollama, vLLM).

The SDK's defaults (600 s timeout, two retries) would let one slow server hold a preparation job for
hours; here a pair costs at most `timeout` seconds, retries included, and the circuit breaker stops
the asking altogether during an outage. Every failure raises, so `FallbackSuggester` can use the
library instead.
"""

from __future__ import annotations

import asyncio
import logging

import openai
from openai import AsyncOpenAI

from adapters.llm.answer import parse_answer
from adapters.llm.circuit_breaker import CircuitBreaker
from adapters.llm.errors import LLMUnavailable
from adapters.llm.request import build_messages
from conversations.ports import PairContext, PromptSet
from conversations.prompts.library_suggester import LibrarySuggester

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_RETRIES = 1
GROUNDING_EXAMPLES = 6
MAX_ANSWER_TOKENS = 700


class OpenAISuggester:
    source = "llm"

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str = DEFAULT_MODEL,
        *,
        library: LibrarySuggester | None = None,
        breaker: CircuitBreaker | None = None,
        deadline: float = DEFAULT_TIMEOUT,
        prompts_per_week: int = 3,
        temperature: float = 0.7,
    ) -> None:
        self._client = client
        self._model = model
        self._library = library
        self._breaker = breaker or CircuitBreaker()
        self._deadline = deadline
        self._per_week = prompts_per_week
        self._temperature = temperature

    @classmethod
    def connect(
        cls,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        library: LibrarySuggester | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> OpenAISuggester:
        """`base_url` None means the SDK's default endpoint (or its own OPENAI_BASE_URL lookup)."""
        client = AsyncOpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )
        return cls(client, model, library=library, breaker=breaker, deadline=timeout)

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    async def aclose(self) -> None:
        await self._client.close()

    def _examples(self, context: PairContext) -> list[str]:
        """Library prompts that suit this pair: they show the model the tone and the level wanted."""
        if self._library is None:
            return []
        return [p.text for p in self._library.choose_prompts(context, count=GROUNDING_EXAMPLES)]

    async def suggest(self, context: PairContext) -> PromptSet:
        if not self._breaker.allow():
            raise LLMUnavailable("circuit open")
        messages = build_messages(context, self._examples(context), self._per_week)
        try:
            async with asyncio.timeout(self._deadline):
                completion = await self._client.chat.completions.create(
                    model=self._model,
                    messages=messages,
                    response_format={"type": "json_object"},
                    temperature=self._temperature,
                    max_tokens=MAX_ANSWER_TOKENS,
                )
        except (openai.APIError, TimeoutError) as error:
            self._breaker.record_failure()
            logger.info("LLM request failed for pairing %s: %r", context.pairing_id, error)
            raise LLMUnavailable(repr(error)) from error
        except BaseException:
            self._breaker.abandon()
            raise
        self._breaker.record_success()
        content = completion.choices[0].message.content if completion.choices else None
        return parse_answer(content, max_prompts=self._per_week)
