"""The fit formula, the words that explain a pair, and the fast scorer agreeing with both."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from conversations.domain import Role
from conversations.matching.fit import TermProfile, explain, fit_of
from conversations.matching.fit_blocks import PairScorer
from conversations.matching.model import Candidate, MatchRules
from conversations.matching.pool import split_sides
from conversations.matching.vocabulary import DEFAULT_VOCABULARY

from .pools import AT, allowed, candidates, match_rules, pair_fit, person


def test_both_directions_count_and_a_two_way_pair_earns_a_bonus() -> None:
    leader = person("lee", Role.LEADER, goals=("GenAI", "Excel"), skills=("strategy",), department="Finance")
    mentor = person(
        "mia", Role.MENTOR, skills=("generative ai", "spreadsheets"), goals=("business strategy",)
    )
    fit = fit_of(TermProfile.of(leader, DEFAULT_VOCABULARY), TermProfile.of(mentor, DEFAULT_VOCABULARY), 8.0)
    assert fit.taught == ("excel", "generative ai")
    assert fit.shared == ("strategy",)
    assert fit.different_departments
    # 2 x (2 + 1) terms, + 1 two-way, + 0.5 departments, + 8/8 hours
    assert fit.score == 8.5


def test_one_shared_term_outweighs_every_soft_preference() -> None:
    leader = person("lee", Role.LEADER, goals=("python",), department="Finance")
    on_topic = person(
        "on", Role.MENTOR, skills=("Python",), department="Finance", timezone_name="America/New_York"
    )
    pleasant = person("off", Role.MENTOR, skills=("figma",), department="Sales")
    assert pair_fit(leader, on_topic) > pair_fit(leader, pleasant)


def test_departments_differ_only_when_both_are_known_and_not_by_case() -> None:
    leader = TermProfile.of(person("lee", Role.LEADER, department=" finance"), DEFAULT_VOCABULARY)
    same = TermProfile.of(person("a", Role.MENTOR, department="Finance "), DEFAULT_VOCABULARY)
    unknown = TermProfile.of(person("b", Role.MENTOR, department=""), DEFAULT_VOCABULARY)
    assert not fit_of(leader, same, 8).different_departments
    assert not fit_of(leader, unknown, 8).different_departments


def test_reasons_name_the_shared_terms_both_ways_and_the_hours() -> None:
    leader = person("lee", Role.LEADER, goals=("genai", "ML", "SQL"), skills=("P&L",), department="Finance",
                    timezone_name="America/New_York")  # fmt: skip
    mentor = person(
        "mia", Role.MENTOR, skills=("Generative AI", "machine learning", "sql"), goals=("profit and loss",)
    )
    lp, mp = TermProfile.of(leader, DEFAULT_VOCABULARY), TermProfile.of(mentor, DEFAULT_VOCABULARY)
    reasons = explain(lp, mp, fit_of(lp, mp, 3.0), DEFAULT_VOCABULARY)
    assert reasons == (
        "Mia can teach Lee generative AI, machine learning and SQL.",
        "Lee can share P&L management with Mia.",
        "You share 3 working hours a day (America/New_York and Europe/London).",
        "You work in different departments (Finance and Engineering).",
    )


def test_a_pair_without_shared_terms_is_told_what_to_do_about_it() -> None:
    leader = TermProfile.of(person("lee", Role.LEADER, goals=("figma",)), DEFAULT_VOCABULARY)
    mentor = TermProfile.of(person("mia", Role.MENTOR, skills=("python",)), DEFAULT_VOCABULARY)
    reasons = explain(leader, mentor, fit_of(leader, mentor, 8.0), DEFAULT_VOCABULARY)
    assert reasons[0].startswith("None of your goals names the other's skills yet")
    assert reasons[1] == "You share all 8 working hours of the day (Europe/London)."


PATHS: dict[str, dict[str, int]] = {
    "class table, dense terms": {},
    "direct, sparse terms": {"class_table_limit": 0, "dense_terms_limit": 0},
}


@pytest.mark.parametrize("path", list(PATHS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=candidates(max_people=14, workspaces=(("slack", "T1"),), duplicates=False), rules=match_rules())
def test_block_scores_agree_with_the_formula_and_the_rules_pair_by_pair(
    path: str, people: list[Candidate], rules: MatchRules
) -> None:
    sides = split_sides(people, 1)
    if not sides.leaders or not sides.mentors:
        return
    scorer = PairScorer(
        [TermProfile.of(c, DEFAULT_VOCABULARY) for c in sides.leaders],
        [TermProfile.of(c, DEFAULT_VOCABULARY) for c in sides.mentors],
        rules,
        AT,
        **PATHS[path],
    )
    block = scorer.block(0, len(sides.leaders))
    for i, leader in enumerate(sides.leaders):
        for j, mentor in enumerate(sides.mentors):
            if allowed(leader, mentor, rules):
                assert block[i, j] == pytest.approx(pair_fit(leader, mentor), abs=1e-5)
            else:
                assert block[i, j] < 0
    assert np.array_equal(scorer.row(0), block[0])
