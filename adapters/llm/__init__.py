"""Discussion prompts, the insights summary and term embeddings from an OpenAI-compatible server, behind circuit breakers."""

from adapters.llm.circuit_breaker import CircuitBreaker, CircuitState
from adapters.llm.embeddings import OpenAIEmbedder
from adapters.llm.errors import LLMAnswerInvalid, LLMUnavailable
from adapters.llm.factory import (
    LLMSettings,
    build_insights_writer,
    build_openai_suggester,
    build_path_suggester,
    build_prompt_suggester,
    build_resource_ranker,
    build_term_embedder,
)
from adapters.llm.insights_writer import OpenAIInsightsWriter
from adapters.llm.openai_suggester import DEFAULT_MODEL, DEFAULT_TIMEOUT, OpenAISuggester
from adapters.llm.path_suggester import OpenAIPathSuggester
from adapters.llm.resource_ranker import OpenAIResourceRanker

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT",
    "CircuitBreaker",
    "CircuitState",
    "LLMAnswerInvalid",
    "LLMSettings",
    "LLMUnavailable",
    "OpenAIEmbedder",
    "OpenAIInsightsWriter",
    "OpenAIPathSuggester",
    "OpenAIResourceRanker",
    "OpenAISuggester",
    "build_insights_writer",
    "build_openai_suggester",
    "build_path_suggester",
    "build_prompt_suggester",
    "build_resource_ranker",
    "build_term_embedder",
]
