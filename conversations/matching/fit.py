"""How well a leader and a mentor fit, and the words that tell them why.

Fit of a (leader, mentor) pair, both directions of learning counted:

    fit = 2.0 x |mentor's skills ∩ leader's learning goals|      (what the mentor can teach)
        + 2.0 x |leader's skills ∩ mentor's learning goals|      (what the leader can share)
        + 1.0 if both of those are non-empty                      (a genuinely two-way pair)
        + 0.5 if the two work in different departments (both known)
        + shared working hours / 8                                (0 to 1 for a 0-8 hour overlap)
        + 1.0 for each direction that shares no term but has a goal close in meaning to one of the
          other's skills (only when an embeddings model is configured: at most 2.0 in all)

Terms are compared after vocabulary normalisation (`vocabulary.py`). A single shared term always
outweighs every soft preference together (2.0 > 0.5 + 1.0), so preferences only break ties between
equally relevant partners. Closeness in meaning is bounded by the weight of one shared term: both
directions together earn at most what one shared term earns, a single direction half of it, so a
paraphrase never outweighs the vocabulary's own match. Two terms are close when the cosine similarity
of their embeddings is at least `CLOSE_IN_MEANING`. Every weight is a multiple of 1/32, which keeps
scores exact in float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from conversations.i18n import _
from conversations.matching.model import Candidate
from conversations.matching.vocabulary import Vocabulary
from conversations.matching.working_hours import WORKDAY_HOURS

if TYPE_CHECKING:
    from conversations.matching.meaning import MeaningIndex

TERM_WEIGHT = 2.0
TWO_WAY_BONUS = 1.0
DEPARTMENT_BONUS = 0.5
OVERLAP_WEIGHT_PER_HOUR = 1.0 / WORKDAY_HOURS
MEANING_WEIGHT = 1.0
"""Per direction; both directions together equal `TERM_WEIGHT`, the weight of one shared term."""
CLOSE_IN_MEANING = 0.75
"""Cosine similarity from which two different terms count as close in meaning."""


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
    taught_by_meaning: tuple[str, str] | None = None
    """When nothing is `taught`: the leader's goal and the mentor's skill closest in meaning, if close."""
    shared_by_meaning: tuple[str, str] | None = None
    """When nothing is `shared`: the mentor's goal and the leader's skill closest in meaning, if close."""

    @property
    def score(self) -> float:
        score = TERM_WEIGHT * (len(self.taught) + len(self.shared))
        if self.taught and self.shared:
            score += TWO_WAY_BONUS
        score += MEANING_WEIGHT * (
            (self.taught_by_meaning is not None) + (self.shared_by_meaning is not None)
        )
        if self.different_departments:
            score += DEPARTMENT_BONUS
        return score + OVERLAP_WEIGHT_PER_HOUR * self.overlap_hours


def fit_of(
    leader: TermProfile, mentor: TermProfile, overlap_hours: float, meanings: MeaningIndex | None = None
) -> Fit:
    taught = tuple(sorted(mentor.skills & leader.goals))
    shared = tuple(sorted(leader.skills & mentor.goals))
    return Fit(
        taught=taught,
        shared=shared,
        different_departments=bool(
            leader.department and mentor.department and leader.department != mentor.department
        ),
        overlap_hours=overlap_hours,
        taught_by_meaning=meanings.closest(leader.goals, mentor.skills) if meanings and not taught else None,
        shared_by_meaning=meanings.closest(mentor.goals, leader.skills) if meanings and not shared else None,
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
    for close, learner, offerer in (
        (fit.taught_by_meaning, leader, mentor),
        (fit.shared_by_meaning, mentor, leader),
    ):
        if close is not None:
            goal, skill = close
            reasons.append(
                _(
                    "'{goal}' is close to what {name} offers: '{skill}'.",
                    goal=_own_words(goal, learner.candidate.learning_goals, vocabulary),
                    name=_name(offerer.candidate, _("your partner")),
                    skill=_own_words(skill, offerer.candidate.skills, vocabulary),
                )
            )
    if not fit.taught and not fit.shared and fit.taught_by_meaning is None and fit.shared_by_meaning is None:
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
