"""Whatever the pool and the rules: no hard rule broken, nobody beyond capacity, everyone accounted for."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.model import Candidate, MatchRules
from tests.support.greedy_matcher import GreedyMatcher

from .pools import AT, assert_maximal, assert_valid, candidates, match_rules

MATCHERS = {
    "optimal, dense": OptimalMatcher(at=AT),
    "optimal, sparse candidate graph": OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=2),
    "greedy": GreedyMatcher(at=AT, candidates_per_leader=2),
}
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", list(MATCHERS))
@FAST
@given(people=candidates(), rules=match_rules())
def test_every_result_keeps_every_promise(name: str, people: list[Candidate], rules: MatchRules) -> None:
    result = MATCHERS[name].match(people, rules)
    assert_valid(people, rules, result)


@pytest.mark.parametrize("name", ["optimal, dense", "greedy"])
@FAST
@given(
    people=candidates(roles=(Role.LEADER, Role.MENTOR), workspaces=(("slack", "T1"),), duplicates=False),
    rules=match_rules(),
)
def test_nobody_waits_who_could_have_been_paired(
    name: str, people: list[Candidate], rules: MatchRules
) -> None:
    result = MATCHERS[name].match(people, rules)
    assert_maximal(people, rules, result)


@FAST
@given(people=candidates(max_people=16), rules=match_rules())
def test_the_same_input_gives_the_same_result(people: list[Candidate], rules: MatchRules) -> None:
    matcher = OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=3)
    assert matcher.match(people, rules) == matcher.match(list(people), rules)
