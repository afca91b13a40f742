"""Optimal assignment of leaders to mentor places, with scipy's solvers.

The objective is lexicographic, in this order:

1. pair as many people as the hard rules allow (nobody is left out to improve someone else's match);
2. when mentors may take several leaders, give a leader to as many different mentors as possible
   (a mentor is not left waiting while another takes a second leader);
3. maximise the total fit.

Both solvers maximise one number, so the tiers are folded into integer edge weights: fit in units of
1/32 (every score is a multiple of it), plus a `spread` bonus on each mentor's first place that beats
any total fit, plus a `pair` bonus on every real edge that beats everything else. Integer weights keep
the arithmetic exact in float64 as long as the largest total stays below 2^52; for absurdly large pools
tier 2 is dropped to stay within that.

Capacity k is modelled by giving each mentor k identical columns ("places"), fewer where they provably
cannot be used (see `most_leaders_per_mentor`). Each leader also gets a
private "waitlist" column of weight 1, so a full matching always exists, as
`min_weight_full_bipartite_matching` requires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

from conversations.matching.graph import CandidateGraph

logger = logging.getLogger(__name__)

SCORE_UNITS = 32
EXACT_FLOAT_LIMIT = 2.0**52
WAITLIST_WEIGHT = 1.0


@dataclass(frozen=True)
class Assignment:
    leaders: np.ndarray
    """Leader index of each pair."""
    mentors: np.ndarray
    """Mentor index of each pair (repeats up to capacity)."""
    leader_has_option: np.ndarray
    """False where no mentor at all is allowed for the leader by the hard rules."""
    mentor_has_option: np.ndarray


@dataclass(frozen=True)
class TierWeights:
    pair: float
    spread: float


def tier_weights(max_units: float, n_leaders: int, n_mentors: int, capacity: int) -> TierWeights:
    max_pairs = min(n_leaders, n_mentors * capacity)
    fit_range = max(0.0, max_units) * max_pairs + 1
    if capacity > 1:
        spread = fit_range
        pair = spread * (min(n_mentors, max_pairs) + 1)
        if pair * (max_pairs + 1) < EXACT_FLOAT_LIMIT:
            return TierWeights(pair=pair, spread=spread)
        logger.warning("pool too large to favour spreading leaders across mentors exactly; skipping that")
    return TierWeights(pair=fit_range, spread=0.0)


def score_units(scores: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(scores, dtype=np.float64) * SCORE_UNITS)


def assign_dense(scores: np.ndarray, capacity: int) -> Assignment:
    """Exact over every pair: `scores` is the full leader x mentor matrix, negative where forbidden."""
    n, m = scores.shape
    allowed = scores >= 0
    forbidden = ~allowed
    max_units = float(np.rint(max(0.0, float(scores.max(initial=0.0))) * SCORE_UNITS))
    weights = tier_weights(max_units, n, m, capacity)
    # Built in place as a cost (negated profit): at 10,000 x 10,000 every extra copy is 800 MB.
    cost = np.multiply(scores, -SCORE_UNITS, dtype=np.float64)
    np.rint(cost, out=cost)
    cost -= weights.pair
    cost[forbidden] = 0.0
    if capacity > 1:
        first_places = cost - weights.spread
        first_places[forbidden] = 0.0
        cost = np.hstack([first_places] + [cost] * (capacity - 1))
    rows, cols = linear_sum_assignment(cost)
    real = cost[rows, cols] < 0
    return Assignment(
        leaders=rows[real],
        mentors=cols[real] % m,
        leader_has_option=np.asarray(allowed.any(axis=1)),
        mentor_has_option=np.asarray(allowed.any(axis=0)),
    )


def most_leaders_per_mentor(rows: np.ndarray, cols: np.ndarray, n: int, m: int) -> int:
    """An upper bound on any mentor's load in an optimal assignment, to avoid building useless places.

    Let `single` be the most pairs possible with one leader per mentor. Some maximum assignment uses at
    least `single` different mentors (Mendelsohn-Dulmage: the leaders one maximum matching covers and
    the mentors another covers can be covered together), so beyond each used mentor's first leader
    there are at most n - single more to spread. With an absurd capacity this keeps the graph as small
    as with a sensible one.
    """
    graph = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, m))
    single = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
    return 1 + n - single


def assign_sparse(graph: CandidateGraph, capacity: int) -> Assignment:
    """Exact over the edges of the candidate graph."""
    n, m = graph.n_leaders, graph.n_mentors
    rows, cols, scores = graph.edges()
    leader_has_option, mentor_has_option = graph.leader_has_option(), graph.mentor_has_option()
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Assignment(empty, empty, leader_has_option, mentor_has_option)

    units = score_units(scores)
    weights = tier_weights(float(units.max()), n, m, capacity)
    places = np.minimum(np.bincount(cols, minlength=m), capacity)
    places = np.minimum(places, most_leaders_per_mentor(rows, cols, n, m))
    place_start = np.concatenate([[0], np.cumsum(places)])
    n_places = int(place_start[-1])
    copies = places[cols]
    edge_rows = np.repeat(rows, copies)
    edge_mentors = np.repeat(cols, copies)
    place_number = np.arange(edge_rows.size) - np.repeat(np.cumsum(copies) - copies, copies)
    edge_cols = place_start[edge_mentors] + place_number
    edge_weights = weights.pair + np.repeat(units, copies) + np.where(place_number == 0, weights.spread, 0.0)

    matrix = sparse.csr_matrix(
        (
            np.concatenate([edge_weights, np.full(n, WAITLIST_WEIGHT)]),
            (np.concatenate([edge_rows, np.arange(n)]), np.concatenate([edge_cols, n_places + np.arange(n)])),
        ),
        shape=(n, n_places + n),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(matrix, maximize=True)
    real = matched_cols < n_places
    place_owner = np.repeat(np.arange(m), places)
    return Assignment(
        leaders=matched_rows[real],
        mentors=place_owner[matched_cols[real]],
        leader_has_option=leader_has_option,
        mentor_has_option=mentor_has_option,
    )
