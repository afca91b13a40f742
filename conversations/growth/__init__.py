"""Growth: development paths (a few milestones per person for a round, from an LLM or a curated
library), and learning resources (a vetted catalogue of links, and the weekly picks made from it)."""

from conversations.growth.catalogue import LibraryPathSuggester, PathLibrary, load_path_library
from conversations.growth.fallback import FallbackPathSuggester
from conversations.growth.sanitise import MAX_MILESTONES, MIN_MILESTONES, clean_milestones

__all__ = [
    "MAX_MILESTONES",
    "MIN_MILESTONES",
    "FallbackPathSuggester",
    "LibraryPathSuggester",
    "PathLibrary",
    "clean_milestones",
    "load_path_library",
]
