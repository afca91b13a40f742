"""Turning the engine's candidate list into independent, two-sided pools.

- A person listed twice is matched once: the first entry wins (it is the one the engine saw first).
- People of different platforms or workspaces are never paired, so each workspace is its own pool; the
  union of each pool's optimum is the optimum of the whole.
- People who joined as both leader and mentor are placed on one side before solving, by a rule rather
  than by search: first as many of them as needed to make the sides as even as capacity allows (that
  maximises the number of people who can be paired), and within that, the most senior lead and the
  most junior mentor, because the seniority-gap rule makes senior people usable only as leaders and
  junior people only as mentors.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from conversations.domain import Role
from conversations.matching.model import Candidate

logger = logging.getLogger(__name__)


def first_of_each_person(candidates: Sequence[Candidate]) -> list[Candidate]:
    seen: set[object] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        if candidate.user in seen:
            logger.info("ignoring a second entry for %s in the matching pool", candidate.user.key)
            continue
        seen.add(candidate.user)
        unique.append(candidate)
    return unique


def by_workspace(candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """Pools in the order their first member appears, so results are deterministic."""
    pools: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in candidates:
        pools.setdefault((candidate.user.platform, candidate.user.workspace_id), []).append(candidate)
    return list(pools.values())


def leaders_to_take(fixed_leaders: int, fixed_mentors: int, flexible: int, capacity: int) -> int:
    """How many people who could go either way should lead, to pair as many people as possible."""

    def rank(x: int) -> tuple[int, int, int]:
        leaders, places = fixed_leaders + x, (fixed_mentors + flexible - x) * capacity
        return (min(leaders, places), -abs(leaders - places), -x)

    return max(range(flexible + 1), key=rank)


@dataclass(frozen=True)
class Sides:
    leaders: tuple[Candidate, ...]
    mentors: tuple[Candidate, ...]


def split_sides(pool: Sequence[Candidate], capacity: int) -> Sides:
    leaders = [c for c in pool if c.role is Role.LEADER]
    mentors = [c for c in pool if c.role is Role.MENTOR]
    flexible = sorted((c for c in pool if c.role is Role.BOTH), key=lambda c: (-c.seniority, c.user.key))
    take = leaders_to_take(len(leaders), len(mentors), len(flexible), max(0, capacity))
    return Sides(tuple(leaders + flexible[:take]), tuple(mentors + flexible[take:]))
