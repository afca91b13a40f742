"""The sparse candidate graph of a large pool: the pairs worth considering, found in one pass.

A 10,000 x 10,000 pool has 10^8 possible pairs; an exact solver over all of them needs gigabytes and
tens of seconds. Almost all of those pairs are irrelevant: in practice the optimum pairs each leader
with one of their best few mentors. So each leader row is scored against every mentor (in blocks, in
a couple of threads) and only the strongest edges are kept:

- each leader's `per_leader` best allowed mentors (their full preference list, truncated), and
- for each mentor, their best allowed leader within every block of rows, so that a mentor whom
  nobody ranks highly still has several leaders to be matched with. Without these edges popular
  mentors crowd everyone else out of the lists and the graph can pair fewer people than the full
  problem can.

A person with no edge at all has no allowed partner in the whole pool: the top of a row (or column)
always contains an allowed pair when one exists.
"""

from __future__ import annotations

import logging
import math
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from conversations.matching.fit_blocks import PairScorer
from conversations.matching.model import Progress

logger = logging.getLogger(__name__)

T = TypeVar("T")

BLOCK_CELLS = 4_000_000
"""Scores computed at once per worker thread (16 MB of float32, a few times that in temporaries)."""
TARGET_BLOCKS = 32
"""Enough row blocks that every mentor gets about this many column edges."""


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def row_blocks(n_rows: int, n_columns: int) -> list[tuple[int, int]]:
    by_memory = max(1, BLOCK_CELLS // max(1, n_columns))
    size = max(1, min(by_memory, max(16, math.ceil(n_rows / TARGET_BLOCKS))))
    return [(start, min(n_rows, start + size)) for start in range(0, n_rows, size)]


def in_blocks(
    blocks: list[tuple[int, int]],
    work: Callable[[int, int], T],
    workers: int,
    progress: Progress | None,
) -> Iterator[T]:
    """work(start, stop) for every block, results in block order, `workers` blocks at a time."""
    done = 0

    def report() -> None:
        if progress is not None:
            progress(done / len(blocks))

    if workers <= 1 or len(blocks) <= 1:
        for start, stop in blocks:
            yield work(start, stop)
            done += 1
            report()
        return
    # Numpy and scipy release the GIL in the heavy loops, so threads really do run in parallel.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="matching") as pool:
        window = 2 * workers  # bounded look-ahead keeps at most this many blocks in memory
        pending: deque[Future[T]] = deque(pool.submit(work, *b) for b in blocks[:window])
        for k in range(len(blocks)):
            result = pending.popleft().result()
            if k + window < len(blocks):
                pending.append(pool.submit(work, *blocks[k + window]))
            yield result
            done += 1
            report()


def scored_blocks(
    scorer: PairScorer, workers: int, progress: Progress | None
) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, scores) for every block of leader rows, in order."""
    blocks = row_blocks(len(scorer.leaders), len(scorer.mentors))
    return in_blocks(blocks, lambda start, stop: (start, scorer.block(start, stop)), workers, progress)


@dataclass(frozen=True)
class CandidateGraph:
    n_leaders: int
    n_mentors: int
    row_start: np.ndarray
    """Leader i's own best edges are row_cols[row_start[i]:row_start[i+1]], best first."""
    row_cols: np.ndarray
    row_scores: np.ndarray
    extra_rows: np.ndarray
    """Edges kept for the mentors' sake (may repeat a row edge)."""
    extra_cols: np.ndarray
    extra_scores: np.ndarray

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every kept edge once: (leader, mentor, score)."""
        own_rows = np.repeat(np.arange(self.n_leaders), np.diff(self.row_start))
        rows = np.concatenate([own_rows, self.extra_rows])
        cols = np.concatenate([self.row_cols, self.extra_cols])
        scores = np.concatenate([self.row_scores, self.extra_scores])
        _, first = np.unique(rows.astype(np.int64) * self.n_mentors + cols, return_index=True)
        return rows[first], cols[first], scores[first]

    def leader_has_option(self) -> np.ndarray:
        return np.diff(self.row_start) > 0

    def mentor_has_option(self) -> np.ndarray:
        has = np.zeros(self.n_mentors, dtype=bool)
        has[self.row_cols] = True
        has[self.extra_cols] = True
        return has


@dataclass(frozen=True)
class _BlockEdges:
    own_cols: np.ndarray
    own_scores: np.ndarray
    own_counts: np.ndarray
    extra_rows: np.ndarray
    extra_cols: np.ndarray
    extra_scores: np.ndarray


def _select_edges(scorer: PairScorer, keep: int, start: int, stop: int) -> _BlockEdges:
    """Scores one block and keeps only its strongest edges (runs in a worker thread)."""
    scores = scorer.block(start, stop)
    m = scores.shape[1]
    if keep < m:
        # Selecting the smallest negated scores is several times faster than selecting the largest
        # scores directly: numpy's introselect is quickest for a small k.
        top = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
    else:
        top = np.broadcast_to(np.arange(m), scores.shape)
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.lexsort((top, -top_scores), axis=1)  # best first; ties: earlier mentor first
    top = np.take_along_axis(top, order, axis=1)
    top_scores = np.take_along_axis(top_scores, order, axis=1)
    allowed = top_scores >= 0

    every_mentor = np.arange(m)
    best_row = np.argmax(scores, axis=0)
    best_score = scores[best_row, every_mentor]
    useful = best_score >= 0
    return _BlockEdges(
        own_cols=top[allowed],
        own_scores=top_scores[allowed],
        own_counts=allowed.sum(axis=1),
        extra_rows=best_row[useful] + start,
        extra_cols=every_mentor[useful],
        extra_scores=best_score[useful],
    )


def build_candidate_graph(
    scorer: PairScorer, per_leader: int, workers: int, progress: Progress | None = None
) -> CandidateGraph:
    n, m = len(scorer.leaders), len(scorer.mentors)
    keep = max(1, min(per_leader, m))
    blocks = row_blocks(n, m)
    parts = list(in_blocks(blocks, partial(_select_edges, scorer, keep), workers, progress))

    def joined(field: str, dtype: type) -> np.ndarray:
        arrays = [getattr(part, field) for part in parts]
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    row_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(joined("own_counts", np.int64), out=row_start[1:])
    return CandidateGraph(
        n_leaders=n,
        n_mentors=m,
        row_start=row_start,
        row_cols=joined("own_cols", np.int64),
        row_scores=joined("own_scores", np.float64),
        extra_rows=joined("extra_rows", np.int64),
        extra_cols=joined("extra_cols", np.int64),
        extra_scores=joined("extra_scores", np.float64),
    )
