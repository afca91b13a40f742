import asyncio
from dataclasses import replace

import pytest

from conversations.ports import PairContext, PromptSet
from conversations.prompts import (
    FallbackSuggester,
    LibrarySuggester,
    prepare_weekly_prompts,
    prompts_for_fanout,
)
from tests.support.stores import TestStore
from tests.unit.prompts.contexts import ai_curious_leader, blank_pair, data_minded_pair

WEEK = "2025-W10"


class CountingSuggester:
    """Records calls and the most requests ever in flight at once."""

    def __init__(self, fail_for: frozenset[str] = frozenset()) -> None:
        self.calls: list[str] = []
        self.in_flight = 0
        self.peak = 0
        self.fail_for = fail_for

    async def suggest(self, context: PairContext) -> PromptSet:
        self.calls.append(context.pairing_id)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            if context.pairing_id in self.fail_for:
                raise RuntimeError("boom")
            return PromptSet(
                prompts=(f"Mentor: prompt for {context.pairing_id}", "Leader: another one"),
                task=f"Task for {context.week}",
                source="llm",
            )
        finally:
            self.in_flight -= 1


def pairs(count: int) -> list[PairContext]:
    return [blank_pair(pairing_id=f"p{i}", week=WEEK) for i in range(count)]


async def stored_pairs() -> TestStore:
    """A store holding every pairing these tests prepare prompts for (the cache keys on them)."""
    store = TestStore()
    await store.add_pairings(*(f"p{i}" for i in range(50)), "pair-ai", "pair-data", "pair-blank")
    return store


async def cached(store: TestStore, pairing_id: str, week: str = WEEK) -> PromptSet | None:
    async with store() as uow:
        return await uow.prompt_cache.get(pairing_id, week)


async def test_every_pair_gets_cached_prompts_with_bounded_concurrency() -> None:
    store, suggester = await stored_pairs(), CountingSuggester()
    report = await prepare_weekly_prompts(store, suggester, pairs(50), WEEK, concurrency=4, batch_size=7)
    assert report.pairs == 50 and report.prepared == 50 and report.from_llm == 50
    assert report.already_cached == 0 and report.failed == 0
    assert suggester.peak == 4
    assert sorted(suggester.calls) == sorted(f"p{i}" for i in range(50))
    for i in range(50):
        found = await cached(store, f"p{i}")
        assert found is not None and found.prompts[0] == f"Mentor: prompt for p{i}"


async def test_a_second_run_calls_nothing_for_pairs_already_cached() -> None:
    store = await stored_pairs()
    await prepare_weekly_prompts(store, CountingSuggester(), pairs(10), WEEK)
    again = CountingSuggester()
    report = await prepare_weekly_prompts(store, again, pairs(12), WEEK)
    assert again.calls == ["p10", "p11"]
    assert report.already_cached == 10 and report.prepared == 2


async def test_duplicate_pairs_are_prepared_once() -> None:
    store, suggester = await stored_pairs(), CountingSuggester()
    report = await prepare_weekly_prompts(store, suggester, pairs(3) + pairs(3), WEEK)
    assert len(suggester.calls) == 3 and report.pairs == 3


async def test_contexts_are_prepared_for_the_week_asked() -> None:
    store, suggester = await stored_pairs(), CountingSuggester()
    await prepare_weekly_prompts(store, suggester, [blank_pair(week="2025-W09")], WEEK)
    found = await cached(store, "pair-blank")
    assert found is not None and found.task == f"Task for {WEEK}"
    assert await cached(store, "pair-blank", "2025-W09") is None


async def test_one_failing_pair_does_not_stop_the_others() -> None:
    store, suggester = await stored_pairs(), CountingSuggester(fail_for=frozenset({"p3"}))
    report = await prepare_weekly_prompts(store, suggester, pairs(6), WEEK, concurrency=2)
    assert report.failed == 1 and report.prepared == 5
    assert await cached(store, "p3") is None
    assert await cached(store, "p4") is not None


async def test_with_the_fallback_chain_a_broken_primary_still_fills_the_cache() -> None:
    store = await stored_pairs()
    library = LibrarySuggester()
    chain = FallbackSuggester(CountingSuggester(fail_for=frozenset({"pair-ai"})), library)
    report = await prepare_weekly_prompts(store, chain, [ai_curious_leader(), data_minded_pair()], WEEK)
    assert report.from_library == 1 and report.from_llm == 1 and report.failed == 0
    assert await cached(store, "pair-ai") == library.choose(ai_curious_leader())


async def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        await prepare_weekly_prompts(await stored_pairs(), CountingSuggester(), pairs(1), WEEK, concurrency=0)


async def test_fanout_reads_the_cache_and_never_calls_a_suggester() -> None:
    store, library = await stored_pairs(), LibrarySuggester()
    await prepare_weekly_prompts(store, CountingSuggester(), pairs(2), WEEK)
    async with store() as uow:
        hit = await prompts_for_fanout(uow, library, blank_pair(pairing_id="p1"))
        miss = await prompts_for_fanout(uow, library, blank_pair(pairing_id="late-pair"))
    assert hit.source == "llm" and hit.prompts[0] == "Mentor: prompt for p1"
    assert miss == library.choose(blank_pair(pairing_id="late-pair"))
    assert await cached(store, "late-pair") is None


async def test_fresh_prompts_differ_from_the_ones_already_shown() -> None:
    store, library = await stored_pairs(), LibrarySuggester()
    context = ai_curious_leader()
    await prepare_weekly_prompts(store, library, [context], WEEK)
    before = await cached(store, "pair-ai")
    assert before is not None
    fresh = await library.suggest(replace(context, recent_prompts=(*before.prompts, before.task)))
    assert not set(before.prompts) & set(fresh.prompts)
    assert fresh.task != before.task
    again = await library.suggest(
        replace(context, recent_prompts=(*before.prompts, before.task, *fresh.prompts))
    )
    assert not set(again.prompts) & (set(before.prompts) | set(fresh.prompts))
