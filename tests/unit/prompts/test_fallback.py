import asyncio

import pytest

from conversations.ports import PairContext, PromptSet
from conversations.prompts import FallbackSuggester, LibrarySuggester
from tests.unit.prompts.contexts import ai_curious_leader


class Failing:
    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    async def suggest(self, context: PairContext) -> PromptSet:
        self.calls += 1
        raise self.error


class Fixed:
    def __init__(self, result: PromptSet) -> None:
        self.result = result

    async def suggest(self, context: PairContext) -> PromptSet:
        return self.result


library = LibrarySuggester()


@pytest.mark.parametrize("error", [RuntimeError("down"), TimeoutError(), ValueError("garbage")])
async def test_any_failure_of_the_primary_gives_library_prompts(error: Exception) -> None:
    primary = Failing(error)
    result = await FallbackSuggester(primary, library).suggest(ai_curious_leader())
    assert primary.calls == 1
    assert result == library.choose(ai_curious_leader())


async def test_a_good_answer_is_kept_and_cleaned() -> None:
    answer = PromptSet(
        prompts=("Mentor: show <!channel> a trick", "Leader: share a story <https://x.example.com|here>"),
        task="Try it @everyone",
        source="llm",
        topics=("ai_tools", "leadership"),
    )
    result = await FallbackSuggester(Fixed(answer), library).suggest(ai_curious_leader())
    assert result == PromptSet(
        prompts=("Mentor: show a trick", "Leader: share a story here"),
        task="Try it",
        source="llm",
        topics=("ai_tools", "leadership"),
    )


async def test_an_answer_that_is_empty_once_cleaned_falls_back() -> None:
    answer = PromptSet(
        prompts=("<!channel>", "@everyone", "https://evil.example.com"), task="x", source="llm"
    )
    result = await FallbackSuggester(Fixed(answer), library).suggest(ai_curious_leader())
    assert result.source == "library"


async def test_cancellation_is_not_swallowed() -> None:
    with pytest.raises(asyncio.CancelledError):
        await FallbackSuggester(Failing(asyncio.CancelledError()), library).suggest(ai_curious_leader())
