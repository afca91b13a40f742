"""The private "please don't pair me with" lists are a hard rule for every matcher, whichever side listed
whom, and whatever the program's other rules are set to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.model import Matcher, MatchRules
from conversations.matching.rules import Rule, broken_rule
from tests.support.greedy_matcher import GreedyMatcher

from .pools import AT, assert_valid, person

MATCHERS: dict[str, Matcher] = {
    "optimal": OptimalMatcher(at=AT),
    "optimal, sparse": OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=1),
    "greedy": GreedyMatcher(at=AT),
}
SWITCHED_OFF = MatchRules(separate_reporting_lines=False, repeat_lookback_cycles=0)


@pytest.fixture(params=list(MATCHERS))
def matcher(request: pytest.FixtureRequest) -> Matcher:
    return MATCHERS[request.param]


def pairs(result: object) -> set[tuple[str, str]]:
    return {(p.leader.user_id, p.mentor.user_id) for p in result.pairs}  # type: ignore[attr-defined]


@pytest.mark.parametrize("who_listed", ["leader", "mentor"])
def test_a_listed_pair_is_never_matched_even_as_the_only_option(matcher: Matcher, who_listed: str) -> None:
    lea = person("lea", Role.LEADER, goals=("python",))
    max_ = person("max", Role.MENTOR, skills=("python",))
    if who_listed == "leader":
        lea = replace(lea, avoided=frozenset({"max"}))
    else:
        max_ = replace(max_, avoided=frozenset({"lea"}))
    result = matcher.match([lea, max_], SWITCHED_OFF)
    assert result.pairs == ()
    assert_valid([lea, max_], SWITCHED_OFF, result)
    reasons = {w.user.user_id: w.reason for w in result.waitlist}
    assert "don't pair me with" in reasons["lea"] and "don't pair me with" in reasons["max"]


def test_the_best_fit_goes_to_someone_else_when_the_leader_listed_it(matcher: Matcher) -> None:
    lea = person(
        "lea",
        Role.LEADER,
        goals=("python", "dashboards"),
    )
    ben = person("ben", Role.LEADER, goals=("excel",))
    best = person("best", Role.MENTOR, skills=("python", "dashboards"))
    other = person("other", Role.MENTOR, skills=("excel",))
    people = [replace(lea, avoided=frozenset({"best"})), ben, best, other]
    result = matcher.match(people, MatchRules())
    assert ("lea", "best") not in pairs(result)
    if not isinstance(matcher, GreedyMatcher):  # the greedy reference pairs best-first, not optimally
        assert pairs(result) == {("lea", "other"), ("ben", "best")}


def test_the_rule_is_stated_last_so_other_rules_explain_first() -> None:
    boss = replace(person("boss", Role.LEADER), avoided=frozenset({"report"}))
    report = person("report", Role.MENTOR, manager_chain=("boss",))
    assert broken_rule(boss, report, MatchRules(), 8.0) is Rule.REPORTING_LINE
    assert broken_rule(boss, report, SWITCHED_OFF, 8.0) is Rule.AVOIDED
