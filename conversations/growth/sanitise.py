"""Milestones are shown to people and stored for the round: they go through the prompts' cleaning
(no pings, links or markup) and, since an LLM's answer is shaped by what people wrote, anything that
reads as an instruction to a model is dropped rather than shown."""

from __future__ import annotations

import re
from collections.abc import Iterable

from conversations.prompts.sanitise import clean_text

MIN_MILESTONES = 3
MAX_MILESTONES = 5
MAX_MILESTONE_CHARS = 200
MIN_MILESTONE_CHARS = 12

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|above|previous)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bas an ai\b|\bjailbreak\b|\bdeveloper mode\b"
    r"|\b(?:reveal|print|repeat|show)\b.{0,30}\b(?:instructions?|system|prompt)\b",
    re.IGNORECASE,
)


def clean_milestone(text: str) -> str:
    """One milestone as plain text, or "" when nothing usable is left (or it reads as an instruction)."""
    cleaned = clean_text(text, MAX_MILESTONE_CHARS)
    if len(cleaned) < MIN_MILESTONE_CHARS or _INSTRUCTION.search(cleaned):
        return ""
    return cleaned


def clean_milestones(texts: Iterable[str]) -> tuple[str, ...]:
    """Every milestone cleaned; empty and repeated ones dropped, at most `MAX_MILESTONES` kept."""
    kept: list[str] = []
    for text in texts:
        cleaned = clean_milestone(text)
        if cleaned and cleaned.casefold() not in (k.casefold() for k in kept):
            kept.append(cleaned)
        if len(kept) == MAX_MILESTONES:
            break
    return tuple(kept)
