"""Prompt topics and the words that point to them.

Relevance is plain term overlap: cheap, explainable ("you asked about dashboards, here is a data
prompt") and good enough to steer a curated library; the LLM does the subtle personalisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class Topic(StrEnum):
    AI_TOOLS = "ai_tools"
    DATA = "data"
    DIGITAL_COLLABORATION = "digital_collaboration"
    STRATEGY = "strategy"
    LEADERSHIP = "leadership"
    CAREER = "career"


class Direction(StrEnum):
    """Who brings the knowledge to the conversation: the early-career mentor, the leader, or both."""

    MENTOR_TEACHES = "mentor_teaches"
    LEADER_SHARES = "leader_shares"
    BOTH = "both"


TOPIC_KEYWORDS: dict[Topic, frozenset[str]] = {
    Topic.AI_TOOLS: frozenset(
        "ai artificial intelligence chatgpt gpt copilot gemini claude llm prompt prompting assistant "
        "automation automate automating chatbot genai generative machine ml agent summarise summarize "
        "model".split()
    ),
    Topic.DATA: frozenset(
        "data analytics analysis analyse analyze excel spreadsheet dashboard bi powerbi tableau looker "
        "sql metric kpi number reporting report chart visualisation visualization statistic forecast "
        "forecasting python insight measure evidence".split()
    ),
    Topic.DIGITAL_COLLABORATION: frozenset(
        "slack teams chat collaboration collaborate remote hybrid meeting email inbox notion confluence "
        "miro async asynchronous communication document sharepoint notification productivity tool "
        "digital video calendar workflow online virtual distributed".split()
    ),
    Topic.STRATEGY: frozenset(
        "strategy strategic market competitor competition business growth customer product innovation "
        "transformation industry vision planning plan investment board priority trend disruption "
        "startup commercial revenue".split()
    ),
    Topic.LEADERSHIP: frozenset(
        "leadership leader lead leading manage management manager team people feedback delegation "
        "delegate influence stakeholder decision change culture hiring coaching motivation conflict "
        "executive communicate presence".split()
    ),
    Topic.CAREER: frozenset(
        "career promotion promoted promote network networking learning learn skill development develop profile linkedin "
        "course job role future mentor mentoring brand progression opportunity".split()
    ),
}

_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """Folds simple plurals so "dashboards" meets "dashboard"; nothing cleverer is needed here."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


_STEMMED_KEYWORDS: dict[Topic, frozenset[str]] = {
    topic: frozenset(_stem(w) for w in words) for topic, words in TOPIC_KEYWORDS.items()
}


def topic_hits(texts: Iterable[str]) -> dict[Topic, int]:
    """How many topic keywords the texts mention, per topic."""
    found: set[str] = set()
    for text in texts:
        found |= terms(text)
    return {topic: len(found & words) for topic, words in _STEMMED_KEYWORDS.items()}


def classify_topic(text: str, default: Topic = Topic.CAREER) -> Topic:
    """The best-matching topic of a free text, e.g. an LLM prompt that came back untagged."""
    hits = topic_hits([text])
    best = max(hits, key=lambda t: hits[t])
    return best if hits[best] > 0 else default


def parse_topic(value: object) -> Topic | None:
    if not isinstance(value, str):
        return None
    try:
        return Topic(value.strip().lower())
    except ValueError:
        return None
