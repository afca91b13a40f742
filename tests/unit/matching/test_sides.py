"""People who joined as both leader and mentor: placed to pair as many people as possible."""

from __future__ import annotations

import pytest

from conversations.domain import Role
from conversations.matching import OptimalMatcher
from conversations.matching.model import MatchRules
from conversations.matching.pool import leaders_to_take, split_sides

from .pools import AT, person


@pytest.mark.parametrize(
    ("leaders", "mentors", "flexible", "capacity", "take"),
    [
        (0, 0, 4, 1, 2),  # an even split
        (3, 0, 3, 1, 0),  # all flexible people mentor
        (0, 3, 3, 1, 3),  # all flexible people lead
        (1, 0, 5, 2, 3),  # 4 leaders for 2 mentors x 2 places: everybody paired
        (0, 0, 3, 10**9, 2),  # one mentor is enough when capacity is unlimited
        (2, 2, 0, 1, 0),
        (0, 0, 1, 1, 0),
    ],
)
def test_flexible_people_even_out_the_sides(
    leaders: int, mentors: int, flexible: int, capacity: int, take: int
) -> None:
    assert leaders_to_take(leaders, mentors, flexible, capacity) == take


def test_the_most_senior_flexible_people_lead() -> None:
    pool = [person(f"p{s}", Role.BOTH, seniority=s) for s in (2, 5, 3, 6)]
    sides = split_sides(pool, capacity=1)
    assert [c.seniority for c in sides.leaders] == [6, 5]
    assert [c.seniority for c in sides.mentors] == [3, 2]


def test_flexible_people_are_paired_on_the_side_they_were_given() -> None:
    people = [
        person("veteran", Role.BOTH, seniority=6, goals=("genai",)),
        person("junior", Role.BOTH, seniority=1, skills=("GenAI",)),
    ]
    result = OptimalMatcher(at=AT).match(people, MatchRules())
    assert [(p.leader.user_id, p.mentor.user_id) for p in result.pairs] == [("veteran", "junior")]
    assert result.pairs[0].reasons[0] == "Junior can teach Veteran generative AI."
