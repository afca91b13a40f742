"""Later additions to the repository contract: prompt ratings, prompt topics, starting a round once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.domain import PromptRating, UserRef, new_id
from conversations.ports import PromptSet
from tests.integration.storage.conftest import StoreUnderTest, add_parents

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANA = UserRef("slack", "T1", "UANA")
BEN = UserRef("slack", "T1", "UBEN")


def vote(user: UserRef, index: int, value: int, minutes: int = 0, week: str = "2026-W10") -> PromptRating:
    return PromptRating(new_id(), "p1", user, week, index, "ai_tools", value, T0 + timedelta(minutes=minutes))


async def test_one_vote_per_person_prompt_and_week(store: StoreUnderTest) -> None:
    await add_parents(store, (ANA, BEN), ("p1", "p2"))
    async with store.new_unit() as uow:
        assert await uow.prompt_ratings.add(vote(ANA, 0, 1))
        assert not await uow.prompt_ratings.add(vote(ANA, 0, -1, minutes=1))
        assert await uow.prompt_ratings.add(vote(BEN, 0, -1, minutes=2))
        assert await uow.prompt_ratings.add(vote(ANA, 1, 1, minutes=3))
        assert await uow.prompt_ratings.add(vote(ANA, 0, 1, minutes=4, week="2026-W11"))
        await uow.commit()
    async with store.new_unit() as uow:
        found = await uow.prompt_ratings.for_pairing("p1")
        assert [(r.user, r.prompt_index, r.vote, r.week) for r in found] == [
            (ANA, 0, 1, "2026-W10"),
            (BEN, 0, -1, "2026-W10"),
            (ANA, 1, 1, "2026-W10"),
            (ANA, 0, 1, "2026-W11"),
        ]
        assert found[0].created_at == T0 and found[0].topic == "ai_tools"
        assert await uow.prompt_ratings.for_pairing("p2") == []
        await uow.participants.delete(ANA)  # their votes go with them
        await uow.commit()
    async with store.new_unit() as uow:
        assert [r.user for r in await uow.prompt_ratings.for_pairing("p1")] == [BEN]


async def test_prompt_topics_round_trip_through_the_cache(store: StoreUnderTest) -> None:
    await add_parents(store, (ANA, BEN), ("p1", "p2"))
    prompts = PromptSet(("a", "b"), "task", "library", topics=("ai_tools", "strategy"))
    async with store.new_unit() as uow:
        await uow.prompt_cache.save("p1", "2026-W10", prompts)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.prompt_cache.get("p1", "2026-W10") == prompts


async def test_only_one_of_two_units_can_start_the_same_round(store: StoreUnderTest) -> None:
    from conversations.domain import Cycle

    async with store.new_unit() as first:
        assert await first.cycles.start(Cycle(new_id(), 1, T0, 12))
        await first.commit()
    async with store.new_unit() as second:
        assert not await second.cycles.start(Cycle(new_id(), 1, T0, 12))
        assert await second.cycles.start(Cycle(new_id(), 2, T0, 12))
        await second.commit()
    async with store.new_unit() as uow:
        assert [c.number for c in await uow.cycles.list()] == [1, 2]


async def test_two_matchings_of_one_open_round_cannot_both_count(store: StoreUnderTest) -> None:
    from conversations.domain import Cycle

    cycle = Cycle(new_id(), 1, T0, 12, matchings=1)
    async with store.new_unit() as uow:
        assert await uow.cycles.start(cycle)
        await uow.commit()
    async with store.new_unit() as first:
        seen = await first.cycles.latest()
        assert seen is not None and seen.matchings == 1
        assert await first.cycles.begin_matching(seen)
        await first.commit()
    async with store.new_unit() as second:
        assert not await second.cycles.begin_matching(seen)  # read before the first one committed
        fresh = await second.cycles.latest()
        assert fresh is not None and fresh.matchings == 2
        assert await second.cycles.begin_matching(fresh)
        await second.commit()


async def test_old_inbound_event_ids_are_forgotten(store: StoreUnderTest) -> None:
    async with store.new_unit() as uow:
        assert await uow.inbound_events.remember("old", T0)
        assert await uow.inbound_events.remember("new", T0 + timedelta(days=8))
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.inbound_events.forget_before(T0 + timedelta(days=1)) == 1
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.inbound_events.remember("old", T0 + timedelta(days=9))
        assert not await uow.inbound_events.remember("new", T0 + timedelta(days=9))
