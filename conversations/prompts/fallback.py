"""Try the personalised suggester, fall back to the library: a pair always gets prompts."""

from __future__ import annotations

import logging

from conversations.ports import PairContext, PromptSet, PromptSuggester
from conversations.prompts.sanitise import sanitise_prompt_set

logger = logging.getLogger(__name__)

MIN_PROMPTS = 2


class FallbackSuggester:
    """Any failure of the primary (outage, timeout, open circuit, nonsense) means library prompts.

    Whatever comes back is sanitised once more here, so no suggester can put a mention or a link in
    front of users even if it forgets to clean its own output.
    """

    def __init__(self, primary: PromptSuggester, library: PromptSuggester) -> None:
        self._primary = primary
        self._library = library

    async def suggest(self, context: PairContext) -> PromptSet:
        if not context.use_model:  # the workspace's admins turned the LLM off for its pairs
            return sanitise_prompt_set(await self._library.suggest(context))
        try:
            suggested = sanitise_prompt_set(await self._primary.suggest(context))
        except Exception as error:  # noqa: BLE001 - every failure has the same remedy
            logger.info(
                "prompt suggester failed for pairing %s, using the library: %r", context.pairing_id, error
            )
        else:
            if len(suggested.prompts) >= MIN_PROMPTS and suggested.task:
                return suggested
            logger.info(
                "prompt suggester gave too little for pairing %s, using the library", context.pairing_id
            )
        return sanitise_prompt_set(await self._library.suggest(context))

    async def aclose(self) -> None:
        """Close the primary's connections, if it holds any (the LLM client does)."""
        close = getattr(self._primary, "aclose", None)
        if close is not None:
            await close()
