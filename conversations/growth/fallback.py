"""Try the LLM, fall back to the library: everyone gets a path, and only a clean one."""

from __future__ import annotations

import logging

from conversations.growth.catalogue import LibraryPathSuggester
from conversations.growth.sanitise import MAX_MILESTONES, MIN_MILESTONES, clean_milestones
from conversations.ports import MilestoneSet, PathContext, PathSuggester

logger = logging.getLogger(__name__)


class FallbackPathSuggester:
    """Any failure of the primary (outage, open circuit, garbage, too few or too many milestones once
    cleaned) means the library's path. What comes back is cleaned here once more, whoever made it."""

    def __init__(self, primary: PathSuggester, library: LibraryPathSuggester | None = None) -> None:
        self._primary = primary
        self._library = library or LibraryPathSuggester()

    async def suggest_path(self, context: PathContext) -> MilestoneSet:
        try:
            offered = await self._primary.suggest_path(context)
        except Exception as error:  # noqa: BLE001 - every failure has the same remedy
            logger.info(
                "path suggester failed for pairing %s, using the library: %r", context.pairing_id, error
            )
        else:
            milestones = clean_milestones(offered.milestones)
            if (
                MIN_MILESTONES <= len(offered.milestones) <= MAX_MILESTONES
                and len(milestones) >= MIN_MILESTONES
            ):
                return MilestoneSet(milestones, offered.source)
            logger.info(
                "path suggester gave an unusable path for pairing %s, using the library", context.pairing_id
            )
        chosen = self._library.choose(context)
        return MilestoneSet(clean_milestones(chosen.milestones), chosen.source)

    async def aclose(self) -> None:
        close = getattr(self._primary, "aclose", None)
        if close is not None:
            await close()
