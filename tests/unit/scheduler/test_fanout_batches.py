"""The tick's check-in fan-out works in chunks with set-based reads and bulk inserts: every person still
gets exactly one check-in with their pair's prompts, whatever the chunk boundaries, and a second tick
adds nothing."""

from __future__ import annotations

from collections import Counter

import pytest

from conversations import jobs as jobs_module
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.domain import Checkin, ParticipantStatus, new_id
from conversations.ports import PairContext, PromptSet
from conversations.services.context import ProgramConfig
from tests.integration.delivery.seeding import CHECKIN_TICK, person, seed_program
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.stores import TestStore

WEEK = "2026-W10"


class CountingPrompts:
    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.asked: Counter[tuple[str, str]] = Counter()
        self.failing = failing
        """Leader names whose pairs get no prompts (the suggester raises for them)."""

    async def suggest(self, context: PairContext) -> PromptSet:
        self.asked[(context.pairing_id, context.week)] += 1
        if context.leader_name in self.failing:
            raise RuntimeError("the LLM is down")
        return PromptSet((f"An idea for {context.leader_name}",), "A task", "library", topics=("ai_tools",))


async def program(pairs: int, prompts: CountingPrompts) -> tuple[TestStore, Mentorbot]:
    store = TestStore()
    await seed_program(store, pairs, platforms=("slack",))
    bot = Mentorbot(store, ManualClock(CHECKIN_TICK), GreedyMatcher(), prompts, ProgramConfig())
    return store, bot


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three check-ins per chunk: one pair's two people often fall in different chunks."""
    monkeypatch.setattr(jobs_module, "CHECKIN_CHUNK", 3)


@pytest.mark.usefixtures("small_chunks")
async def test_every_person_gets_one_checkin_with_their_pairs_prompts_across_chunks() -> None:
    prompts = CountingPrompts()
    store, bot = await program(7, prompts)

    report = await bot.jobs.enqueue_due()

    assert report.checkins == 14
    pairings = {p.id: p for p in (await store.pairings()).values()}
    assert set(prompts.asked) == {(pid, WEEK) for pid in pairings}
    assert set(prompts.asked.values()) == {1}, "a pair split over two chunks is prepared once"
    checkins = {(c.pairing_id, c.user): c for c in (await store.checkins()).values()}
    assert len(checkins) == 14
    deliveries = {d.idempotency_key: d for d in (await store.deliveries()).values()}
    assert len(deliveries) == 14
    for (pairing_id, user), checkin in checkins.items():
        delivery = deliveries[f"checkin:{pairing_id}:{WEEK}:{user.key}"]
        assert delivery.destination.users == (user.user_id,)
        assert delivery.created_at == delivery.not_before == CHECKIN_TICK
        message = delivery.message
        leader = pairings[pairing_id].leader
        assert message["fields"][0][1] == {
            "items": [f"An idea for Person {leader.user_id}"],
            "numbered": False,
        }
        answers = [b["value"] for b in message["buttons"] if b["action_id"] == "checkin_answer"]
        assert answers and all(v.startswith(f"{checkin.id}:") for v in answers), (
            "buttons name the stored check-in"
        )

    again = await bot.jobs.enqueue_due()
    assert again.checkins == 0
    assert len(await store.checkins()) == 14 and len(await store.deliveries()) == 14
    assert set(prompts.asked.values()) == {1}, "cached prompts are not asked for again"


@pytest.mark.usefixtures("small_chunks")
async def test_a_failed_suggestion_leaves_only_that_pair_without_prompts() -> None:
    prompts = CountingPrompts(failing=frozenset({f"Person {person('slack', 'L', 1).user_id}"}))
    store, bot = await program(3, prompts)

    assert (await bot.jobs.enqueue_due()).checkins == 6

    def has_ideas(message: dict) -> bool:
        return any(name == "Ideas for this week" for name, _value in message["fields"])

    with_ideas = Counter(has_ideas(d.message) for d in (await store.deliveries()).values())
    assert with_ideas == {True: 4, False: 2}
    for d in (await store.deliveries()).values():
        refresh = [b for b in d.message["buttons"] if b["action_id"] == "prompts_show"]
        assert bool(refresh) == has_ideas(d.message)
    assert len(await store.prompt_cache()) == 2


async def test_prompts_someone_else_stored_first_are_the_ones_shown() -> None:
    prompts = CountingPrompts()
    store, bot = await program(2, prompts)
    theirs = PromptSet(("Prepared by another replica",), "Their task", "llm")
    first = min((await store.pairings()).values(), key=lambda p: p.leader.user_id)
    async with store() as uow:
        await uow.prompt_cache.save(first.id, WEEK, theirs)
        await uow.commit()

    assert (await bot.jobs.enqueue_due()).checkins == 4

    assert (first.id, WEEK) not in prompts.asked
    for d in (await store.deliveries()).values():
        (idea,) = d.message["fields"][0][1]["items"]
        assert (
            idea == "Prepared by another replica"
            if first.id in d.idempotency_key
            else idea.startswith("An idea")
        )
    assert (await store.prompt_cache())[(first.id, WEEK)] == theirs


async def test_paused_people_and_existing_checkins_are_skipped() -> None:
    prompts = CountingPrompts()
    store, bot = await program(3, prompts)
    paused = person("slack", "M", 0)
    async with store() as uow:
        stored = await uow.participants.get(paused)
        assert stored is not None
        stored.status = ParticipantStatus.PAUSED
        await uow.participants.save(stored)
        await uow.commit()
    answered = person("slack", "L", 2)
    pairing = next(p for p in (await store.pairings()).values() if p.leader == answered)
    async with store() as uow:
        assert await uow.checkins.add(Checkin(new_id(), pairing.id, answered, WEEK, CHECKIN_TICK))
        await uow.commit()

    assert (await bot.jobs.enqueue_due()).checkins == 4

    recipients = {d.destination.users[0] for d in (await store.deliveries()).values()}
    assert paused.user_id not in recipients and answered.user_id not in recipients
    assert len(recipients) == 4
