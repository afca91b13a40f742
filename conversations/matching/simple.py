"""A greedy matcher: correct under the hard rules, not optimal. Kept as a baseline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from conversations.domain import Role
from conversations.matching.model import Candidate, MatchResult, MatchRules, ProposedPair, Waitlisted

WORK_START_HOUR = 9
WORK_END_HOUR = 17


def utc_offset_hours(tz_name: str, at: datetime | None = None) -> float:
    at = at or datetime.now(timezone.utc)
    try:
        offset = at.astimezone(ZoneInfo(tz_name)).utcoffset()
    except Exception:  # an unknown zone counts as UTC rather than breaking a round
        return 0.0
    return offset.total_seconds() / 3600 if offset else 0.0


def working_overlap_hours(tz_a: str, tz_b: str) -> float:
    shift = abs(utc_offset_hours(tz_a) - utc_offset_hours(tz_b))
    return max(0.0, (WORK_END_HOUR - WORK_START_HOUR) - shift)


def _terms(values: Sequence[str]) -> set[str]:
    return {v.strip().lower() for v in values if v.strip()}


def violates_rules(leader: Candidate, mentor: Candidate, rules: MatchRules) -> str | None:
    """The first hard rule a pair would break, or None."""
    if leader.user == mentor.user:
        return "same person"
    if leader.user.platform != mentor.user.platform or leader.user.workspace_id != mentor.user.workspace_id:
        return "different workspaces"
    if leader.seniority - mentor.seniority < rules.min_seniority_gap:
        return "seniority gap too small"
    if mentor.user.user_id in leader.recent_partners or leader.user.user_id in mentor.recent_partners:
        return "paired recently"
    if rules.separate_reporting_lines and (
        mentor.user.user_id in leader.manager_chain or leader.user.user_id in mentor.manager_chain
    ):
        return "same reporting line"
    if working_overlap_hours(leader.timezone, mentor.timezone) < rules.min_overlap_hours:
        return "too few shared working hours"
    return None


def fit(leader: Candidate, mentor: Candidate) -> tuple[float, tuple[str, ...]]:
    """Score a pair and explain it: both directions of skill-to-goal overlap count."""
    taught = sorted(_terms(mentor.skills) & _terms(leader.learning_goals))
    shared = sorted(_terms(leader.skills) & _terms(mentor.learning_goals))
    score = 2.0 * len(taught) + 2.0 * len(shared)
    reasons = []
    if taught:
        reasons.append(f"{mentor.display_name} can teach {', '.join(taught)}")
    if shared:
        reasons.append(f"{leader.display_name} can share {', '.join(shared)}")
    if leader.department.lower() != mentor.department.lower():
        score += 0.5
        reasons.append(f"different departments ({leader.department} / {mentor.department})")
    overlap = working_overlap_hours(leader.timezone, mentor.timezone)
    score += overlap / 8
    reasons.append(f"{overlap:g} working hours in common")
    return score, tuple(reasons)


class GreedyMatcher:
    """Best-scoring allowed pair first, repeatedly; people who could go either way take the scarcer side."""

    def match(self, candidates: Sequence[Candidate], rules: MatchRules) -> MatchResult:
        unique: dict[object, Candidate] = {}
        waitlist: list[Waitlisted] = []
        for c in candidates:
            if c.user in unique:
                continue
            unique[c.user] = c
        people = list(unique.values())
        leaders = [c for c in people if c.role is Role.LEADER]
        mentors = [c for c in people if c.role is Role.MENTOR]
        for c in (c for c in people if c.role is Role.BOTH):
            (leaders if len(leaders) <= len(mentors) else mentors).append(c)

        options: list[tuple[float, int, int, tuple[str, ...]]] = []
        blocked: dict[object, str] = {}
        for i, leader in enumerate(leaders):
            for j, mentor in enumerate(mentors):
                why_not = violates_rules(leader, mentor, rules)
                if why_not:
                    blocked.setdefault(leader.user, why_not)
                    blocked.setdefault(mentor.user, why_not)
                    continue
                score, reasons = fit(leader, mentor)
                options.append((score, i, j, reasons))
        options.sort(key=lambda o: (-o[0], o[1], o[2]))

        capacity = max(1, rules.mentor_capacity)
        leader_taken: set[int] = set()
        mentor_load: dict[int, int] = {}
        pairs: list[ProposedPair] = []
        for score, i, j, reasons in options:
            if i in leader_taken or mentor_load.get(j, 0) >= capacity:
                continue
            leader_taken.add(i)
            mentor_load[j] = mentor_load.get(j, 0) + 1
            pairs.append(ProposedPair(leaders[i].user, mentors[j].user, round(score, 3), reasons))

        for i, leader in enumerate(leaders):
            if i not in leader_taken:
                waitlist.append(Waitlisted(leader.user, _waitlist_reason(leader, "mentor", blocked, mentors)))
        for j, mentor in enumerate(mentors):
            if j not in mentor_load:
                waitlist.append(Waitlisted(mentor.user, _waitlist_reason(mentor, "leader", blocked, leaders)))
        return MatchResult(tuple(pairs), tuple(waitlist))


def _waitlist_reason(person: Candidate, wanted: str, blocked: dict[object, str], pool: list[Candidate]) -> str:
    if not pool:
        return f"no {wanted}s joined this round"
    if person.user in blocked:
        return f"every available {wanted} was already taken or ruled out ({blocked[person.user]})"
    return f"more {person.role.value}s than {wanted}s this round"
