"""A greedy matcher: correct under the hard rules, not optimal. Kept as a baseline.

It repeatedly takes the best-scoring allowed pair that is still free, which is what most pairing bots
do when they do not shuffle at random. It shares scoring, rules, side placement and reasons with
`OptimalMatcher`, so the two differ only in how pairs are chosen and their total fit is comparable.
"""

from __future__ import annotations

import heapq

import numpy as np

from conversations.matching.assignment import Assignment
from conversations.matching.fit import TermProfile, explain, fit_of
from conversations.matching.fit_blocks import PairScorer
from conversations.matching.graph import build_candidate_graph
from conversations.matching.model import Candidate, MatchRules, Progress
from conversations.matching.optimal import RoundMatcher
from conversations.matching.rules import Rule, broken_rule, same_workspace
from conversations.matching.vocabulary import DEFAULT_VOCABULARY
from conversations.matching.working_hours import (
    WORKDAY_END_HOUR as WORK_END_HOUR,
)
from conversations.matching.working_hours import (
    WORKDAY_START_HOUR as WORK_START_HOUR,
)
from conversations.matching.working_hours import (
    utc_offset_hours,
    working_overlap_hours,
)

__all__ = [
    "WORK_END_HOUR",
    "WORK_START_HOUR",
    "GreedyMatcher",
    "fit",
    "utc_offset_hours",
    "violates_rules",
    "working_overlap_hours",
]

_RULE_WORDS = {
    Rule.SENIORITY_GAP: "seniority gap too small",
    Rule.WORKING_HOURS: "too few shared working hours",
    Rule.REPORTING_LINE: "same reporting line",
    Rule.RECENT_PAIRING: "paired recently",
}


def violates_rules(leader: Candidate, mentor: Candidate, rules: MatchRules) -> str | None:
    """The first hard rule a pair would break, in words, or None."""
    if leader.user == mentor.user:
        return "same person"
    if not same_workspace(leader, mentor):
        return "different workspaces"
    rule = broken_rule(leader, mentor, rules, working_overlap_hours(leader.timezone, mentor.timezone))
    return None if rule is None else _RULE_WORDS[rule]


def fit(leader: Candidate, mentor: Candidate) -> tuple[float, tuple[str, ...]]:
    """Score a pair and explain it: both directions of skill-to-goal overlap count."""
    leader_profile = TermProfile.of(leader, DEFAULT_VOCABULARY)
    mentor_profile = TermProfile.of(mentor, DEFAULT_VOCABULARY)
    pair_fit = fit_of(leader_profile, mentor_profile, working_overlap_hours(leader.timezone, mentor.timezone))
    return pair_fit.score, explain(leader_profile, mentor_profile, pair_fit, DEFAULT_VOCABULARY)


class GreedyMatcher(RoundMatcher):
    """Best-scoring allowed pair first, repeatedly (ties: the earlier leader first)."""

    def _assign(self, scorer: PairScorer, capacity: int, progress: Progress | None) -> Assignment:
        graph = build_candidate_graph(scorer, self.candidates_per_leader, self.workers, progress)
        return _greedy(
            scorer,
            graph.row_start,
            graph.row_cols,
            graph.row_scores,
            capacity,
            graph.leader_has_option(),
            graph.mentor_has_option(),
            self.candidates_per_leader,
        )


def _greedy(
    scorer: PairScorer,
    row_start: np.ndarray,
    row_cols: np.ndarray,
    row_scores: np.ndarray,
    capacity: int,
    leader_has_option: np.ndarray,
    mentor_has_option: np.ndarray,
    kept_per_leader: int,
) -> Assignment:
    """Global greedy without sorting all n x m pairs.

    Each leader offers its best remaining mentor to a heap; the top of the heap is taken if that mentor
    still has a place, otherwise the leader moves down its list. A leader's list is its best few mentors;
    only when it runs out is the leader's full row scored again, so the result is the same as sorting
    every pair.
    """
    m = len(scorer.mentors)
    load = np.zeros(m, dtype=np.int64)
    lists: dict[int, tuple[list[int], list[float]]] = {}
    position: dict[int, int] = {}
    complete: set[int] = set()
    heap: list[tuple[float, int, int]] = []
    for i in np.flatnonzero(leader_has_option).tolist():
        start, stop = int(row_start[i]), int(row_start[i + 1])
        lists[i] = (row_cols[start:stop].tolist(), row_scores[start:stop].tolist())
        if stop - start < min(kept_per_leader, m):
            complete.add(i)  # fewer allowed mentors than the list could hold: it is all of them
        position[i] = 0
        heap.append((-lists[i][1][0], i, lists[i][0][0]))
    heapq.heapify(heap)

    leaders: list[int] = []
    mentors: list[int] = []
    while heap:
        negative_score, i, j = heapq.heappop(heap)
        if load[j] < capacity:
            load[j] += 1
            leaders.append(i)
            mentors.append(j)
            continue
        cols, scores = lists[i]
        k = position[i] + 1
        while k < len(cols) and load[cols[k]] >= capacity:
            k += 1
        if k == len(cols) and i not in complete:
            row = scorer.row(i)
            row[load >= capacity] = -1.0
            free = np.flatnonzero(row >= 0)
            order = np.lexsort((free, -row[free]))
            cols, scores = free[order].tolist(), row[free][order].tolist()
            lists[i] = (cols, scores)
            complete.add(i)
            k = 0
        position[i] = k
        if k < len(cols):
            heapq.heappush(heap, (-scores[k], i, cols[k]))
    return Assignment(
        leaders=np.asarray(leaders, dtype=np.int64),
        mentors=np.asarray(mentors, dtype=np.int64),
        leader_has_option=leader_has_option,
        mentor_has_option=mentor_has_option,
    )
