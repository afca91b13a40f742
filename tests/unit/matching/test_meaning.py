"""Closeness in meaning: a bounded bonus, explained in people's own words, scored alike by the formula
and the fast scorer, and nothing at all without vectors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.fit import (
    CLOSE_IN_MEANING,
    MEANING_WEIGHT,
    TERM_WEIGHT,
    TermProfile,
    explain,
    fit_of,
)
from conversations.matching.fit_blocks import PairScorer
from conversations.matching.meaning import MeaningIndex
from conversations.matching.model import Candidate, MatchRules, TermVectors
from conversations.matching.pool import split_sides
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from conversations.matching.working_hours import working_overlap_hours
from tests.support.fake_llm import MeaningClusters

from .pools import AT, allowed, candidates, match_rules, person

MEANINGS = {
    "automating monthly reports": "automation",
    "python scripting": "automation",
    "scripts that do the boring work": "automation",
    "business planning": "strategy",
    "strategy": "strategy",
    "where the company is heading": "strategy",
    "kubernetes": "infrastructure",
    "cloud computing": "infrastructure",
    "ml": "models",
    "machine learning": "models",
    "sql": "data",
    "spreadsheets": "data",
    "excel": "data",
}
MODEL = MeaningClusters(MEANINGS)


def vectors_for(people: list[Candidate]) -> TermVectors:
    keys = {k for c in people for k in DEFAULT_VOCABULARY.terms((*c.skills, *c.learning_goals))}
    return TermVectors("fake", {k: tuple(MODEL(k)) for k in keys})


def index_for(people: list[Candidate]) -> MeaningIndex:
    return MeaningIndex(vectors_for(people), CLOSE_IN_MEANING)


def profiles(*people: Candidate) -> list[TermProfile]:
    return [TermProfile.of(p, DEFAULT_VOCABULARY) for p in people]


ADA = person("ada", Role.LEADER, goals=("Automating monthly reports",), skills=("Business planning",))


def lee(skills: tuple[str, ...] = (), goals: tuple[str, ...] = ()) -> Candidate:
    return replace(person("lee", Role.MENTOR, skills=skills, goals=goals), display_name="Lee")


def test_a_goal_close_to_an_offered_skill_is_named_in_their_own_words() -> None:
    mentor = lee(skills=("Python scripting",))
    leader, teacher = profiles(ADA, mentor)
    fit = fit_of(leader, teacher, 8.0, index_for([ADA, mentor]))
    assert fit.taught == () and fit.taught_by_meaning == ("automating monthly reports", "python scripting")
    reasons = explain(leader, teacher, fit, DEFAULT_VOCABULARY)
    assert reasons[0] == "'Automating monthly reports' is close to what Lee offers: 'Python scripting'."
    assert not any(r.startswith("None of your goals") for r in reasons)


def test_the_bonus_is_bounded_by_one_shared_term_and_never_beats_the_vocabulary() -> None:
    both_ways = lee(skills=("Python scripting",), goals=("Where the company is heading",))
    leader, mentor = profiles(ADA, both_ways)
    index = index_for([ADA, both_ways])
    with_meaning, without = fit_of(leader, mentor, 8.0, index), fit_of(leader, mentor, 8.0)
    assert with_meaning.shared_by_meaning == ("where the company is heading", "business planning")
    assert with_meaning.score - without.score == 2 * MEANING_WEIGHT == TERM_WEIGHT

    # One direction met by the vocabulary earns its full term weight; meaning adds nothing there.
    exact = lee(skills=("Automating monthly reports", "Python scripting"))
    leader, mentor = profiles(ADA, exact)
    fit = fit_of(leader, mentor, 8.0, index_for([ADA, exact]))
    assert fit.taught == ("automating monthly reports",) and fit.taught_by_meaning is None
    assert fit.score - fit_of(leader, mentor, 8.0).score == 0


def test_unrelated_terms_and_terms_without_vectors_earn_nothing() -> None:
    mentor = lee(skills=("Kubernetes",))
    leader, teacher = profiles(ADA, mentor)
    assert fit_of(leader, teacher, 8.0, index_for([ADA, mentor])).score == fit_of(leader, teacher, 8.0).score
    empty = MeaningIndex(TermVectors("fake", {}), CLOSE_IN_MEANING)
    close = lee(skills=("Python scripting",))
    leader, teacher = profiles(ADA, close)
    assert fit_of(leader, teacher, 8.0, empty) == fit_of(leader, teacher, 8.0)


def test_meaning_decides_between_partners_the_vocabulary_cannot_tell_apart() -> None:
    ben = person("ben", Role.LEADER, seniority=5, goals=("Where the company is heading",))
    cho = person("cho", Role.LEADER, seniority=5, goals=("Scripts that do the boring work",))
    strategist = person("dan", Role.MENTOR, seniority=1, skills=("Business planning",))
    scripter = person("eve", Role.MENTOR, seniority=1, skills=("Python scripting",))
    pool = [ben, cho, scripter, strategist]
    matcher = OptimalMatcher(at=AT)
    rules = MatchRules(min_overlap_hours=0.0)
    meaningful = matcher.match(pool, rules, meanings=vectors_for(pool))
    pairs = {(p.leader.user_id, p.mentor.user_id) for p in meaningful.pairs}
    assert pairs == {("ben", "dan"), ("cho", "eve")}
    plain = matcher.match(pool, rules)
    assert {(p.leader.user_id, p.mentor.user_id) for p in plain.pairs} == {("ben", "eve"), ("cho", "dan")}
    assert matcher.match(pool, rules, meanings=TermVectors("fake", {})) == plain


PATHS: dict[str, dict[str, int]] = {
    "class table, dense terms": {},
    "direct, sparse terms": {"class_table_limit": 0, "dense_terms_limit": 0},
}


@pytest.mark.parametrize("path", list(PATHS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=candidates(max_people=14, workspaces=(("slack", "T1"),), duplicates=False), rules=match_rules())
def test_block_scores_with_meanings_agree_with_the_formula_pair_by_pair(
    path: str, people: list[Candidate], rules: MatchRules
) -> None:
    sides = split_sides(people, 1)
    if not sides.leaders or not sides.mentors:
        return
    index = index_for(people)
    leaders, mentors = profiles(*sides.leaders), profiles(*sides.mentors)
    scorer = PairScorer(leaders, mentors, rules, AT, meanings=index, **PATHS[path])
    block = scorer.block(0, len(leaders))
    for i, leader in enumerate(sides.leaders):
        for j, mentor in enumerate(sides.mentors):
            if allowed(leader, mentor, rules):
                overlap = working_overlap_hours(leader.timezone, mentor.timezone, AT)
                expected = fit_of(leaders[i], mentors[j], overlap, index).score
                assert block[i, j] == pytest.approx(expected, abs=1e-5)
            else:
                assert block[i, j] < 0
    assert np.array_equal(scorer.row(0), block[0])
