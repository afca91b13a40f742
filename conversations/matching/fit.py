"""How well a leader and a mentor fit, and the words that tell them why.

Fit of a (leader, mentor) pair, both directions of learning counted:

    fit = 2.0 x |mentor's skills ∩ leader's learning goals|      (what the mentor can teach)
        + 2.0 x |leader's skills ∩ mentor's learning goals|      (what the leader can share)
        + 1.0 if both of those are non-empty                      (a genuinely two-way pair)
        + 0.5 if the two work in different departments (both known)
        + shared working hours / 8                                (0 to 1 for a 0-8 hour overlap)

Terms are compared after vocabulary normalisation (`vocabulary.py`). A single shared term always
outweighs every soft preference together (2.0 > 0.5 + 1.0), so preferences only break ties between
equally relevant partners. Every weight is a multiple of 1/32, which keeps scores exact in float32.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.matching.model import Candidate
from conversations.matching.vocabulary import Vocabulary
from conversations.matching.working_hours import WORKDAY_HOURS

TERM_WEIGHT = 2.0
TWO_WAY_BONUS = 1.0
DEPARTMENT_BONUS = 0.5
OVERLAP_WEIGHT_PER_HOUR = 1.0 / WORKDAY_HOURS


def department_key(department: str) -> str:
    """Case and spacing never make two people's department "different"; blank means unknown."""
    return " ".join(department.split()).casefold()


@dataclass(frozen=True)
class TermProfile:
    """A candidate as the matchers compare them: normalised terms and department."""

    candidate: Candidate
    goals: frozenset[str]
    skills: frozenset[str]
    department: str

    @classmethod
    def of(cls, candidate: Candidate, vocabulary: Vocabulary) -> TermProfile:
        return cls(
            candidate=candidate,
            goals=vocabulary.terms(candidate.learning_goals),
            skills=vocabulary.terms(candidate.skills),
            department=department_key(candidate.department),
        )


@dataclass(frozen=True)
class Fit:
    taught: tuple[str, ...]
    """Canonical terms the mentor can teach the leader."""
    shared: tuple[str, ...]
    """Canonical terms the leader can share with the mentor."""
    different_departments: bool
    overlap_hours: float

    @property
    def score(self) -> float:
        score = TERM_WEIGHT * (len(self.taught) + len(self.shared))
        if self.taught and self.shared:
            score += TWO_WAY_BONUS
        if self.different_departments:
            score += DEPARTMENT_BONUS
        return score + OVERLAP_WEIGHT_PER_HOUR * self.overlap_hours


def fit_of(leader: TermProfile, mentor: TermProfile, overlap_hours: float) -> Fit:
    return Fit(
        taught=tuple(sorted(mentor.skills & leader.goals)),
        shared=tuple(sorted(leader.skills & mentor.goals)),
        different_departments=bool(
            leader.department and mentor.department and leader.department != mentor.department
        ),
        overlap_hours=overlap_hours,
    )


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _name(candidate: Candidate, fallback: str) -> str:
    return candidate.display_name.strip() or fallback


def _own_words(term: str, raws: tuple[str, ...], vocabulary: Vocabulary) -> str:
    """A matched term as people should read it: terms are compared case-folded, so a term the
    vocabulary does not know is shown as the person who offers it wrote it ("AI assistants", not
    "ai assistants"); a known one by the vocabulary's label."""
    label = vocabulary.label(term)
    if label != term:
        return label
    for raw in raws:
        if vocabulary.canonical(raw) == term:
            return " ".join(raw.split())
    return label


def _hours(hours: float) -> str:
    return f"{hours:g} working hour{'' if hours == 1 else 's'}"


def explain(leader: TermProfile, mentor: TermProfile, fit: Fit, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Short sentences, stored with the pairing and shown in the introduction to both people."""
    leader_name = _name(leader.candidate, "The leader")
    mentor_name = _name(mentor.candidate, "The mentor")
    reasons: list[str] = []
    if fit.taught:
        terms = _join([_own_words(t, mentor.candidate.skills, vocabulary) for t in fit.taught])
        reasons.append(f"{mentor_name} can teach {leader_name} {terms}.")
    if fit.shared:
        terms = _join([_own_words(t, leader.candidate.skills, vocabulary) for t in fit.shared])
        reasons.append(f"{leader_name} can share {terms} with {mentor_name}.")
    if not fit.taught and not fit.shared:
        reasons.append("None of your goals names the other's skills yet: agree on goals when you first meet.")
    zone_a, zone_b = leader.candidate.timezone, mentor.candidate.timezone
    if zone_a == zone_b:
        reasons.append(f"You share all {_hours(fit.overlap_hours)} of the day ({zone_a or 'UTC'}).")
    else:
        zones = f"{zone_a or 'UTC'} and {zone_b or 'UTC'}"
        reasons.append(f"You share {_hours(fit.overlap_hours)} a day ({zones}).")
    if fit.different_departments:
        reasons.append(
            f"You work in different departments ({leader.candidate.department.strip()} and "
            f"{mentor.candidate.department.strip()})."
        )
    return tuple(reasons)
