"""Pick the prompt suggester from settings: the LLM with the library behind it, or the library alone."""

from __future__ import annotations

import logging

from conversations.ports import PromptSuggester
from conversations.prompts.fallback import FallbackSuggester
from conversations.prompts.library_suggester import LibrarySuggester

from adapters.llm.openai_suggester import DEFAULT_MODEL, DEFAULT_TIMEOUT, OpenAISuggester

logger = logging.getLogger(__name__)


def build_prompt_suggester(
    api_key: str | None,
    base_url: str | None = None,
    model: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    library: LibrarySuggester | None = None,
) -> PromptSuggester:
    """No key, no network: every pair still gets curated prompts."""
    library = library or LibrarySuggester()
    if not api_key:
        logger.info("no OPENAI_API_KEY: discussion prompts come from the curated library")
        return library
    llm = OpenAISuggester.connect(api_key, base_url, model or DEFAULT_MODEL, timeout=timeout, library=library)
    logger.info("discussion prompts from model %s, curated library as fallback", model or DEFAULT_MODEL)
    return FallbackSuggester(llm, library)
