"""Reading what people type: the parsed shape of a command and bounded numbers and dates.

Kept apart from `conversations.commands` (the registry, which imports the services) so the services
can use these without an import cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MAX_TEXT = 2000


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...] = ()
    rest: str = ""
    """The text after the command word, as typed (whitespace trimmed)."""
    flags: frozenset[str] = field(default_factory=frozenset)
    unknown: str | None = None
    """The word that was not a command, so help can say so."""


def clean_text(text: str) -> str:
    """At most MAX_TEXT characters, control characters and runs of whitespace made single spaces."""
    text = (text or "")[:MAX_TEXT]
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text)
    return " ".join(text.split())


def parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def parse_int(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip().rstrip("%")
    if not re.fullmatch(r"[+-]?\d{1,6}", raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None
