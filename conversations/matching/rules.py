"""The hard rules a pair must satisfy, one pair at a time.

The matchers apply the same rules to whole blocks of pairs at once (see `fit_blocks.py`); this module is
the plain statement of them, used to explain a waitlist and, in the tests, as the reference the fast
path is checked against.
"""

from __future__ import annotations

from enum import StrEnum

from conversations.matching.model import Candidate, MatchRules


class Rule(StrEnum):
    SENIORITY_GAP = "seniority_gap"
    WORKING_HOURS = "working_hours"
    REPORTING_LINE = "reporting_line"
    RECENT_PAIRING = "recent_pairing"
    AVOIDED = "avoided"


RULE_ORDER: tuple[Rule, ...] = (
    Rule.SENIORITY_GAP,
    Rule.WORKING_HOURS,
    Rule.REPORTING_LINE,
    Rule.RECENT_PAIRING,
    Rule.AVOIDED,
)
"""When a pair breaks several rules it is blamed on the first of these. The private lists come last, so
a pair is put down to them only when no other rule explains it."""


def same_workspace(a: Candidate, b: Candidate) -> bool:
    return a.user.platform == b.user.platform and a.user.workspace_id == b.user.workspace_id


def seniority_gap_ok(leader: Candidate, mentor: Candidate, rules: MatchRules) -> bool:
    return leader.seniority - mentor.seniority >= rules.min_seniority_gap


def working_hours_ok(overlap_hours: float, rules: MatchRules) -> bool:
    return overlap_hours >= rules.min_overlap_hours


def same_reporting_line(leader: Candidate, mentor: Candidate, rules: MatchRules) -> bool:
    """One above the other in a management chain, up to `reporting_depth` levels apart, either way.

    Each chain holds the managers up to that depth already (from the org chart, or from the managers
    people named: see `services.pairing.reporting_chains`); people whose managers are unknown are
    never blocked.
    """
    if not rules.separate_reporting_lines or rules.reporting_depth <= 0:
        return False
    return mentor.user.user_id in leader.manager_chain or leader.user.user_id in mentor.manager_chain


def paired_recently(leader: Candidate, mentor: Candidate, rules: MatchRules) -> bool:
    """A lookback of zero cycles switches the rule off: repeats are then allowed."""
    if rules.repeat_lookback_cycles <= 0:
        return False
    return mentor.user.user_id in leader.recent_partners or leader.user.user_id in mentor.recent_partners


def avoided(leader: Candidate, mentor: Candidate) -> bool:
    """One of the two asked, privately, never to be paired with the other: either list counts."""
    return mentor.user.user_id in leader.avoided or leader.user.user_id in mentor.avoided


def broken_rule(leader: Candidate, mentor: Candidate, rules: MatchRules, overlap_hours: float) -> Rule | None:
    """The first hard rule (in `RULE_ORDER`) the pair breaks, or None when it may be proposed."""
    if not seniority_gap_ok(leader, mentor, rules):
        return Rule.SENIORITY_GAP
    if not working_hours_ok(overlap_hours, rules):
        return Rule.WORKING_HOURS
    if same_reporting_line(leader, mentor, rules):
        return Rule.REPORTING_LINE
    if paired_recently(leader, mentor, rules):
        return Rule.RECENT_PAIRING
    if avoided(leader, mentor):
        return Rule.AVOIDED
    return None


def describe_rule(rule: Rule, rules: MatchRules) -> str:
    """A phrase that completes "ruled out by ...", naming the configured value."""
    if rule is Rule.SENIORITY_GAP:
        gap = rules.min_seniority_gap
        return f"the minimum seniority gap of {gap} level{'' if gap == 1 else 's'}"
    if rule is Rule.WORKING_HOURS:
        return f"the minimum of {rules.min_overlap_hours:g} shared working hours"
    if rule is Rule.REPORTING_LINE:
        return "the rule against pairing people in the same reporting line"
    if rule is Rule.AVOIDED:
        return 'the private "please don\'t pair me with" lists'
    cycles = rules.repeat_lookback_cycles
    return f"the rule against repeating a pairing from the last {cycles} cycle{'' if cycles == 1 else 's'}"
