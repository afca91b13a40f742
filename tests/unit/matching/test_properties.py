"""Whatever the pool and the rules: no hard rule broken, nobody beyond capacity, everyone accounted for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def waiting(people: list[Candidate], seed: int) -> list[Candidate]:
    """The same pool with some people on the waitlist, since different days."""
    days = [None, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 8, tzinfo=UTC)]
    return [replace(c, waiting_since=days[(k + seed) % len(days)]) for k, c in enumerate(people)]


@FAST
@given(people=candidates(), rules=match_rules(), seed=st.integers(0, 2))
def test_a_waitlist_never_breaks_a_rule_or_costs_a_pair(
    people: list[Candidate], rules: MatchRules, seed: int
) -> None:
    """The waitlist only decides who takes the places: the rules hold and as many are paired."""
    matcher = MATCHERS["optimal, dense"]
    with_waitlist = waiting(people, seed)
    result = matcher.match(with_waitlist, rules)
    assert_valid(with_waitlist, rules, result)
    assert len(result.pairs) == len(matcher.match(people, rules).pairs)
