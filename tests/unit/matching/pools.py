"""Generated matching pools and the invariants every matcher result must satisfy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import strategies as st

from conversations.domain import Role, UserRef
from conversations.matching.fit import TermProfile, fit_of
from conversations.matching.model import Candidate, MatchResult, MatchRules
from conversations.matching.rules import broken_rule, same_workspace
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from conversations.matching.working_hours import working_overlap_hours

AT = datetime(2025, 1, 15, 12, tzinfo=UTC)
"""A fixed instant, so daylight saving never changes a test's timezone offsets."""

ZONES = [
    "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo", "Pacific/Auckland", "Pacific/Kiritimati",
    "Not/AZone", "",
]  # fmt: skip
TERMS = [
    "GenAI", "generative ai", "Gen-AI", "ML", "machine learning", "Python", " python ", "SQL",
    "spreadsheets", "Excel", "strategy", "Business Strategy", "negotiation", "public speaking",
    "presenting", "kubernetes", "", "P&L",
]  # fmt: skip
DEPARTMENTS = ["Finance", "finance ", "Engineering", "Sales", ""]


@st.composite
def candidates(
    draw: st.DrawFn,
    max_people: int = 12,
    roles: Sequence[Role] = (Role.LEADER, Role.MENTOR, Role.BOTH),
    workspaces: Sequence[tuple[str, str]] = (("slack", "T1"), ("slack", "T2"), ("teams", "T1")),
    duplicates: bool = True,
) -> list[Candidate]:
    """A pool drawn from one hypothesis-controlled random source: cheap enough for many examples."""
    count = draw(st.integers(0, max_people))
    rng = draw(st.randoms(use_true_random=False))
    ids = [f"U{k}" for k in range(count)]

    def some(values: Sequence[str], most: int) -> list[str]:
        return [rng.choice(values) for _ in range(rng.randint(0, most))] if values else []

    people: list[Candidate] = []
    for uid in ids:
        platform, workspace = workspaces[0] if rng.random() < 0.7 else rng.choice(list(workspaces))
        role = rng.choice(list(roles))
        # Mostly realistic seniority (leaders senior, mentors junior), sometimes anything.
        typical = {Role.LEADER: (3, 6), Role.MENTOR: (1, 4)}.get(role, (1, 6))
        seniority = rng.randint(*typical)
        people.append(
            Candidate(
                user=UserRef(platform, workspace, uid),
                display_name=rng.choice([f"Person {uid}", ""]),
                role=role,
                department=rng.choice(DEPARTMENTS),
                seniority=seniority if rng.random() < 0.8 else rng.randint(1, 6),
                timezone=rng.choice(ZONES[:3]) if rng.random() < 0.6 else rng.choice(ZONES),
                skills=tuple(some(TERMS, 3)),
                learning_goals=tuple(some(TERMS, 3)),
                manager_chain=tuple(some(ids, 2)),
                recent_partners=frozenset(some(ids, 2)),
            )
        )
    if duplicates and people:
        for _ in range(rng.choice([0, 0, 1, 3])):
            original = rng.choice(people)
            people.append(
                Candidate(
                    user=original.user,
                    display_name="A second entry",
                    role=Role.BOTH,
                    department="Elsewhere",
                    seniority=rng.randint(1, 6),
                    timezone="UTC",
                    skills=("python",),
                )
            )
    return people


@st.composite
def match_rules(draw: st.DrawFn, friendly: bool = False) -> MatchRules:
    """Any rules, absurd ones included; `friendly` ones leave most pairs allowed."""
    if friendly:
        return MatchRules(
            min_seniority_gap=draw(st.sampled_from([0, 1])),
            repeat_lookback_cycles=draw(st.integers(0, 3)),
            min_overlap_hours=draw(st.sampled_from([0.0, 2.0])),
            mentor_capacity=draw(st.sampled_from([1, 1, 2, 3, 10**9])),
            separate_reporting_lines=draw(st.booleans()),
        )
    return MatchRules(
        min_seniority_gap=draw(st.sampled_from([0, 1, 1, 1, 2, 3, -1])),
        repeat_lookback_cycles=draw(st.integers(0, 3)),
        min_overlap_hours=draw(st.sampled_from([0.0, 1.0, 2.0, 2.0, 2.0, 4.5, 8.0, 9.0])),
        mentor_capacity=draw(st.sampled_from([-1, 0, 1, 1, 1, 2, 3, 10**9])),
        separate_reporting_lines=draw(st.booleans()),
    )


def first_entries(people: Sequence[Candidate]) -> dict[UserRef, Candidate]:
    first: dict[UserRef, Candidate] = {}
    for person in people:
        first.setdefault(person.user, person)
    return first


def pair_fit(leader: Candidate, mentor: Candidate) -> float:
    """The documented formula, computed one pair at a time."""
    overlap = working_overlap_hours(leader.timezone, mentor.timezone, AT)
    return fit_of(
        TermProfile.of(leader, DEFAULT_VOCABULARY), TermProfile.of(mentor, DEFAULT_VOCABULARY), overlap
    ).score


def allowed(leader: Candidate, mentor: Candidate, rules: MatchRules) -> bool:
    if leader.user == mentor.user or not same_workspace(leader, mentor):
        return False
    overlap = working_overlap_hours(leader.timezone, mentor.timezone, AT)
    return broken_rule(leader, mentor, rules, overlap) is None


def total_fit(people: Sequence[Candidate], result: MatchResult) -> float:
    first = first_entries(people)
    return sum(pair_fit(first[p.leader], first[p.mentor]) for p in result.pairs)


def assert_valid(people: Sequence[Candidate], rules: MatchRules, result: MatchResult) -> None:
    """What every matcher promises, whatever the input."""
    first = first_entries(people)
    leaders = Counter(p.leader for p in result.pairs)
    mentors = Counter(p.mentor for p in result.pairs)
    waitlisted = Counter(w.user for w in result.waitlist)

    assert all(count == 1 for count in leaders.values()), "a leader was paired twice"
    assert all(count == 1 for count in waitlisted.values()), "someone was waitlisted twice"
    assert not set(leaders) & set(mentors), "someone was both a leader and a mentor"
    placed = set(leaders) | set(mentors)
    assert not placed & set(waitlisted), "someone was both paired and waitlisted"
    assert placed | set(waitlisted) == set(first), "someone was lost or invented"

    capacity = max(0, rules.mentor_capacity)
    assert all(count <= capacity for count in mentors.values()), "a mentor is beyond capacity"
    for pair in result.pairs:
        leader, mentor = first[pair.leader], first[pair.mentor]
        assert leader.role.can_lead() and mentor.role.can_mentor()
        assert allowed(leader, mentor, rules), f"a hard rule is broken by {pair}"
        assert abs(pair.score - pair_fit(leader, mentor)) < 1e-3
        assert pair.reasons and all(r.strip() for r in pair.reasons)
    for entry in result.waitlist:
        assert entry.reason.strip().endswith("."), entry.reason


def assert_maximal(people: Sequence[Candidate], rules: MatchRules, result: MatchResult) -> None:
    """No waitlisted leader could still be given a waitlisted-or-unfilled mentor it is allowed with."""
    first = first_entries(people)
    load = Counter(p.mentor for p in result.pairs)
    capacity = max(0, rules.mentor_capacity)
    waiting = [first[w.user] for w in result.waitlist]
    paired_leaders = {p.leader for p in result.pairs}
    for leader in waiting:
        if not leader.role.can_lead():
            continue
        for mentor in first.values():
            if mentor.user in paired_leaders or mentor.user == leader.user or load[mentor.user] >= capacity:
                continue
            if not mentor.role.can_mentor() or mentor.role is Role.BOTH or leader.role is Role.BOTH:
                continue  # people who could go either way were placed on one side by rule
            assert not allowed(leader, mentor, rules), f"{leader.user} and {mentor.user} were both left over"


def person(
    user_id: str,
    role: Role,
    *,
    seniority: int | None = None,
    timezone_name: str = "Europe/London",
    skills: tuple[str, ...] = (),
    goals: tuple[str, ...] = (),
    department: str = "Engineering",
    workspace: str = "T1",
    platform: str = "slack",
    manager_chain: tuple[str, ...] = (),
    recent_partners: frozenset[str] = frozenset(),
) -> Candidate:
    """A hand-written candidate: leaders default to seniority 5, mentors to 2."""
    if seniority is None:
        seniority = {Role.LEADER: 5, Role.MENTOR: 2}.get(role, 3)
    return Candidate(
        user=UserRef(platform, workspace, user_id),
        display_name=user_id.title(),
        role=role,
        department=department,
        seniority=seniority,
        timezone=timezone_name,
        skills=skills,
        learning_goals=goals,
        manager_chain=manager_chain,
        recent_partners=recent_partners,
    )
