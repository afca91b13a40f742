"""Odd pools and odd rules give a clear result - who waits and why - never an exception."""

from __future__ import annotations

import pytest

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.model import Matcher, MatchResult, MatchRules
from tests.support.greedy_matcher import GreedyMatcher

from .pools import AT, assert_valid, person

MATCHERS: dict[str, Matcher] = {
    "optimal": OptimalMatcher(at=AT),
    "optimal, sparse": OptimalMatcher(at=AT, dense_limit=0, candidates_per_leader=1),
    "greedy": GreedyMatcher(at=AT),
}


@pytest.fixture(params=list(MATCHERS))
def matcher(request: pytest.FixtureRequest) -> Matcher:
    return MATCHERS[request.param]


def reasons(result: MatchResult) -> dict[str, str]:
    return {entry.user.user_id: entry.reason for entry in result.waitlist}


def pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.leader.user_id, p.mentor.user_id) for p in result.pairs}


def test_an_empty_pool_gives_an_empty_result(matcher: Matcher) -> None:
    assert matcher.match([], MatchRules()) == MatchResult((), ())


def test_leaders_without_mentors_are_told_no_mentor_joined(matcher: Matcher) -> None:
    result = matcher.match([person("a", Role.LEADER), person("b", Role.LEADER)], MatchRules())
    assert reasons(result) == {"a": "No mentors joined this round.", "b": "No mentors joined this round."}


def test_mentors_without_leaders_are_told_no_leader_joined(matcher: Matcher) -> None:
    result = matcher.match([person("m", Role.MENTOR)], MatchRules())
    assert reasons(result) == {"m": "No leaders joined this round."}


def test_people_of_different_workspaces_are_never_paired(matcher: Matcher) -> None:
    people = [
        person("a", Role.LEADER, workspace="T1"),
        person("m", Role.MENTOR, workspace="T2"),
        person("n", Role.MENTOR, workspace="T1", platform="teams"),
    ]
    result = matcher.match(people, MatchRules())
    assert result.pairs == ()
    assert reasons(result) == {
        "a": "No mentors joined this round.",
        "m": "No leaders joined this round.",
        "n": "No leaders joined this round.",
    }


def test_everyone_blocked_by_one_rule_is_told_which_rule(matcher: Matcher) -> None:
    people = [person("a", Role.LEADER, seniority=1), person("m", Role.MENTOR, seniority=1)]
    result = matcher.match(people, MatchRules(min_seniority_gap=1))
    assert reasons(result) == {
        "a": "Every possible mentor is ruled out by the minimum seniority gap of 1 level.",
        "m": "Every possible leader is ruled out by the minimum seniority gap of 1 level.",
    }


def test_everyone_blocked_by_several_rules_is_told_each_with_counts(matcher: Matcher) -> None:
    people = [
        person("boss", Role.LEADER, seniority=6),
        person("report", Role.MENTOR, manager_chain=("boss",)),
        person("tokyo", Role.MENTOR, timezone_name="Asia/Tokyo"),
        person("senior", Role.MENTOR, seniority=6),
        person("again", Role.MENTOR, recent_partners=frozenset({"boss"})),
    ]
    result = matcher.match(people, MatchRules(min_overlap_hours=2, repeat_lookback_cycles=2))
    assert result.pairs == ()
    assert reasons(result)["boss"] == (
        "Every possible mentor is ruled out by a hard rule: the minimum seniority gap of 1 level (1 mentor); "
        "the minimum of 2 shared working hours (1 mentor); the rule against pairing people in the same "
        "reporting line (1 mentor); the rule against repeating a pairing from the last 2 cycles (1 mentor)."
    )
    assert reasons(result)["report"] == (
        "Every possible leader is ruled out by the rule against pairing people in the same reporting line."
    )


def test_rules_that_are_switched_off_do_not_block(matcher: Matcher) -> None:
    people = [
        person("boss", Role.LEADER),
        person("report", Role.MENTOR, manager_chain=("boss",), recent_partners=frozenset({"boss"})),
    ]
    rules = MatchRules(separate_reporting_lines=False, repeat_lookback_cycles=0)
    assert pairs(matcher.match(people, rules)) == {("boss", "report")}


def test_a_duplicated_person_counts_once_as_first_listed(matcher: Matcher) -> None:
    people = [
        person("a", Role.LEADER),
        person("m", Role.MENTOR),
        person("a", Role.MENTOR, seniority=1),
        person("m", Role.LEADER, seniority=6),
        person("a", Role.LEADER),
    ]
    result = matcher.match(people, MatchRules())
    assert pairs(result) == {("a", "m")}
    assert result.waitlist == ()


@pytest.mark.parametrize("capacity", [0, -3])
def test_no_mentor_places_waitlists_everyone_with_the_capacity_as_reason(
    matcher: Matcher, capacity: int
) -> None:
    people = [person("a", Role.LEADER), person("m", Role.MENTOR)]
    result = matcher.match(people, MatchRules(mentor_capacity=capacity))
    assert result.pairs == ()
    assert reasons(result) == {
        "a": "Mentors can take no leaders this round (mentor capacity is set to 0).",
        "m": "Mentors take no leaders this round (mentor capacity is set to 0).",
    }


def test_an_absurd_capacity_is_just_a_large_one_and_leaders_still_spread(matcher: Matcher) -> None:
    people = [person(f"l{k}", Role.LEADER, goals=("python",)) for k in range(5)]
    people += [person("star", Role.MENTOR, skills=("python",)), person("plain", Role.MENTOR)]
    rules = MatchRules(mentor_capacity=10**12)
    result = matcher.match(people, rules)
    assert_valid(people, rules, result)
    assert len(result.pairs) == 5
    if not isinstance(matcher, GreedyMatcher):  # the optimum gives every mentor a leader first
        assert {p.mentor.user_id for p in result.pairs} == {"star", "plain"}


def test_more_leaders_than_places_names_both_numbers(matcher: Matcher) -> None:
    people = [person(f"l{k}", Role.LEADER) for k in range(3)] + [person("m", Role.MENTOR)]
    result = matcher.match(people, MatchRules(mentor_capacity=2))
    assert len(result.pairs) == 2
    assert list(reasons(result).values()) == [
        "There were more leaders (3) than mentor places (2) this round."
    ]


def test_more_mentors_than_leaders_names_both_numbers(matcher: Matcher) -> None:
    people = [person("l", Role.LEADER), person("m1", Role.MENTOR), person("m2", Role.MENTOR)]
    result = matcher.match(people, MatchRules())
    assert list(reasons(result).values()) == ["There were more mentors (2) than leaders (1) this round."]


def test_a_leader_whose_only_mentor_went_elsewhere_is_told_so(matcher: Matcher) -> None:
    people = [
        person("a", Role.LEADER),
        person("b", Role.LEADER),
        person("x", Role.MENTOR),
        person("y", Role.MENTOR, timezone_name="Asia/Tokyo"),
    ]
    result = matcher.match(people, MatchRules(min_overlap_hours=2))
    assert len(result.pairs) == 1
    waiting = reasons(result)
    leader = next(user for user in waiting if user in {"a", "b"})
    assert waiting[leader] == (
        "Every mentor who fits the rules for you was needed for another leader this round."
    )
    assert waiting["y"] == "Every possible leader is ruled out by the minimum of 2 shared working hours."


def test_unknown_timezones_and_blank_profiles_still_match(matcher: Matcher) -> None:
    people = [
        person("a", Role.LEADER, timezone_name="Mars/Olympus_Mons", department=""),
        person("m", Role.MENTOR, timezone_name="", department=""),
    ]
    result = matcher.match(people, MatchRules())
    assert pairs(result) == {("a", "m")}
    assert "You share 8 working hours a day (Mars/Olympus_Mons and UTC)." in result.pairs[0].reasons


def test_impossible_working_hours_rule_blocks_everyone_clearly(matcher: Matcher) -> None:
    people = [person("a", Role.LEADER), person("m", Role.MENTOR)]
    result = matcher.match(people, MatchRules(min_overlap_hours=9))
    assert reasons(result)["a"] == (
        "Every possible mentor is ruled out by the minimum of 9 shared working hours."
    )
