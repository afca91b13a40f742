"""Why someone was not paired this round, in words they can act on.

Being left out silently is what people resent most in pairing bots, so every waitlisted person gets
the most specific cause that applies, checked from the most fundamental down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conversations.matching.model import MatchRules
from conversations.matching.rules import Rule, describe_rule


@dataclass(frozen=True)
class PoolShape:
    leaders: int
    mentors: int
    capacity: int

    @property
    def places(self) -> int:
        return self.mentors * max(0, self.capacity)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def ruled_out(wanted: str, blocking: Counter[Rule], rules: MatchRules) -> str:
    if len(blocking) == 1:
        (rule,) = blocking
        return f"Every possible {wanted} is ruled out by {describe_rule(rule, rules)}."
    parts = [f"{describe_rule(rule, rules)} ({_plural(count, wanted)})" for rule, count in blocking.items()]
    return f"Every possible {wanted} is ruled out by a hard rule: {'; '.join(parts)}."


def leader_reason(
    shape: PoolShape, has_option: bool, blocking: Counter[Rule] | None, rules: MatchRules
) -> str:
    if shape.mentors == 0:
        return "No mentors joined this round."
    if shape.capacity <= 0:
        return "Mentors can take no leaders this round (mentor capacity is set to 0)."
    if not has_option:
        return ruled_out("mentor", blocking or Counter(), rules)
    if shape.leaders > shape.places:
        return f"There were more leaders ({shape.leaders}) than mentor places ({shape.places}) this round."
    return "Every mentor who fits the rules for you was needed for another leader this round."


def mentor_reason(
    shape: PoolShape, has_option: bool, blocking: Counter[Rule] | None, rules: MatchRules
) -> str:
    if shape.leaders == 0:
        return "No leaders joined this round."
    if shape.capacity <= 0:
        return "Mentors take no leaders this round (mentor capacity is set to 0)."
    if not has_option:
        return ruled_out("leader", blocking or Counter(), rules)
    if shape.mentors > shape.leaders:
        return f"There were more mentors ({shape.mentors}) than leaders ({shape.leaders}) this round."
    return "Every leader who fits the rules for you was paired with another mentor this round."
