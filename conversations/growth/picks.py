"""Each week's one or two resources for a person: matched to what they want to learn and to their side
of the program, never repeated within a round, steered by their 👍 and 👎.

Deterministic: the same person, week and history give the same picks, so a retried preparation or a
second replica agrees, and no language model is needed. A model may reorder the shortlist
(`conversations.growth.ranking`), never add to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.domain import Participant, Role, Side, UserRef
from conversations.growth.resource_catalogue import Resource, ResourceCatalogue
from conversations.i18n import negotiate
from conversations.matching.vocabulary import DEFAULT_VOCABULARY

PER_WEEK = 2
SHORTLIST = 8
"""Candidates a language model may reorder: enough to choose from, few enough to send."""
FALLBACK_LANGUAGE = "en"

DIGITAL_TERMS: frozenset[str] = DEFAULT_VOCABULARY.terms(
    (
        "generative AI",
        "AI",
        "machine learning",
        "large language models",
        "prompt engineering",
        "ChatGPT",
        "Microsoft Copilot",
        "data analysis",
        "data visualisation",
        "Python",
        "SQL",
        "Excel",
        "Power BI",
        "automation",
        "no-code tools",
        "social media",
        "digital marketing",
        "cybersecurity",
        "cloud computing",
        "UX design",
        "collaboration tools",
        "agile ways of working",
    )
)
"""The AI and digital subjects leaders come to learn; everything else is the strategy and business side
mentors come to learn."""

TOPIC_WEIGHT = 4
GOAL_WEIGHT = 2
SIDE_WEIGHT = 2
LIKED_WEIGHT = 1
DISLIKED_WEIGHT = 2


@dataclass(frozen=True)
class ResourcePick:
    """One resource shown to one person in one week of a pairing, and their vote on it (+1, -1, or 0)."""

    pairing_id: str
    user: UserRef
    week: str
    resource_id: str
    position: int
    shown_at: datetime
    vote: int = 0


@dataclass(frozen=True)
class PickHistory:
    shown: frozenset[str] = frozenset()
    """Shown in this round (this pairing): not shown again."""
    liked: frozenset[str] = frozenset()
    disliked: frozenset[str] = frozenset()
    """Never shown again, and their subjects count against similar resources."""


def history_of(picks: Iterable[ResourcePick], pairing_id: str) -> PickHistory:
    """What a person's stored picks say: shown in this pairing, and their votes from any round."""
    picks = list(picks)
    return PickHistory(
        shown=frozenset(p.resource_id for p in picks if p.pairing_id == pairing_id),
        liked=frozenset(p.resource_id for p in picks if p.vote > 0),
        disliked=frozenset(p.resource_id for p in picks if p.vote < 0),
    )


def side_of(person: Participant, side: Side | None = None) -> Side:
    """The side the person learns on: their pairing's, or their role's when it is not both."""
    if side is not None:
        return side
    return Side.MENTOR if person.role is Role.MENTOR else Side.LEADER


def readable_languages(person: Participant) -> frozenset[str]:
    return frozenset({negotiate(person.language), FALLBACK_LANGUAGE})


class ResourceLibrary:
    """Picks from one catalogue."""

    def __init__(self, catalogue: ResourceCatalogue, per_week: int = PER_WEEK) -> None:
        self.catalogue = catalogue
        self.per_week = per_week

    def shortlist(
        self,
        person: Participant,
        week: str,
        topic_terms: Sequence[str] = (),
        *,
        side: Side | None = None,
        history: PickHistory = PickHistory(),
        size: int = SHORTLIST,
    ) -> tuple[Resource, ...]:
        """The best `size` resources for the person this week, best first."""
        wanted = DEFAULT_VOCABULARY.terms(person.learning_goals)
        topic = DEFAULT_VOCABULARY.terms(topic_terms)
        digital = side_of(person, side) is Side.LEADER
        languages = readable_languages(person)
        own_language = negotiate(person.language)
        liked_terms = _terms_of(self.catalogue, history.liked)
        disliked_terms = _terms_of(self.catalogue, history.disliked)

        def score(resource: Resource) -> float:
            on_side = bool(resource.terms & DIGITAL_TERMS) == digital
            return (
                TOPIC_WEIGHT * _overlap(resource.terms, topic)
                + GOAL_WEIGHT * _overlap(resource.terms, wanted)
                + SIDE_WEIGHT * on_side
                + LIKED_WEIGHT * len(resource.terms & liked_terms)
                - DISLIKED_WEIGHT * len(resource.terms & disliked_terms)
                + 0.5 * (resource.language == own_language != FALLBACK_LANGUAGE)
            )

        eligible = [
            r
            for r in self.catalogue
            if r.id not in history.shown and r.id not in history.disliked and r.language in languages
        ]
        ranked = sorted(eligible, key=lambda r: (-score(r), _shuffle_key(person.user, week, r.id)))
        return tuple(ranked[:size])

    def resources_for(
        self,
        person: Participant,
        week: str,
        topic_terms: Sequence[str] = (),
        *,
        side: Side | None = None,
        history: PickHistory = PickHistory(),
    ) -> tuple[Resource, ...]:
        """This week's resources for the person. `topic_terms`: what they are working on now (a
        milestone's subjects), weighed above their standing learning goals."""
        return self.shortlist(person, week, topic_terms, side=side, history=history, size=self.per_week)


def _overlap(skills: frozenset[str], wanted: frozenset[str]) -> float:
    """How many of a resource's skills a person's terms ask for: a skill named exactly counts one, a
    term naming it among more words half ("company strategy" asks for "strategy", a little)."""
    return sum(_asked(skill, wanted) for skill in skills)


def _asked(skill: str, wanted: frozenset[str]) -> float:
    if skill in wanted:
        return 1.0
    return 0.5 if any(f" {skill} " in f" {term} " for term in wanted) else 0.0


def _terms_of(catalogue: ResourceCatalogue, ids: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    for resource_id in ids:
        resource = catalogue.get(resource_id)
        if resource is not None:
            found |= resource.terms
    return frozenset(found)


def _shuffle_key(user: UserRef, week: str, resource_id: str) -> bytes:
    """Equal scores in an order of their own per person and week: not always the catalogue's first rows."""
    return hashlib.sha256(f"{user.key}|{week}|{resource_id}".encode()).digest()
