"""The optimal matcher finds the optimum: checked against exhaustive search on small pools.

The objective (see `assignment.py`) is lexicographic: most pairs, then most mentors given a leader,
then the highest total fit. The brute force below states it directly and tries every assignment.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.model import Candidate, MatchResult, MatchRules
from tests.support.greedy_matcher import GreedyMatcher

from .pools import AT, allowed, assert_valid, candidates, first_entries, match_rules, pair_fit, person

Objective = tuple[int, int, float]
SMALL_POOLS = candidates(
    max_people=9, roles=(Role.LEADER, Role.MENTOR), workspaces=(("slack", "T1"),), duplicates=False
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def objective(pairs: Sequence[tuple[Candidate, Candidate]]) -> Objective:
    return (
        len(pairs),
        len({mentor.user for _, mentor in pairs}),
        sum(pair_fit(leader, mentor) for leader, mentor in pairs),
    )


def brute_force_optimum(people: Sequence[Candidate], rules: MatchRules) -> Objective:
    leaders = [p for p in people if p.role is Role.LEADER]
    mentors = [p for p in people if p.role is Role.MENTOR]
    capacity = max(0, rules.mentor_capacity)
    options = [[m for m in mentors if allowed(leader, m, rules)] for leader in leaders]
    best: Objective = (0, 0, 0.0)
    load: dict[object, int] = {}
    chosen: list[tuple[Candidate, Candidate]] = []

    def search(k: int) -> None:
        nonlocal best
        if k == len(leaders):
            best = max(best, objective(chosen))
            return
        search(k + 1)  # leader k waits
        for mentor in options[k]:
            if load.get(mentor.user, 0) < capacity:
                load[mentor.user] = load.get(mentor.user, 0) + 1
                chosen.append((leaders[k], mentor))
                search(k + 1)
                chosen.pop()
                load[mentor.user] -= 1

    search(0)
    return best


def achieved(people: Sequence[Candidate], result: MatchResult) -> Objective:
    first = first_entries(people)
    return objective([(first[p.leader], first[p.mentor]) for p in result.pairs])


def assert_same_objective(found: Objective, optimum: Objective) -> None:
    assert found[:2] == optimum[:2]
    assert abs(found[2] - optimum[2]) < 1e-6, (found, optimum)


@SETTINGS
@given(people=SMALL_POOLS, rules=match_rules(friendly=True))
def test_dense_solver_reaches_the_brute_force_optimum(people: list[Candidate], rules: MatchRules) -> None:
    result = OptimalMatcher(at=AT).match(people, rules)
    assert_valid(people, rules, result)
    assert_same_objective(achieved(people, result), brute_force_optimum(people, rules))


@SETTINGS
@given(people=SMALL_POOLS, rules=match_rules(friendly=True))
def test_sparse_solver_on_a_complete_candidate_graph_reaches_the_optimum(
    people: list[Candidate], rules: MatchRules
) -> None:
    matcher = OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=len(people) + 1)
    result = matcher.match(people, rules)
    assert_valid(people, rules, result)
    assert_same_objective(achieved(people, result), brute_force_optimum(people, rules))


@SETTINGS
@given(people=SMALL_POOLS, rules=match_rules(friendly=True))
def test_greedy_never_beats_the_optimum(people: list[Candidate], rules: MatchRules) -> None:
    optimum = brute_force_optimum(people, rules)
    assert achieved(people, GreedyMatcher(at=AT).match(people, rules)) <= optimum


def test_the_optimum_gives_up_a_favourite_pair_to_pair_everyone() -> None:
    """Greedy takes Ada-Max (the best single pair) and strands Bo; the optimum pairs both."""
    ada = person("ada", Role.LEADER, goals=("python", "sql", "excel"))
    bo = person("bo", Role.LEADER, goals=("python",))
    max_ = person("max", Role.MENTOR, skills=("python", "sql", "excel"))
    zoe = person("zoe", Role.MENTOR, skills=("power bi",), recent_partners=frozenset({"bo"}))
    rules = MatchRules()
    greedy = GreedyMatcher(at=AT).match([ada, bo, max_, zoe], rules)
    optimal = OptimalMatcher(at=AT).match([ada, bo, max_, zoe], rules)
    assert {(p.leader.user_id, p.mentor.user_id) for p in greedy.pairs} == {("ada", "max")}
    assert {(p.leader.user_id, p.mentor.user_id) for p in optimal.pairs} == {("ada", "zoe"), ("bo", "max")}
