"""Pair contexts for prompt tests: a few realistic pairs and a way to vary them."""

from __future__ import annotations

from conversations.ports import PairContext


def ai_curious_leader(pairing_id: str = "pair-ai", week: str = "2025-W10") -> PairContext:
    return PairContext(
        pairing_id=pairing_id,
        week=week,
        leader_name="Helen",
        mentor_name="Sam",
        leader_skills=("budgeting", "negotiation"),
        mentor_skills=("ChatGPT prompting", "automation with AI assistants"),
        leader_goals=("Use AI assistants to draft and summarise my emails", "Learn prompt writing"),
        mentor_goals=("Understand how the board sets company strategy",),
    )


def data_minded_pair(pairing_id: str = "pair-data", week: str = "2025-W10") -> PairContext:
    return PairContext(
        pairing_id=pairing_id,
        week=week,
        leader_name="Raj",
        mentor_name="Lee",
        leader_skills=("operations", "hiring"),
        mentor_skills=("Power BI dashboards", "SQL"),
        leader_goals=("Read dashboards and spreadsheets without help", "Trust our KPI numbers"),
        mentor_goals=("Get better at giving feedback", "Manage a team one day"),
    )


def blank_pair(pairing_id: str = "pair-blank", week: str = "2025-W10") -> PairContext:
    return PairContext(
        pairing_id=pairing_id,
        week=week,
        leader_name="A",
        mentor_name="B",
        leader_skills=(),
        mentor_skills=(),
        leader_goals=(),
        mentor_goals=(),
    )
