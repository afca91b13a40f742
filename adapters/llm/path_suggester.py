"""Development paths from the same OpenAI-compatible server as the prompts, with their discipline: a
bounded deadline, a circuit breaker, a JSON schema, and every failure raised so that
`FallbackPathSuggester` gives the library's path instead."""

from __future__ import annotations

import asyncio
import logging

import openai
from openai import AsyncOpenAI

from adapters.llm.answer import _json_object
from adapters.llm.circuit_breaker import CircuitBreaker
from adapters.llm.errors import LLMAnswerInvalid, LLMUnavailable
from adapters.llm.model_client import ModelClient
from adapters.llm.openai_suggester import DEFAULT_MODEL, DEFAULT_TIMEOUT
from adapters.llm.path_request import PATH_SCHEMA, build_path_messages
from conversations.growth.catalogue import LibraryPathSuggester
from conversations.ports import MilestoneSet, PathContext

logger = logging.getLogger(__name__)

MAX_ANSWER_TOKENS = 600


def parse_path_answer(content: str | None) -> MilestoneSet:
    """The milestones as the model wrote them; cleaning and counting are the fallback's job."""
    if not content or not content.strip():
        raise LLMAnswerInvalid("empty answer")
    raw = _json_object(content).get("milestones")
    if not isinstance(raw, list) or not all(isinstance(m, str) for m in raw):
        raise LLMAnswerInvalid("answer has no list of milestones")
    return MilestoneSet(tuple(raw), "llm")


class OpenAIPathSuggester(ModelClient):
    source = "llm"

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str = DEFAULT_MODEL,
        *,
        library: LibraryPathSuggester | None = None,
        breaker: CircuitBreaker | None = None,
        deadline: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(client, model, breaker=breaker, deadline=deadline)
        self._library = library or LibraryPathSuggester()

    async def suggest_path(self, context: PathContext) -> MilestoneSet:
        if not self._breaker.allow():
            raise LLMUnavailable("circuit open")
        examples = self._library.choose(context).milestones
        messages = build_path_messages(context, examples)
        try:
            async with asyncio.timeout(self._deadline):
                completion = await self._client.chat.completions.create(
                    model=self._model,
                    messages=messages,
                    response_format=PATH_SCHEMA,
                    temperature=0.7,
                    max_tokens=MAX_ANSWER_TOKENS,
                )
        except (openai.APIError, TimeoutError) as error:
            self._breaker.record_failure()
            logger.info("LLM path request failed for pairing %s: %r", context.pairing_id, error)
            raise LLMUnavailable(repr(error)) from error
        except BaseException:
            self._breaker.abandon()
            raise
        self._breaker.record_success()
        content = completion.choices[0].message.content if completion.choices else None
        return parse_path_answer(content)
