"""Discussion prompts from an OpenAI-compatible LLM, behind a circuit breaker."""

from adapters.llm.circuit_breaker import CircuitBreaker, CircuitState
from adapters.llm.errors import LLMAnswerInvalid, LLMUnavailable
from adapters.llm.factory import LLMSettings, build_openai_suggester, build_prompt_suggester
from adapters.llm.openai_suggester import DEFAULT_MODEL, DEFAULT_TIMEOUT, OpenAISuggester

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT",
    "CircuitBreaker",
    "CircuitState",
    "LLMAnswerInvalid",
    "LLMSettings",
    "LLMUnavailable",
    "OpenAISuggester",
    "build_openai_suggester",
    "build_prompt_suggester",
]
