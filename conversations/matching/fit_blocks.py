"""Fit scores for whole blocks of (leader, mentor) pairs at once, with the hard rules applied.

At 10,000 x 10,000 there are 10^8 pairs: per-pair Python would take minutes, so scores are built with
array operations, a few hundred leader rows at a time to keep memory flat:

- shared terms are counted with sparse products of one-hot term matrices (goals x skills), and terms
  close in meaning (when the round has embeddings) with the same products through a sparse
  term x term "close" matrix;
- what depends only on (timezone, seniority, department) - shared hours, the seniority-gap and
  working-hours rules, the department bonus - is looked up in a small table indexed by "profile
  class" when the pool has few distinct classes (it usually does), and computed directly otherwise;
- the per-person rules (reporting line, recent partners, private "don't pair me with" lists) are a
  short list of forbidden pairs;
- people on the waitlist add `WAITING_BONUS` per step of their rank in it to every pair they could
  be in (the longest wait ranks highest), more than any pair's fit, so where there are fewer places
  than people the places go to those waiting, the longest-waiting first. The matchers pair as many
  people as the rules allow before they look at scores at all, so the bonus never costs a pair.

A pair a hard rule forbids scores about `FORBIDDEN` (always negative); every allowed pair scores >= 0.
The formula is the one documented in `fit.py`; the tests check the two agree pair by pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
from scipy import sparse

from conversations.matching.fit import (
    DEPARTMENT_BONUS,
    MEANING_WEIGHT,
    OVERLAP_WEIGHT_PER_HOUR,
    TERM_WEIGHT,
    TWO_WAY_BONUS,
    TermProfile,
)
from conversations.matching.meaning import MeaningIndex
from conversations.matching.model import MatchRules
from conversations.matching.rules import (
    RULE_ORDER,
    Rule,
    avoided,
    paired_recently,
    same_reporting_line,
)
from conversations.matching.working_hours import ZoneTable

FORBIDDEN = np.float32(-1.0e9)
DENSE_TERMS_LIMIT = 8_000_000
"""Largest distinct terms x mentors kept as a dense matrix (32 MB of float32)."""
WAITING_BONUS = np.float32(256.0)
"""Per step of waitlist rank: more than any pair's fit, and with `WAITING_RANKS` steps still exact
in float32 at the matchers' resolution of 1/32."""
WAITING_RANKS = 64
"""Distinct waiting days ranked apart; people who waited longer than the 63 latest days share the top."""
CLASS_TABLE_LIMIT = 4_000_000
"""Largest lookup table (leader classes x mentor classes) worth building; beyond it, compute directly."""


def _term_matrix(term_sets: Sequence[frozenset[str]], index: dict[str, int]) -> sparse.csr_matrix:
    indptr = [0]
    columns: list[int] = []
    for terms in term_sets:
        columns.extend(index[t] for t in terms)
        indptr.append(len(columns))
    data = np.ones(len(columns), dtype=np.float32)
    return sparse.csr_matrix(
        (data, np.asarray(columns, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(term_sets), len(index)),
    )


def _dense(product: sparse.spmatrix | np.ndarray) -> np.ndarray:
    dense: np.ndarray = np.asarray(product.toarray() if isinstance(product, sparse.spmatrix) else product)
    return dense.astype(np.float32, copy=False)


def waiting_bonuses(
    leaders: Sequence[TermProfile], mentors: Sequence[TermProfile]
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's bonus for having waited: nothing for people not on the waitlist; for the rest,
    `WAITING_BONUS` per rank, the latest waiting day ranking 1 and each earlier day one more."""
    days = sorted(
        {p.candidate.waiting_since.date() for p in (*leaders, *mentors) if p.candidate.waiting_since}
    )
    rank = {day: min(WAITING_RANKS, len(days) - k) for k, day in enumerate(days)}

    def bonuses(people: Sequence[TermProfile]) -> np.ndarray:
        since = [p.candidate.waiting_since for p in people]
        return np.array([rank[s.date()] if s else 0 for s in since], np.float32) * WAITING_BONUS

    return bonuses(leaders), bonuses(mentors)


def _classes(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers each distinct combination of the keys; returns (class per person, one row per class)."""
    stacked = np.stack(keys, axis=1)
    table, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.intp), table


class PairScorer:
    """Everything needed to score any leader row against all mentors of one pool."""

    def __init__(
        self,
        leaders: Sequence[TermProfile],
        mentors: Sequence[TermProfile],
        rules: MatchRules,
        at: datetime | None = None,
        class_table_limit: int = CLASS_TABLE_LIMIT,
        dense_terms_limit: int = DENSE_TERMS_LIMIT,
        meanings: MeaningIndex | None = None,
    ) -> None:
        self.leaders = leaders
        self.mentors = mentors
        self.rules = rules
        self.zones = ZoneTable([p.candidate.timezone for p in (*leaders, *mentors)], at)

        term_index: dict[str, int] = {}
        for p in (*leaders, *mentors):
            for t in (*p.goals, *p.skills):
                term_index.setdefault(t, len(term_index))
        self._leader_goals = _term_matrix([p.goals for p in leaders], term_index)
        self._leader_skills = _term_matrix([p.skills for p in leaders], term_index)
        mentor_skills_t = _term_matrix([p.skills for p in mentors], term_index).T.tocsr()
        mentor_goals_t = _term_matrix([p.goals for p in mentors], term_index).T.tocsr()
        # sparse @ dense yields the dense block directly and is several times faster than
        # sparse @ sparse, but the dense copy grows with the vocabulary: only when it is small.
        self._mentor_skills_t: sparse.csr_matrix | np.ndarray = mentor_skills_t
        self._mentor_goals_t: sparse.csr_matrix | np.ndarray = mentor_goals_t
        if len(term_index) * len(mentors) <= dense_terms_limit:
            self._mentor_skills_t = np.ascontiguousarray(mentor_skills_t.toarray())
            self._mentor_goals_t = np.ascontiguousarray(mentor_goals_t.toarray())

        self._build_close_terms(meanings, term_index)

        departments: dict[str, int] = {}

        def department_number(p: TermProfile) -> int:
            return departments.setdefault(p.department, len(departments)) if p.department else -1

        self._leader_zone = np.array([self.zones.number(p.candidate.timezone) for p in leaders], np.intp)
        self._mentor_zone = np.array([self.zones.number(p.candidate.timezone) for p in mentors], np.intp)
        self._leader_seniority = np.array([p.candidate.seniority for p in leaders], np.int64)
        self._mentor_seniority = np.array([p.candidate.seniority for p in mentors], np.int64)
        self._leader_department = np.array([department_number(p) for p in leaders], np.int64)
        self._mentor_department = np.array([department_number(p) for p in mentors], np.int64)
        self._build_class_table(class_table_limit)
        self._build_forbidden_pairs()
        self._leader_waiting, self._mentor_waiting = waiting_bonuses(leaders, mentors)
        self._anyone_waiting = bool(self._leader_waiting.any() or self._mentor_waiting.any())

    # -- closeness in meaning -------------------------------------------------------------------------

    def _build_close_terms(self, meanings: MeaningIndex | None, term_index: dict[str, int]) -> None:
        """Per leader, the terms close in meaning to any of their goals (and skills): one product with a
        mentor's skills (goals) then tells whether the pair has a goal close to an offered skill."""
        self._goals_close: sparse.csr_matrix | None = None
        self._skills_close: sparse.csr_matrix | None = None
        if meanings is None or not len(meanings) or not term_index:
            return
        close = meanings.close_pairs(term_index)
        if close.nnz:
            self._goals_close = sparse.csr_matrix(self._leader_goals @ close)
            self._skills_close = sparse.csr_matrix(self._leader_skills @ close)

    def _meaning_bonus(
        self, start: int, stop: int, taught: np.ndarray, shared: np.ndarray
    ) -> np.ndarray | None:
        if self._goals_close is None or self._skills_close is None:
            return None
        taught_close = _dense(self._goals_close[start:stop] @ self._mentor_skills_t) > 0
        taught_close &= taught == 0
        shared_close = _dense(self._skills_close[start:stop] @ self._mentor_goals_t) > 0
        shared_close &= shared == 0
        bonus = taught_close.astype(np.float32)
        bonus += shared_close
        bonus *= np.float32(MEANING_WEIGHT)
        result: np.ndarray = bonus
        return result

    # -- static part: timezone, seniority, department -------------------------------------------------

    def _build_class_table(self, limit: int) -> None:
        self._table: np.ndarray | None = None
        if not self.leaders or not self.mentors:
            return
        leader_class, leader_keys = _classes(
            self._leader_zone, self._leader_seniority, self._leader_department
        )
        mentor_class, mentor_keys = _classes(
            self._mentor_zone, self._mentor_seniority, self._mentor_department
        )
        if len(leader_keys) * len(mentor_keys) > limit:
            return
        self._leader_class, self._mentor_class = leader_class, mentor_class
        self._table = self._static_scores(
            leader_keys[:, 0], leader_keys[:, 1], leader_keys[:, 2],
            mentor_keys[:, 0], mentor_keys[:, 1], mentor_keys[:, 2],
        )  # fmt: skip

    def _static_scores(
        self,
        leader_zone: np.ndarray,
        leader_seniority: np.ndarray,
        leader_department: np.ndarray,
        mentor_zone: np.ndarray,
        mentor_seniority: np.ndarray,
        mentor_department: np.ndarray,
    ) -> np.ndarray:
        overlap = self.zones.overlap[leader_zone[:, None], mentor_zone[None, :]]
        scores = (overlap * OVERLAP_WEIGHT_PER_HOUR).astype(np.float32)
        different = (leader_department[:, None] != mentor_department[None, :]) & (
            (leader_department[:, None] >= 0) & (mentor_department[None, :] >= 0)
        )
        scores += different.astype(np.float32) * np.float32(DEPARTMENT_BONUS)
        allowed = overlap >= self.rules.min_overlap_hours
        allowed &= (leader_seniority[:, None] - mentor_seniority[None, :]) >= self.rules.min_seniority_gap
        scores[~allowed] = FORBIDDEN
        result: np.ndarray = scores
        return result

    def _static_block(self, start: int, stop: int) -> np.ndarray:
        if self._table is not None:
            # Two one-axis takes are about three times faster than one broadcast fancy index.
            return np.take(self._table[self._leader_class[start:stop]], self._mentor_class, axis=1)
        return self._static_scores(
            self._leader_zone[start:stop], self._leader_seniority[start:stop],
            self._leader_department[start:stop], self._mentor_zone, self._mentor_seniority,
            self._mentor_department,
        )  # fmt: skip

    # -- per-person rules: reporting lines, recent partners and the private lists ---------------------

    def _build_forbidden_pairs(self) -> None:
        leader_at = {p.candidate.user.user_id: i for i, p in enumerate(self.leaders)}
        mentor_at = {p.candidate.user.user_id: j for j, p in enumerate(self.mentors)}
        named: set[tuple[int, int]] = set()
        for i, p in enumerate(self.leaders):
            for other in (*p.candidate.manager_chain, *p.candidate.recent_partners, *p.candidate.avoided):
                if other in mentor_at:
                    named.add((i, mentor_at[other]))
        for j, p in enumerate(self.mentors):
            for other in (*p.candidate.manager_chain, *p.candidate.recent_partners, *p.candidate.avoided):
                if other in leader_at:
                    named.add((leader_at[other], j))
        forbidden = sorted(
            (i, j)
            for i, j in named
            if same_reporting_line(self.leaders[i].candidate, self.mentors[j].candidate, self.rules)
            or paired_recently(self.leaders[i].candidate, self.mentors[j].candidate, self.rules)
            or avoided(self.leaders[i].candidate, self.mentors[j].candidate)
        )
        self._forbidden_rows = np.array([i for i, _ in forbidden], dtype=np.intp)
        self._forbidden_cols = np.array([j for _, j in forbidden], dtype=np.intp)

    # -- scores ---------------------------------------------------------------------------------------

    def block(self, start: int, stop: int) -> np.ndarray:
        """Scores of leaders[start:stop] against every mentor (float32; negative where ruled out)."""
        taught = _dense(self._leader_goals[start:stop] @ self._mentor_skills_t)
        shared = _dense(self._leader_skills[start:stop] @ self._mentor_goals_t)
        meaning = self._meaning_bonus(start, stop, taught, shared)
        two_way = taught > 0
        two_way &= shared > 0
        scores = taught
        scores += shared
        scores *= np.float32(TERM_WEIGHT)
        scores += two_way * np.float32(TWO_WAY_BONUS)
        if meaning is not None:
            scores += meaning
        scores += self._static_block(start, stop)
        if self._anyone_waiting:  # pairs a static rule forbids stay far below zero
            scores += self._leader_waiting[start:stop, None]
            scores += self._mentor_waiting[None, :]
        lo, hi = np.searchsorted(self._forbidden_rows, [start, stop])
        scores[self._forbidden_rows[lo:hi] - start, self._forbidden_cols[lo:hi]] = FORBIDDEN
        result: np.ndarray = scores
        return result

    def row(self, i: int) -> np.ndarray:
        row: np.ndarray = self.block(i, i + 1)[0]
        return row

    def overlap_hours(self, i: int, j: int) -> float:
        return float(self.zones.overlap[self._leader_zone[i], self._mentor_zone[j]])

    # -- explanations for people nobody could be paired with -----------------------------------------

    def rules_blocking_leader(self, i: int) -> Counter[Rule]:
        """For each mentor, the first rule that forbids pairing them with leader i, counted."""
        return self._count_first_rules(
            seniority_ok=self._leader_seniority[i] - self._mentor_seniority >= self.rules.min_seniority_gap,
            hours_ok=self.zones.overlap[self._leader_zone[i], self._mentor_zone]
            >= self.rules.min_overlap_hours,
            pair_at=lambda k: (self.leaders[i], self.mentors[k]),
        )

    def rules_blocking_mentor(self, j: int) -> Counter[Rule]:
        return self._count_first_rules(
            seniority_ok=self._leader_seniority - self._mentor_seniority[j] >= self.rules.min_seniority_gap,
            hours_ok=self.zones.overlap[self._leader_zone, self._mentor_zone[j]]
            >= self.rules.min_overlap_hours,
            pair_at=lambda k: (self.leaders[k], self.mentors[j]),
        )

    def _count_first_rules(
        self,
        seniority_ok: np.ndarray,
        hours_ok: np.ndarray,
        pair_at: Callable[[int], tuple[TermProfile, TermProfile]],
    ) -> Counter[Rule]:
        counts: Counter[Rule] = Counter()
        counts[Rule.SENIORITY_GAP] = int((~seniority_ok).sum())
        counts[Rule.WORKING_HOURS] = int((seniority_ok & ~hours_ok).sum())
        for k in np.flatnonzero(seniority_ok & hours_ok):
            leader, mentor = pair_at(int(k))
            if same_reporting_line(leader.candidate, mentor.candidate, self.rules):
                counts[Rule.REPORTING_LINE] += 1
            elif paired_recently(leader.candidate, mentor.candidate, self.rules):
                counts[Rule.RECENT_PAIRING] += 1
            elif avoided(leader.candidate, mentor.candidate):
                counts[Rule.AVOIDED] += 1
        return Counter({rule: counts[rule] for rule in RULE_ORDER if counts[rule]})
