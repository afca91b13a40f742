"""The LLM ranks a person's resource shortlist against the fake server: it answers with ids, only
shortlisted catalogue ids are kept (an invented id or URL is dropped and the library fills in), a
failure leaves the deterministic picks, and the request holds only what the privacy list names."""

from __future__ import annotations

import json
from datetime import timedelta

from adapters.llm.resource_ranker import OpenAIResourceRanker
from conversations.clock import iso_week
from conversations.domain import Side
from conversations.growth.picks import ResourceLibrary
from conversations.growth.resource_catalogue import Resource, shipped_catalogue
from conversations.growth.resource_preparation import ResourcePreparation
from conversations.messages import ItemList
from conversations.privacy import RESOURCE_RANKING, SENT_TO_MODELS
from tests.integration.llm.conftest import API_KEY
from tests.support.fake_llm import FakeOpenAI, person_data_of
from tests.unit.engine_harness import Harness, paired_harness

LIBRARY = ResourceLibrary(shipped_catalogue())


async def ranked_harness(fake: FakeOpenAI) -> tuple[Harness, OpenAIResourceRanker]:
    h = await paired_harness()
    ranker = OpenAIResourceRanker.connect(API_KEY, fake.base_url, timeout=5)
    h.bot.jobs.resources = ResourcePreparation(LIBRARY, ranker)
    return h, ranker


async def first_checkin_resources(h: Harness, user_id: str = "lea") -> list[Resource]:
    h.advance(days=7, hours=3)
    await h.bot.jobs.tick()
    (message,) = [s.message for s in h.sent_to(user_id) if s.message.title == "Weekly check-in"]
    (items,) = [value for name, value in message.fields if name == "Worth a look"]
    assert isinstance(items, ItemList)
    by_url = {r.url: r for r in LIBRARY.catalogue}
    assert all(link is not None and link.url in by_url for link in items.links), "catalogue links only"
    return [by_url[link.url] for link in items.links if link is not None]


async def lea_shortlist(h: Harness, week: str) -> tuple[Resource, ...]:
    lea = (await h.store.participants())[h.user("lea")]
    return LIBRARY.shortlist(lea, week, side=Side.LEADER)


def week_of(h: Harness) -> str:
    return iso_week(h.clock.now())


async def test_the_models_choice_from_the_shortlist_is_shown(fake: FakeOpenAI) -> None:
    h, ranker = await ranked_harness(fake)
    shown = await first_checkin_resources(h)
    shortlist = await lea_shortlist(h, week_of(h))
    assert shown == [shortlist[-1], shortlist[-2]], "the fake answers the candidates last first"
    assert len(fake.requests) == 2, "one ranking per person"
    await ranker.aclose()


async def test_invented_ids_and_urls_are_dropped_and_the_library_fills_in(fake: FakeOpenAI) -> None:
    h, ranker = await ranked_harness(fake)
    week = iso_week(h.clock.now() + timedelta(days=7, hours=3))
    shortlist = await lea_shortlist(h, week)
    answer = {
        "ids": ["https://evil.example/phish", "made-up-course", "elements-of-ai-but-not", shortlist[5].id]
    }
    fake.behaviour = FakeOpenAI.says(json.dumps(answer))
    shown = await first_checkin_resources(h)
    assert shown == [shortlist[5], shortlist[0]]
    await ranker.aclose()


async def test_a_failing_model_leaves_the_deterministic_picks(fake: FakeOpenAI) -> None:
    h, ranker = await ranked_harness(fake)
    fake.behaviour = FakeOpenAI.status(500)
    shown = await first_checkin_resources(h)
    lea = (await h.store.participants())[h.user("lea")]
    assert tuple(shown) == LIBRARY.resources_for(lea, week_of(h), side=Side.LEADER)
    await ranker.aclose()


async def test_the_ranking_request_holds_only_the_fields_on_its_list(fake: FakeOpenAI) -> None:
    h, ranker = await ranked_harness(fake)
    await first_checkin_resources(h)
    allowed = set(SENT_TO_MODELS[RESOURCE_RANKING])
    people = await h.store.participants()
    for request in fake.requests:
        data = person_data_of(request.body)
        assert data is not None and set(data) == allowed - {"language"}
        assert {"id", "title", "skills", "level", "minutes", "format"} == set().union(*data["candidates"])
        whole = json.dumps(request.body)
        for person in people.values():
            for private in (person.user.user_id, person.display_name, person.department, person.timezone):
                assert f'"{private}"' not in whole and f" {private} " not in whole, private
        assert "https://" not in whole, "no address is sent: the model answers with ids"
    await ranker.aclose()
