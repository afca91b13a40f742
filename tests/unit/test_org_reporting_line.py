"""The reporting-line rule from the org chart: up and down the chain to the configured depth, through
managers who never joined; and from the managers people named when they are not in the chart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from conversations.domain import Participant, Role, UserRef
from conversations.matching import MatchRules, OptimalMatcher
from conversations.services import pairing
from conversations.services.context import Ctx, ProgramConfig
from conversations.services.org import changes, parse_org_csv
from tests.support.stores import TestStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
CHART = b"""email,name,department,level,manager_email,timezone
ceo@x.org,Cy,Board,Executive,,Europe/London
vp@x.org,Vi,Finance,Director,ceo@x.org,Europe/London
dir@x.org,Di,Finance,Director,vp@x.org,Europe/London
mgr@x.org,Mo,Finance,Manager,dir@x.org,Europe/London
ic@x.org,Ivy,Finance,Early career,mgr@x.org,Europe/London
other@x.org,Oz,Sales,Early career,ceo@x.org,Europe/London
"""
LADDER = ("ic@x.org", "mgr@x.org", "dir@x.org", "vp@x.org", "ceo@x.org")
"""From the bottom up: LADDER[k] is k levels above ic@x.org."""


def user(user_id: str) -> UserRef:
    return UserRef("slack", "T1", user_id)


def leader(user_id: str, manager_id: str | None = None) -> Participant:
    return Participant(
        user(user_id), user_id, Role.LEADER, "Finance", 5, "Europe/London",
        skills=("Company strategy",), learning_goals=("Generative AI",), manager_id=manager_id,
    )  # fmt: skip


def mentor(user_id: str, manager_id: str | None = None) -> Participant:
    return Participant(
        user(user_id), user_id, Role.MENTOR, "Sales", 1, "Europe/London",
        skills=("Generative AI",), learning_goals=("Company strategy",), manager_id=manager_id,
    )  # fmt: skip


async def setup(
    store: TestStore, people: list[Participant], links: dict[str, str], chart: bytes = CHART
) -> None:
    async with store() as uow:
        await uow.org_chart.apply(changes([], parse_org_csv(chart)), NOW)
        for person in people:
            await uow.participants.save(person)
        for user_id, email in links.items():
            await uow.org_chart.link(user(user_id), email, NOW)
        await uow.commit()


async def preview(store: TestStore, depth: int) -> pairing.RoundReport:
    config = ProgramConfig(match_rules=MatchRules(reporting_depth=depth))
    async with store() as uow:
        ctx = Ctx(uow, NOW, config, {}, OptimalMatcher(at=NOW), prompts=None)  # type: ignore[arg-type]
        return await pairing.run_round(ctx, dry_run=True)


RULE = "ruled out by the rule against pairing people in the same reporting line"


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("distance", [1, 2, 3])
@pytest.mark.parametrize("mentor_above", [False, True], ids=["leader above", "mentor above"])
async def test_people_within_the_depth_of_each_other_are_never_paired(
    depth: int, distance: int, mentor_above: bool
) -> None:
    """Only the two of them joined: the managers between them never did, and still link them."""
    below, above = LADDER[0], LADDER[distance]
    store = TestStore()
    links = {"lee": above if not mentor_above else below, "max": below if not mentor_above else above}
    await setup(store, [leader("lee"), mentor("max")], links)
    report = await preview(store, depth)
    if distance <= depth:
        assert report.pairs == ()
        assert {w.user.user_id for w in report.waitlist} == {"lee", "max"}
        assert all(RULE in w.reason for w in report.waitlist)
        assert f"• lee: Every possible mentor is {RULE}." in report.summary()
    else:
        assert [(p.leader.user_id, p.mentor.user_id) for p in report.pairs] == [("lee", "max")]


async def test_people_in_different_branches_are_paired() -> None:
    store = TestStore()
    await setup(store, [leader("lee"), mentor("max")], {"lee": "vp@x.org", "max": "other@x.org"})
    report = await preview(store, depth=2)
    assert [(p.leader.user_id, p.mentor.user_id) for p in report.pairs] == [("lee", "max")]


async def test_depth_zero_switches_the_rule_off() -> None:
    store = TestStore()
    await setup(store, [leader("lee"), mentor("max")], {"lee": "mgr@x.org", "max": "ic@x.org"})
    assert len((await preview(store, depth=0)).pairs) == 1


async def test_chains_name_only_people_who_joined_in_the_same_workspace() -> None:
    store = TestStore()
    elsewhere = replace(mentor("max"), user=UserRef("teams", "tenant", "max"))
    await setup(
        store,
        [leader("lee"), mentor("ian"), elsewhere],
        {"lee": "dir@x.org", "ian": "ic@x.org"},
    )
    async with store() as uow:
        await uow.org_chart.link(elsewhere.user, "vp@x.org", NOW)
        await uow.commit()
    config = ProgramConfig(match_rules=MatchRules(reporting_depth=3))
    async with store() as uow:
        ctx = Ctx(uow, NOW, config, {}, OptimalMatcher(at=NOW), prompts=None)  # type: ignore[arg-type]
        people = await uow.participants.list()
        chains = await pairing.reporting_chains(ctx, people)
    assert chains[user("ian")] == ("lee",)  # mgr never joined; dir is lee; vp is in another workspace
    assert chains[user("lee")] == ()  # vp joined on Teams only, ceo never joined
    assert chains[elsewhere.user] == ()


async def test_people_not_in_the_chart_keep_the_managers_they_named() -> None:
    """Linked to nobody in the chart (or not linked): the profile's manager ids, up to the depth."""
    store = TestStore()
    people = [leader("lee", manager_id="boss"), mentor("max", manager_id="lee"), mentor("boss")]
    await setup(store, people, {"max": "nobody-in-the-chart@x.org"})
    config = ProgramConfig(match_rules=MatchRules(reporting_depth=1))
    async with store() as uow:
        ctx = Ctx(uow, NOW, config, {}, OptimalMatcher(at=NOW), prompts=None)  # type: ignore[arg-type]
        chains = await pairing.reporting_chains(ctx, await uow.participants.list())
    assert chains[user("max")] == ("lee",)
    assert chains[user("lee")] == ("boss",)
    report = await preview(store, depth=1)
    assert [(p.leader.user_id, p.mentor.user_id) for p in report.pairs] == []
    assert all(RULE in w.reason for w in report.waitlist if w.user.user_id != "boss")


async def test_the_chart_wins_over_a_named_manager_for_people_linked_to_it() -> None:
    store = TestStore()
    await setup(
        store,
        [leader("lee"), mentor("max", manager_id="lee")],
        {"lee": "vp@x.org", "max": "other@x.org"},
    )
    assert len((await preview(store, depth=2)).pairs) == 1  # the chart puts other under ceo, not vp
