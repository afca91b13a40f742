"""Pick the prompt suggester from settings: the LLM with the library behind it, or the library alone."""

from __future__ import annotations

import logging
from typing import Protocol

from adapters.llm.embeddings import OpenAIEmbedder
from adapters.llm.insights_writer import OpenAIInsightsWriter
from adapters.llm.openai_suggester import DEFAULT_MODEL, OpenAISuggester
from adapters.llm.path_suggester import OpenAIPathSuggester
from adapters.llm.resource_ranker import OpenAIResourceRanker
from conversations.growth import FallbackPathSuggester, LibraryPathSuggester
from conversations.ports import PathSuggester, PromptSuggester
from conversations.prompts.fallback import FallbackSuggester
from conversations.prompts.library_suggester import LibrarySuggester

logger = logging.getLogger(__name__)


class LLMSettings(Protocol):
    """The part of the bot's settings this adapter reads (OPENAI_API_KEY, OPENAI_BASE_URL, MENTORBOT_LLM_MODEL,
    MENTORBOT_EMBEDDING_MODEL)."""

    @property
    def openai_api_key(self) -> str | None: ...

    @property
    def openai_base_url(self) -> str | None: ...

    @property
    def llm_model(self) -> str: ...

    @property
    def embedding_model(self) -> str | None: ...


def build_openai_suggester(settings: LLMSettings, library: LibrarySuggester | None = None) -> OpenAISuggester:
    """The LLM suggester alone; wrap it in `FallbackSuggester` so failures reach the library."""
    if not settings.openai_api_key:
        raise ValueError("OPENAI_API_KEY is not set")
    return OpenAISuggester.connect(
        settings.openai_api_key,
        settings.openai_base_url,
        settings.llm_model or DEFAULT_MODEL,
        library=library or LibrarySuggester(),
    )


def build_prompt_suggester(settings: LLMSettings, library: LibrarySuggester | None = None) -> PromptSuggester:
    """The suggester the bot runs with. No key, no network: every pair still gets curated prompts."""
    library = library or LibrarySuggester()
    if not settings.openai_api_key:
        logger.info("no OPENAI_API_KEY: discussion prompts come from the curated library")
        return library
    logger.info(
        "discussion prompts from model %s, curated library as fallback", settings.llm_model or DEFAULT_MODEL
    )
    return FallbackSuggester(build_openai_suggester(settings, library), library)


def build_insights_writer(settings: LLMSettings) -> OpenAIInsightsWriter | None:
    """The LLM that summarises `insights`' figures, or None (no key): the figures alone."""
    if not settings.openai_api_key:
        return None
    return OpenAIInsightsWriter.connect(
        settings.openai_api_key, settings.openai_base_url, settings.llm_model or DEFAULT_MODEL
    )


def build_resource_ranker(settings: LLMSettings) -> OpenAIResourceRanker:
    """The LLM that reorders each person's resource shortlist; ids only, the catalogue gives the links."""
    if not settings.openai_api_key:
        raise ValueError("OPENAI_API_KEY is not set")
    return OpenAIResourceRanker.connect(
        settings.openai_api_key, settings.openai_base_url, settings.llm_model or DEFAULT_MODEL
    )


def build_term_embedder(settings: LLMSettings) -> OpenAIEmbedder | None:
    """The embeddings model on the same server, or None (no key, or no model named): vocabulary only."""
    if not settings.openai_api_key or not settings.embedding_model:
        return None
    logger.info("meaning-based matching with embeddings model %s", settings.embedding_model)
    return OpenAIEmbedder.connect(settings.openai_api_key, settings.openai_base_url, settings.embedding_model)


def build_path_suggester(settings: LLMSettings) -> PathSuggester:
    """Development paths from the LLM with the library behind it, or from the library alone (no key)."""
    library = LibraryPathSuggester()
    if not settings.openai_api_key:
        return library
    llm = OpenAIPathSuggester.connect(
        settings.openai_api_key, settings.openai_base_url, settings.llm_model or DEFAULT_MODEL
    )
    return FallbackPathSuggester(llm, library)
