"""One matching round, whatever the assignment strategy: the steps every matcher shares.

Deduplicate, split by workspace, place people who can go either way, score, let the strategy choose
the pairs, then explain each pair and each waitlisted person. Keeping this in one place means the greedy
baseline and the optimal matcher differ only in how they choose, so their fit is comparable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

from conversations.matching.assignment import Assignment
from conversations.matching.fit import CLOSE_IN_MEANING, TermProfile, explain, fit_of
from conversations.matching.fit_blocks import PairScorer
from conversations.matching.meaning import MeaningIndex
from conversations.matching.model import (
    Candidate,
    MatchResult,
    MatchRules,
    Progress,
    ProposedPair,
    TermVectors,
    Waitlisted,
)
from conversations.matching.pool import by_workspace, first_of_each_person, split_sides
from conversations.matching.vocabulary import Vocabulary
from conversations.matching.waitlist import PoolShape, leader_reason, mentor_reason

logger = logging.getLogger(__name__)

Strategy = Callable[[PairScorer, int, Progress | None], Assignment]
"""Chooses pairs for one pool: (scorer, effective capacity >= 1, progress) -> assignment."""


class ProgressReporter:
    """Maps each pool's own 0..1 progress onto the whole round, and reports at most every 1%."""

    def __init__(self, callback: Progress | None, pool_weights: Sequence[float]) -> None:
        self._callback = callback
        total = sum(pool_weights) or 1.0
        self._starts = np.concatenate([[0.0], np.cumsum(pool_weights)]) / total
        self._last = -1.0

    def report(self, fraction: float) -> None:
        if self._callback is None:
            return
        fraction = min(1.0, max(0.0, fraction))
        if (fraction >= 1.0 and self._last < 1.0) or fraction - self._last >= 0.01:
            self._last = fraction
            try:
                self._callback(fraction)
            except Exception:  # a broken progress bar must never cost the round
                logger.exception("progress callback failed")

    def for_pool(self, k: int) -> Progress:
        start, stop = float(self._starts[k]), float(self._starts[k + 1])
        return lambda fraction: self.report(start + (stop - start) * fraction)


def match_round(
    candidates: Sequence[Candidate],
    rules: MatchRules,
    strategy: Strategy,
    vocabulary: Vocabulary,
    at: datetime | None,
    progress: Progress | None,
    class_table_limit: int | None = None,
    meanings: TermVectors | None = None,
) -> MatchResult:
    started = time.perf_counter()
    index = MeaningIndex(meanings, CLOSE_IN_MEANING) if meanings is not None and meanings.vectors else None
    pools = by_workspace(first_of_each_person(candidates))
    capacity = int(rules.mentor_capacity)
    sides = [split_sides(pool, capacity) for pool in pools]
    reporter = ProgressReporter(progress, [len(s.leaders) * len(s.mentors) + 1.0 for s in sides])
    reporter.report(0.0)
    pairs: list[ProposedPair] = []
    waitlist: list[Waitlisted] = []
    for k, side in enumerate(sides):
        leaders = [TermProfile.of(c, vocabulary) for c in side.leaders]
        mentors = [TermProfile.of(c, vocabulary) for c in side.mentors]
        _match_pool(leaders, mentors, rules, strategy, vocabulary, at, reporter.for_pool(k),
                    class_table_limit, pairs, waitlist, index)  # fmt: skip
    reporter.report(1.0)
    logger.info(
        "matched %d candidates in %d workspace(s): %d pairs, %d waitlisted, %.2f s",
        len(candidates), len(pools), len(pairs), len(waitlist), time.perf_counter() - started,
    )  # fmt: skip
    return MatchResult(tuple(pairs), tuple(waitlist))


def _match_pool(
    leaders: list[TermProfile],
    mentors: list[TermProfile],
    rules: MatchRules,
    strategy: Strategy,
    vocabulary: Vocabulary,
    at: datetime | None,
    progress: Progress,
    class_table_limit: int | None,
    pairs: list[ProposedPair],
    waitlist: list[Waitlisted],
    meanings: MeaningIndex | None = None,
) -> None:
    shape = PoolShape(len(leaders), len(mentors), int(rules.mentor_capacity))
    if not leaders or not mentors or shape.capacity <= 0:
        waitlist.extend(
            Waitlisted(p.candidate.user, leader_reason(shape, True, None, rules)) for p in leaders
        )
        waitlist.extend(
            Waitlisted(p.candidate.user, mentor_reason(shape, True, None, rules)) for p in mentors
        )
        progress(1.0)
        return

    extra = {} if class_table_limit is None else {"class_table_limit": class_table_limit}
    scorer = PairScorer(leaders, mentors, rules, at, meanings=meanings, **extra)
    assignment = strategy(scorer, min(shape.capacity, len(leaders)), progress)

    for i, j in sorted(zip(assignment.leaders.tolist(), assignment.mentors.tolist(), strict=True)):
        leader, mentor = leaders[i], mentors[j]
        fit = fit_of(leader, mentor, scorer.overlap_hours(i, j), meanings)
        pairs.append(
            ProposedPair(leader.candidate.user, mentor.candidate.user, round(fit.score, 3),
                         explain(leader, mentor, fit, vocabulary))
        )  # fmt: skip

    paired_leaders = set(assignment.leaders.tolist())
    paired_mentors = set(assignment.mentors.tolist())
    for i, leader in enumerate(leaders):
        if i not in paired_leaders:
            has_option = bool(assignment.leader_has_option[i])
            blocking = None if has_option else scorer.rules_blocking_leader(i)
            reason = leader_reason(shape, has_option, blocking, rules)
            waitlist.append(Waitlisted(leader.candidate.user, reason))
    for j, mentor in enumerate(mentors):
        if j not in paired_mentors:
            has_option = bool(assignment.mentor_has_option[j])
            blocking = None if has_option else scorer.rules_blocking_mentor(j)
            reason = mentor_reason(shape, has_option, blocking, rules)
            waitlist.append(Waitlisted(mentor.candidate.user, reason))
    progress(1.0)
