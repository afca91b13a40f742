"""Pairing leaders with mentors: the data a matcher sees and the answer it gives."""

from conversations.matching.model import (
    Candidate,
    Matcher,
    MatchResult,
    MatchRules,
    ProposedPair,
    Waitlisted,
)
from conversations.matching.optimal import OptimalMatcher
from conversations.matching.simple import GreedyMatcher

__all__ = [
    "Candidate",
    "GreedyMatcher",
    "Matcher",
    "MatchResult",
    "MatchRules",
    "OptimalMatcher",
    "ProposedPair",
    "Waitlisted",
]
