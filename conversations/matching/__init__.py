"""Pairing leaders with mentors: the data a matcher sees and the answer it gives."""

from conversations.matching.model import (
    Candidate,
    Matcher,
    MatchResult,
    MatchRules,
    ProposedPair,
    Waitlisted,
)

__all__ = ["Candidate", "Matcher", "MatchResult", "MatchRules", "ProposedPair", "Waitlisted"]
