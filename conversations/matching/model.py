"""What a matcher is given and what it must return.

A matcher is a plain synchronous function of its inputs so it can run in a worker thread while the bot
keeps answering, and so it can be tested exhaustively without any I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from conversations.domain import Role, UserRef

Progress = Callable[[float], None]
"""Called from the solver's thread with the fraction done (0..1), for a progress bar."""


@dataclass(frozen=True)
class MatchRules:
    """Hard rules; a pair that breaks any of them is never proposed."""

    min_seniority_gap: int = 1
    """A leader's seniority level must exceed the mentor's by at least this much."""
    repeat_lookback_cycles: int = 3
    """No pair that already met in the last N cycles."""
    min_overlap_hours: float = 2.0
    """Minimum overlap of the two people's working hours (09:00-17:00 local)."""
    mentor_capacity: int = 1
    """How many leaders one mentor may take in a round."""
    separate_reporting_lines: bool = True
    """Never pair two people within `reporting_depth` levels of one management chain, where known."""
    reporting_depth: int = 2
    """How far up and down a management chain the reporting-line rule reaches (2: manager and skip-level)."""


@dataclass(frozen=True)
class Candidate:
    user: UserRef
    display_name: str
    role: Role
    department: str
    seniority: int
    timezone: str
    skills: tuple[str, ...] = ()
    learning_goals: tuple[str, ...] = ()
    manager_chain: tuple[str, ...] = ()
    """User ids of the managers up the chain (the manager first), as far as `reporting_depth`, where known."""
    recent_partners: frozenset[str] = field(default_factory=frozenset)
    """User ids paired with this person within `repeat_lookback_cycles`."""
    avoided: frozenset[str] = field(default_factory=frozenset)
    """User ids never to pair with this person: whoever is on their private "don't pair me with" list
    and whoever listed them. Always a hard rule, whatever the program's settings."""
    waiting_since: datetime | None = None
    """When a matching last left this person without a partner, if it did: the waitlist promises
    them a place before anyone who was not waiting, the longest-waiting first."""


@dataclass(frozen=True)
class TermVectors:
    """Embeddings of the pool's skill and goal terms, by the vocabulary's key of each term: with them,
    the matcher adds a bounded bonus for goals close in meaning to the other's skills (`fit.py`)."""

    model: str
    vectors: Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class ProposedPair:
    leader: UserRef
    mentor: UserRef
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Waitlisted:
    user: UserRef
    reason: str


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[ProposedPair, ...]
    waitlist: tuple[Waitlisted, ...]


class Matcher(Protocol):
    def match(
        self,
        candidates: Sequence[Candidate],
        rules: MatchRules,
        progress: Callable[[float], None] | None = None,
        meanings: TermVectors | None = None,
    ) -> MatchResult:
        """Every candidate ends up in exactly one pair (or up to capacity, for mentors) or the waitlist.

        `progress`, when given, is called with the fraction done (0 to 1), from the thread that runs
        the match; a CLI uses it to draw a progress bar for large pools. `meanings`, when given, adds
        the bounded bonus for terms close in meaning; without them the vocabulary alone decides.
        """
        ...
