"""Meaning-based matching end to end: the engine, the real store and the embeddings adapter against the
fake server over HTTP. Paraphrases pair people the vocabulary cannot tell apart, and the introduction
says why; vectors are fetched once; any fault leaves the round exactly as the vocabulary alone makes
it; and nothing but skill and goal terms ever reaches the model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest

from adapters.llm import OpenAIEmbedder
from conversations.domain import Checkin, CheckinAnswer, PairingStatus
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from tests.integration.llm.conftest import API_KEY
from tests.support.fake_llm import Behaviour, FakeOpenAI, MeaningClusters
from tests.unit.engine_harness import ADMIN, START, Harness
from tests.unit.test_mention_injection import assert_no_injection

MEANINGS = {
    "automating monthly reports": "automation",
    "python scripting": "automation",
    "where the company is heading": "strategy",
    "strategic thinking": "strategy",
    "spreadsheet wizardry": "data",
    "making sense of numbers": "data",
}
WHY_BEN_AND_LEE = "'Automating monthly reports' is close to what Lee offers: 'Python scripting'."

_opened: list[OpenAIEmbedder] = []


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while _opened:
        await _opened.pop().aclose()


@pytest.fixture
def clustered(fake: FakeOpenAI) -> FakeOpenAI:
    fake.embedding = MeaningClusters(MEANINGS)
    return fake


def model(fake: FakeOpenAI, timeout: float = 5.0) -> OpenAIEmbedder:
    made = OpenAIEmbedder.connect(API_KEY, fake.base_url, "fake-embeddings", timeout=timeout, max_retries=0)
    _opened.append(made)
    return made


async def program(h: Harness) -> Harness:
    """Two leaders and two mentors who share no term: only meaning tells who should meet whom."""
    await h.join("ada", "leader", goals=("Where the company is heading",), skills=("Negotiation",), level="5")
    await h.join("ben", "leader", goals=("Automating monthly reports",), skills=("Hiring",), level="5")
    await h.join("lee", "mentor", skills=("Python scripting",), goals=("Pricing",), level="1")
    await h.join("max", "mentor", skills=("Strategic thinking",), goals=("Coaching",), level="1")
    return h


async def preview(h: Harness) -> str:
    return (await h.say(ADMIN, "pair --dry-run")).message.plain_text()  # type: ignore[union-attr]


async def test_paraphrases_pair_people_and_the_introduction_names_the_closest_terms(
    clustered: FakeOpenAI,
) -> None:
    h = await program(Harness(embedder=model(clustered)))
    await h.pair_up()
    pairs = {(p.leader.user_id, p.mentor.user_id) for p in (await h.store.pairings()).values()}
    assert pairs == {("ada", "max"), ("ben", "lee")}
    intro = next(s.message for s in h.sent_to("ben") if s.message.title == "Meet your mentoring partner")
    assert WHY_BEN_AND_LEE in dict(intro.fields)["Why you two"]


async def test_vectors_are_cached_per_term_so_the_next_round_asks_nothing(clustered: FakeOpenAI) -> None:
    h = await program(Harness(embedder=model(clustered)))
    first = await preview(h)
    assert len(clustered.embedding_requests) == 1
    assert sorted(clustered.embedded_texts) == sorted(
        DEFAULT_VOCABULARY.canonical(t)
        for t in ("Where the company is heading", "Negotiation", "Automating monthly reports", "Hiring",
                  "Python scripting", "Pricing", "Strategic thinking", "Coaching")
    )  # fmt: skip
    assert await preview(h) == first
    assert len(clustered.embedding_requests) == 1
    await h.join("cat", "leader", goals=("Spreadsheet wizardry",), skills=("Pricing",), level="5")
    await preview(h)
    assert clustered.embedding_requests[-1].body["input"] == ["spreadsheet wizardry"]


def _hangs(fake: FakeOpenAI) -> Behaviour:
    return fake.hangs()


FAULTS: dict[str, Callable[[FakeOpenAI], Behaviour]] = {
    "server error": lambda fake: fake.status(500),
    "hung server": _hangs,
    "not a number": lambda fake: fake.embeds_with(lambda vs: [[float("nan")] * len(v) for v in vs]),
    "dimensions differ": lambda fake: fake.embeds_with(lambda vs: [v + [0.5] for v in vs[:1]] + vs[1:]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_failing_model_leaves_the_round_exactly_as_the_vocabulary_makes_it(
    clustered: FakeOpenAI, fault: str
) -> None:
    vocabulary_only = await preview(await program(Harness()))
    clustered.embedding_behaviour = FAULTS[fault](clustered)
    h = await program(Harness(embedder=model(clustered, timeout=0.5)))
    assert await preview(h) == vocabulary_only
    assert clustered.embedding_requests  # the model was asked, and failed
    assert WHY_BEN_AND_LEE not in vocabulary_only


async def test_vectors_of_another_dimension_than_the_cached_ones_are_not_mixed(clustered: FakeOpenAI) -> None:
    h = await program(Harness(embedder=model(clustered)))
    await preview(h)  # caches 32-dimensional vectors
    await h.join("cat", "leader", goals=("Spreadsheet wizardry",), skills=("Pricing",), level="5")
    clustered.embedding_behaviour = clustered.embeds_with(lambda vs: [v[:16] for v in vs])
    plain = await program(Harness())
    await plain.join("cat", "leader", goals=("Spreadsheet wizardry",), skills=("Pricing",), level="5")
    assert await preview(h) == await preview(plain)


async def test_a_model_that_is_back_is_used_again_without_asking_twice(clustered: FakeOpenAI) -> None:
    clustered.embedding_behaviour = clustered.status(503)
    h = await program(Harness(embedder=model(clustered)))
    assert WHY_BEN_AND_LEE not in await preview(h)
    clustered.embedding_behaviour = None
    assert WHY_BEN_AND_LEE in await preview(h)
    assert len(clustered.embedding_requests) == 2


async def test_nothing_but_skill_and_goal_terms_reaches_the_model(clustered: FakeOpenAI) -> None:
    """Names, emails, departments, managers, time zones and private check-in notes stay home."""
    h = Harness(embedder=model(clustered))
    h.chat.names.update({"ada": "Adaeze Okonkwo-Private", "lee": "Leopold Zanzibar", "UBOSSMAN": "Bossman"})
    await h.join("ada", "leader", goals=("Where the company is heading",), skills=("Negotiation",),
                 level="5", department="Treasury Confidential", timezone="Asia/Kolkata", manager="UBOSSMAN")  # fmt: skip
    await h.join("lee", "mentor", skills=("Python scripting",), goals=("Pricing",), level="1",
                 department="Skunkworks Unit", timezone="Asia/Kolkata")  # fmt: skip
    ada = (await h.store.participants())[h.user("ada")]
    assert (ada.department, ada.manager_id) == ("Treasury Confidential", "UBOSSMAN")
    async with h.store() as uow:
        await uow.org_chart.link(h.user("ada"), "ada.secret@example.org", START)
        await uow.commit()
    await h.pair_up()
    (pairing,) = (await h.store.pairings()).values()
    async with h.store() as uow:
        await uow.checkins.add(
            Checkin(
                "c1",
                pairing.id,
                h.user("ada"),
                "2026-W02",
                START,
                CheckinAnswer.NEED_HELP,
                1,
                note="my manager bullies me, please keep this quiet",
                answered_at=START,
            )  # fmt: skip
        )
        await uow.pairings.save(replace(pairing, status=PairingStatus.ENDED, ended_at=START))
        await uow.commit()
    await h.join("max", "mentor", skills=("Strategic thinking",), goals=("Coaching",), level="1",
                 department="Night Shift Ops", timezone="Asia/Kolkata")  # fmt: skip
    await preview(h)

    assert len(clustered.embedding_requests) == 2
    allowed = {
        DEFAULT_VOCABULARY.canonical(t)
        for p in (await h.store.participants()).values()
        for t in (*p.skills, *p.learning_goals)
    }
    assert set(clustered.embedded_texts) <= allowed
    sent = json.dumps([r.body for r in clustered.embedding_requests]).casefold()
    for private in ("adaeze", "okonkwo", "leopold", "zanzibar", "treasury", "confidential", "skunkworks",
                    "night shift", "ubossman", "kolkata", "ada.secret", "example.org", "bullies", "quiet",
                    "bossman", "console", "uada", "ulee", "umax"):  # fmt: skip
        assert private not in sent
    assert set(clustered.embedding_requests[0].body) == {"model", "input", "encoding_format"}


async def test_the_terms_named_in_the_introduction_are_shown_as_typed_and_ping_nobody(
    fake: FakeOpenAI,
) -> None:
    goal, skill = "report bots <!channel> {@U0EXEC}", "python <@U0EXEC> <at>Boss</at>"
    fake.embedding = MeaningClusters({DEFAULT_VOCABULARY.canonical(t): "automation" for t in (goal, skill)})
    h = Harness(embedder=model(fake))
    h.chat.names.update({"ULEA": "Lea", "UMAX": "Max"})
    await h.join("ULEA", "leader", goals=(goal,), skills=("Hiring",), level="5")
    await h.join("UMAX", "mentor", skills=(skill,), goals=("Pricing",), level="1")
    await h.pair_up()
    intro = next(s.message for s in h.sent_to("ULEA") if s.message.title == "Meet your mentoring partner")
    assert f"'{goal}' is close to what Max offers: '{skill}'." in dict(intro.fields)["Why you two"]
    assert_no_injection(intro, {"ULEA": "Lea", "UMAX": "Max"}, "ULEA", "UMAX")


async def test_a_round_the_clock_starts_is_matched_by_meaning_too(clustered: FakeOpenAI) -> None:
    h = Harness(embedder=model(clustered))
    await h.join("zed", "leader", level="5")
    await h.join("yan", "mentor", level="1")
    await h.pair_up()
    for first_pair in ("zed", "yan"):
        leave = (await h.say(first_pair, "leave")).message
        assert leave is not None
        delete = next(b for b in leave.buttons if b.label == "Leave and delete my data")
        await h.click(first_pair, delete.action_id, delete.value)
    await program(h)
    h.advance(weeks=12, hours=1)
    await h.bot.jobs.tick()  # the first round closes
    h.advance(days=7, hours=1)
    await h.bot.jobs.tick()  # and the clock starts the next
    pairings = (await h.store.pairings()).values()
    pairs = {(p.leader.user_id, p.mentor.user_id) for p in pairings if p.status is PairingStatus.ACTIVE}
    assert pairs == {("ada", "max"), ("ben", "lee")}


async def test_the_operators_pair_command_is_matched_by_meaning_too(clustered: FakeOpenAI) -> None:
    h = await program(Harness(embedder=model(clustered)))
    report = await h.bot.run_round(dry_run=True)  # what `mentorbot pair --dry-run` runs
    assert {(p.leader.user_id, p.mentor.user_id) for p in report.pairs} == {("ada", "max"), ("ben", "lee")}
    assert WHY_BEN_AND_LEE in report.summary()
