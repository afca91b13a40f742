"""Progress reporting for the CLI, and the sparse path's quality on a pool too big to brute-force."""

from __future__ import annotations

import random

import pytest

from conversations.domain import Role, UserRef
from conversations.matching import OptimalMatcher
from conversations.matching.model import Candidate, Matcher, MatchResult, MatchRules
from tests.support.greedy_matcher import GreedyMatcher, fit, violates_rules

from .pools import AT, assert_valid, person, total_fit

DIGITAL = ["genai", "ML", "python", "sql", "excel", "power bi", "automation", "ux", "cloud", "agile", "figma"]
LEADERSHIP = ["strategy", "negotiation", "finance", "hiring", "presenting", "budgeting", "leadership"]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Tokyo"]


def organisation(per_side: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)

    def one(k: int, role: Role) -> Candidate:
        senior = role is Role.LEADER
        return Candidate(
            user=UserRef("slack", "T1", f"{role.value}{k}"),
            display_name=f"{role.value} {k}",
            role=role,
            department=rng.choice(["Finance", "Sales", "Engineering", "Legal"]),
            seniority=rng.randint(4, 6) if senior else rng.randint(1, 4),
            timezone=rng.choice(ZONES),
            skills=tuple(rng.sample(LEADERSHIP if senior else DIGITAL, rng.randint(1, 4))),
            learning_goals=tuple(rng.sample(DIGITAL if senior else LEADERSHIP, rng.randint(1, 3))),
            recent_partners=frozenset({f"mentor{rng.randrange(per_side)}"}) if senior else frozenset(),
        )

    return [one(k, Role.LEADER) for k in range(per_side)] + [one(k, Role.MENTOR) for k in range(per_side)]


@pytest.mark.parametrize(
    "matcher", [OptimalMatcher(at=AT), OptimalMatcher(at=AT, dense_limit=0), GreedyMatcher(at=AT)]
)
def test_progress_rises_to_one(matcher: Matcher) -> None:
    seen: list[float] = []
    matcher.match(organisation(150, seed=1), MatchRules(), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    assert len(seen) > 3


def test_a_broken_progress_callback_does_not_cost_the_round() -> None:
    def broken(_: float) -> None:
        raise RuntimeError("terminal went away")

    people = [person("a", Role.LEADER), person("m", Role.MENTOR)]
    assert len(OptimalMatcher(at=AT).match(people, MatchRules(), progress=broken).pairs) == 1


@pytest.mark.parametrize("capacity", [1, 2])
def test_the_sparse_candidate_graph_stays_close_to_the_exact_optimum(capacity: int) -> None:
    people = organisation(400, seed=capacity)
    rules = MatchRules(mentor_capacity=capacity)
    exact = OptimalMatcher(at=AT).match(people, rules)
    sparse = OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=8).match(people, rules)
    greedy = GreedyMatcher(at=AT, candidates_per_leader=8).match(people, rules)
    for result in (exact, sparse, greedy):
        assert_valid(people, rules, result)
    assert len(sparse.pairs) == len(exact.pairs)
    assert mentors_used(sparse) == mentors_used(exact)
    assert total_fit(people, sparse) >= 0.99 * total_fit(people, exact)
    # The objective is lexicographic: greedy may reach a higher fit only by leaving mentors idle.
    assert objective(people, greedy) <= objective(people, exact)


def mentors_used(result: MatchResult) -> int:
    return len({p.mentor for p in result.pairs})


def objective(people: list[Candidate], result: MatchResult) -> tuple[int, int, float]:
    return (len(result.pairs), mentors_used(result), total_fit(people, result))  # sums of 1/32s: exact


def test_the_pair_helpers_kept_for_existing_callers_still_answer() -> None:
    leader = person("lee", Role.LEADER, goals=("genai",))
    mentor = person("mia", Role.MENTOR, skills=("generative AI",))
    score, reasons = fit(leader, mentor)
    assert score > 2 and reasons[0] == "Mia can teach Lee generative AI."
    assert violates_rules(leader, mentor, MatchRules()) is None
    assert violates_rules(leader, leader, MatchRules()) == "same person"
    elsewhere = person("x", Role.MENTOR, workspace="T9")
    assert violates_rules(leader, elsewhere, MatchRules()) == "different workspaces"
    assert violates_rules(mentor, leader, MatchRules()) == "seniority gap too small"
