"""Each week's learning resources, as people get them in their check-ins: matched to their goals and
side, never repeated within a round, steered by 👍/👎, the same on a second run."""

from __future__ import annotations

from conversations.domain import Participant, Role, UserRef
from conversations.growth.picks import DIGITAL_TERMS, PickHistory, ResourceLibrary
from conversations.growth.resource_catalogue import Resource, shipped_catalogue
from conversations.messages import ItemList, OutgoingMessage
from tests.unit.engine_harness import Harness, paired_harness

LIBRARY = ResourceLibrary(shipped_catalogue())


def person(role: Role, goals: tuple[str, ...], language: str | None = None) -> Participant:
    return Participant(
        UserRef("slack", "T1", "U1"),
        "Pat",
        role,
        "Sales",
        3,
        "Europe/London",
        learning_goals=goals,
        language=language,
    )


def test_a_leader_gets_digital_resources_for_their_goals_and_a_mentor_business_ones() -> None:
    leader = LIBRARY.resources_for(person(Role.LEADER, ("GenAI",)), "2026-W03")
    mentor = LIBRARY.resources_for(person(Role.MENTOR, ("negotiating",)), "2026-W03")
    assert len(leader) == 2 and all("generative ai" in r.terms for r in leader)
    assert len(mentor) == 2 and all("negotiation" in r.terms for r in mentor)
    someone = LIBRARY.resources_for(person(Role.MENTOR, ()), "2026-W03")
    assert someone and not any(r.terms & DIGITAL_TERMS for r in someone)


def test_the_topic_of_the_week_comes_before_standing_goals() -> None:
    picks = LIBRARY.resources_for(person(Role.LEADER, ("GenAI",)), "2026-W03", ("SQL",))
    assert all("sql" in r.terms for r in picks)


def test_a_reader_of_spanish_is_offered_spanish_or_english_only() -> None:
    catalogue = LIBRARY.catalogue
    assert all(
        r.language in ("es", "en")
        for r in LIBRARY.shortlist(person(Role.LEADER, ("AI",), "es-ES"), "W", size=50)
    )
    first = LIBRARY.resources_for(person(Role.LEADER, ("machine learning",), "es-ES"), "2026-W03")[0]
    assert first == catalogue.get("elementos-de-ia")
    english = LIBRARY.shortlist(person(Role.LEADER, ("AI",), "en"), "W", size=100)
    assert all(r.language == "en" for r in english)


def test_a_thumbs_down_is_never_shown_again_and_counts_against_its_subjects() -> None:
    someone = person(Role.MENTOR, ("negotiating",))
    first = LIBRARY.resources_for(someone, "2026-W03")
    steered = LIBRARY.resources_for(
        someone, "2026-W03", history=PickHistory(disliked=frozenset(r.id for r in first))
    )
    assert not set(first) & set(steered)
    everything_left = LIBRARY.shortlist(
        someone, "2026-W09", history=PickHistory(disliked=frozenset({first[0].id})), size=100
    )
    assert first[0] not in everything_left, "never again, even when little else is left"
    assert not any("negotiation" in r.terms for r in steered)


def worth_a_look(message: OutgoingMessage) -> ItemList:
    (items,) = [value for name, value in message.fields if name == "Worth a look"]
    assert isinstance(items, ItemList)
    return items


def checkins_to(h: Harness, user_id: str) -> list[OutgoingMessage]:
    return [s.message for s in h.sent_to(user_id) if s.message.title == "Weekly check-in"]


async def weeks_of_checkins(h: Harness, weeks: int) -> None:
    """Each week's check-in moment (Monday 10:00 in London), from a Monday morning."""
    for week in range(weeks):
        h.advance(days=7, hours=3 if week == 0 else 0)
        await h.bot.jobs.tick()


def shown_resources(message: OutgoingMessage) -> list[Resource]:
    items = worth_a_look(message)
    found = [r for r in shipped_catalogue() if any(link and link.url == r.url for link in items.links)]
    assert len(found) == len(items.items), "every link is a catalogue address"
    return found


async def test_checkins_bring_resources_that_never_repeat_within_the_round() -> None:
    h = await paired_harness()
    await weeks_of_checkins(h, 6)
    to_lea = checkins_to(h, "lea")
    assert len(to_lea) == 6
    shown = [r for message in to_lea for r in shown_resources(message)]
    assert len(shown) == 12 and len(set(shown)) == 12
    assert "generative ai" in shown[0].terms, "Lea wants to learn generative AI"
    to_max = [r for message in checkins_to(h, "max") for r in shown_resources(message)]
    assert to_max and "strategy" in to_max[0].terms, "Max wants to learn strategy"
    first = to_lea[0]
    thumbs = [b for b in first.buttons if b.action_id == "resource_vote"]
    assert [b.label for b in thumbs] == ["👍 1", "👎 1", "👍 2", "👎 2"]


async def test_thumbs_are_recorded_for_what_was_shown_and_steer_later_weeks() -> None:
    h = await paired_harness()
    unvoted = await paired_harness()
    await weeks_of_checkins(h, 1)
    await weeks_of_checkins(unvoted, 1)
    (message,) = checkins_to(h, "lea")
    first, second = shown_resources(message)
    down = next(b for b in message.buttons if b.action_id == "resource_vote" and b.label == "👎 1")
    up = next(b for b in message.buttons if b.action_id == "resource_vote" and b.label == "👍 2")
    assert "won't suggest that one again" in (await h.click("lea", "resource_vote", down.value)).message.text
    assert "Thanks" in (await h.click("lea", "resource_vote", up.value)).message.text
    refused = await h.click("max", "resource_vote", down.value)
    assert "doesn't match a resource you were shown" in refused.message.text
    pairing_id, week = down.value.split(":")[:2]
    for forged in (f"{pairing_id}:{week}:scrum-guide:up", f"{pairing_id}:1999-W01:{first.id}:up", "garbage"):
        assert "nothing was recorded" in (await h.click("lea", "resource_vote", forged)).message.text
    async with h.store() as uow:
        picks = (await uow.resource_picks.for_users([h.user("lea")]))[h.user("lea")]
    assert sorted((p.resource_id, p.vote) for p in picks) == sorted([(first.id, -1), (second.id, 1)])

    await weeks_of_checkins(h, 3)
    await weeks_of_checkins(unvoted, 3)
    later = [r for m in checkins_to(h, "lea")[1:] for r in shown_resources(m)]
    without_votes = [r for m in checkins_to(unvoted, "lea")[1:] for r in shown_resources(m)]
    assert first not in later
    assert later != without_votes, "the votes changed what came next"

    def like_the_turned_down(shown: list[Resource]) -> int:
        return sum(len(r.terms & (first.terms - second.terms)) for r in shown)

    assert like_the_turned_down(later) < like_the_turned_down(without_votes)


async def test_a_second_run_of_the_week_shows_the_same_resources() -> None:
    h = await paired_harness()
    await weeks_of_checkins(h, 1)
    (message,) = checkins_to(h, "lea")
    async with h.store() as uow:
        stored = (await uow.resource_picks.for_users([h.user("lea")]))[h.user("lea")]
    week = stored[0].week
    pairing = await h.store.pairings()
    (pairing_id,) = {p.pairing_id for p in stored}
    people = await h.store.participants()
    again = await h.bot.jobs.resources.prepare(
        h.store, [(next(iter(pairing.values())), h.user("lea"), week)], people, h.clock.now()
    )
    assert list(again.values())[0] == tuple(shown_resources(message))
    assert pairing_id in pairing


async def test_an_answered_checkin_keeps_its_resources() -> None:
    h = await paired_harness()
    await weeks_of_checkins(h, 1)
    (message,) = checkins_to(h, "lea")
    met = next(b for b in message.buttons if b.action_id == "checkin_answer" and b.value.endswith(":met"))
    answered = await h.click("lea", "checkin_answer", met.value)
    assert worth_a_look(answered.message) == worth_a_look(message)
