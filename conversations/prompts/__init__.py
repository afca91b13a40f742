"""Discussion prompts: the curated library, the fallback chain and the weekly preparation."""

from conversations.prompts.catalogue import Library, LibraryPrompt, TogetherTask, load_library
from conversations.prompts.fallback import FallbackSuggester
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.prompts.preparation import (
    PreparationReport,
    prepare_weekly_prompts,
    prompts_for_fanout,
)
from conversations.prompts.sanitise import clean_text, sanitise_prompt_set
from conversations.prompts.steering import topic_preferences
from conversations.prompts.topics import Direction, Topic, classify_topic

__all__ = [
    "Direction",
    "FallbackSuggester",
    "Library",
    "LibraryPrompt",
    "LibrarySuggester",
    "PreparationReport",
    "Topic",
    "TogetherTask",
    "classify_topic",
    "clean_text",
    "load_library",
    "prepare_weekly_prompts",
    "prompts_for_fanout",
    "sanitise_prompt_set",
    "topic_preferences",
]
