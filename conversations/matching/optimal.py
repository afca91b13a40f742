"""The optimal matcher: the best total fit the hard rules allow, for the whole pool at once.

Small pools are solved exactly over every pair with `linear_sum_assignment` on a dense matrix. Large
pools are solved exactly over a sparse candidate graph (see `graph.py`) with
`min_weight_full_bipartite_matching`; the graph keeps each leader's best mentors and each mentor's best
leaders, which in practice loses a fraction of a percent of the total fit (the benchmark measures it)
while taking seconds and a few hundred megabytes instead of minutes and gigabytes.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from conversations.matching.assignment import Assignment, assign_dense, assign_sparse
from conversations.matching.fit_blocks import PairScorer
from conversations.matching.graph import build_candidate_graph, default_workers, scored_blocks
from conversations.matching.model import Candidate, MatchResult, MatchRules, Progress, TermVectors
from conversations.matching.round import match_round
from conversations.matching.vocabulary import DEFAULT_VOCABULARY, Vocabulary

logger = logging.getLogger(__name__)

DENSE_LIMIT = 2_000_000
"""Largest leaders x mentor places solved with the exact dense solver (16 MB of float64)."""
CANDIDATES_PER_LEADER = 32


class RoundMatcher(ABC):
    """A matcher that only chooses the pairs (`_assign`): the round's rules, scoring, sides and reasons
    are `match_round`'s, so matchers that choose differently (the greedy baseline of the tests) compare
    like for like."""

    def __init__(
        self,
        vocabulary: Vocabulary = DEFAULT_VOCABULARY,
        at: datetime | None = None,
        candidates_per_leader: int = CANDIDATES_PER_LEADER,
        workers: int | None = None,
    ) -> None:
        """`at` fixes the moment timezone offsets are read (daylight saving); default: when matching."""
        self.vocabulary = vocabulary
        self.at = at
        self.candidates_per_leader = candidates_per_leader
        self.workers = workers or default_workers()

    def match(
        self,
        candidates: Sequence[Candidate],
        rules: MatchRules,
        progress: Progress | None = None,
        meanings: TermVectors | None = None,
    ) -> MatchResult:
        return match_round(
            candidates, rules, self._assign, self.vocabulary, self.at, progress, meanings=meanings
        )

    @abstractmethod
    def _assign(self, scorer: PairScorer, capacity: int, progress: Progress | None) -> Assignment: ...


class OptimalMatcher(RoundMatcher):
    def __init__(
        self,
        vocabulary: Vocabulary = DEFAULT_VOCABULARY,
        at: datetime | None = None,
        dense_limit: int = DENSE_LIMIT,
        candidates_per_leader: int = CANDIDATES_PER_LEADER,
        workers: int | None = None,
    ) -> None:
        super().__init__(vocabulary, at, candidates_per_leader, workers)
        self.dense_limit = dense_limit

    def _assign(self, scorer: PairScorer, capacity: int, progress: Progress | None) -> Assignment:
        n, m = len(scorer.leaders), len(scorer.mentors)
        started = time.perf_counter()
        if n * m * capacity <= self.dense_limit:
            scores = np.empty((n, m), dtype=np.float32)
            for start, block in scored_blocks(scorer, 1, _scaled(progress, 0.5)):
                scores[start : start + len(block)] = block
            scored = time.perf_counter()
            assignment = assign_dense(scores, capacity)
            method = "dense"
        else:
            graph = build_candidate_graph(
                scorer, self.candidates_per_leader, self.workers, _scaled(progress, 0.8)
            )
            scored = time.perf_counter()
            assignment = assign_sparse(graph, capacity)
            method = f"sparse ({graph.row_cols.size + graph.extra_cols.size} candidate edges)"
        logger.debug(
            "%d leaders x %d mentors, capacity %d: scored in %.2f s, solved %s in %.2f s",
            n, m, capacity, scored - started, method, time.perf_counter() - scored,
        )  # fmt: skip
        if progress is not None:
            progress(0.95)
        return assignment


def _scaled(progress: Progress | None, share: float) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress(share * fraction)
