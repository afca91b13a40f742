"""Which skill and goal terms are close in meaning, from their embeddings (cosine similarity).

Built once per round from the cached vectors, then read by the scorer (which pairs of terms are close,
as one sparse term x term matrix) and by the explanation (the closest pair of terms of one pair of
people). Terms without a vector are close to nothing, so a term the model never saw changes no match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from scipy import sparse

from conversations.matching.model import TermVectors

SIMILARITY_BLOCK_ROWS = 256
"""Terms compared against all others at once: a 256 x terms block of float32 (10 MB at 10,000 terms)."""


class MeaningIndex:
    def __init__(self, meanings: TermVectors, threshold: float) -> None:
        """`threshold`: the cosine similarity from which two different terms count as close."""
        self.threshold = threshold
        by_size: dict[int, int] = {}
        for vector in meanings.vectors.values():
            by_size[len(vector)] = by_size.get(len(vector), 0) + 1
        size = max(by_size, key=lambda n: (by_size[n], n)) if by_size else 0
        terms = sorted(t for t, v in meanings.vectors.items() if len(v) == size and size > 0)
        matrix = np.array([meanings.vectors[t] for t in terms], dtype=np.float32).reshape(len(terms), size)
        norms = np.linalg.norm(matrix, axis=1) if terms else np.zeros(0)
        usable = np.isfinite(norms) & (norms > 0)
        self._terms = [t for t, ok in zip(terms, usable.tolist(), strict=True) if ok]
        self._unit = matrix[usable] / norms[usable, None]
        self._row = {term: k for k, term in enumerate(self._terms)}

    def __len__(self) -> int:
        return len(self._terms)

    def similarity(self, a: str, b: str) -> float | None:
        if a not in self._row or b not in self._row:
            return None
        return float(self._unit[self._row[a]] @ self._unit[self._row[b]])

    def closest(self, goals: Collection[str], skills: Collection[str]) -> tuple[str, str] | None:
        """The goal and the skill closest in meaning, if any two different ones are close enough."""
        goal_terms = sorted(g for g in goals if g in self._row)
        skill_terms = sorted(s for s in skills if s in self._row)
        if not goal_terms or not skill_terms:
            return None
        sims = (
            self._unit[[self._row[g] for g in goal_terms]] @ self._unit[[self._row[s] for s in skill_terms]].T
        )
        best: tuple[float, str, str] | None = None
        for i, goal in enumerate(goal_terms):
            for j, skill in enumerate(skill_terms):
                similarity = float(sims[i, j])
                if goal != skill and similarity >= self.threshold and (best is None or similarity > best[0]):
                    best = (similarity, goal, skill)
        return None if best is None else (best[1], best[2])

    def close_pairs(self, term_index: Mapping[str, int]) -> sparse.csr_matrix:
        """A symmetric 0/1 matrix over `term_index`'s terms: 1 where two different terms are close."""
        size = len(term_index)
        known = [(column, self._row[term]) for term, column in term_index.items() if term in self._row]
        rows_out: list[np.ndarray] = []
        cols_out: list[np.ndarray] = []
        if known:
            columns = np.array([c for c, _ in known], dtype=np.int64)
            unit = self._unit[[r for _, r in known]]
            for start in range(0, len(known), SIMILARITY_BLOCK_ROWS):
                sims = unit[start : start + SIMILARITY_BLOCK_ROWS] @ unit.T
                rows, cols = np.nonzero(sims >= self.threshold)
                different = rows + start != cols
                rows_out.append(columns[rows[different] + start])
                cols_out.append(columns[cols[different]])
        rows_all = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
        cols_all = np.concatenate(cols_out) if cols_out else np.zeros(0, dtype=np.int64)
        data = np.ones(rows_all.size, dtype=np.float32)
        return sparse.csr_matrix((data, (rows_all, cols_all)), shape=(size, size))
