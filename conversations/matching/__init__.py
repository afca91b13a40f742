"""Pairing leaders with mentors: the data a matcher sees and the answer it gives."""

from conversations.matching.model import (
    Candidate,
    Matcher,
    MatchResult,
    MatchRules,
    Progress,
    ProposedPair,
    TermVectors,
    Waitlisted,
)


def __getattr__(name: str) -> object:
    """The solvers pull in numpy and scipy (tens of MB): load them when a round is matched, not at import."""
    if name == "OptimalMatcher":
        from conversations.matching.optimal import OptimalMatcher

        return OptimalMatcher
    raise AttributeError(name)


__all__ = [
    "Progress",
    "Candidate",
    "Matcher",
    "MatchResult",
    "MatchRules",
    "OptimalMatcher",
    "ProposedPair",
    "TermVectors",
    "Waitlisted",
]
