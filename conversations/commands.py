"""Parsing what people type after `/mentor` (Slack) or to the bot (Teams, console).

The parser never raises on any text: malformed input becomes a `ParsedCommand` whose `error` explains
what was expected, so the edge can answer kindly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

USER_COMMANDS: dict[str, str] = {
    "help": "show this help",
    "join": "opt in to the mentoring program",
    "profile": "edit your role, skills, goals, department, level and timezone",
    "status": "see where you stand: your pairing, goals and next check-in",
    "pause": "`pause [until YYYY-MM-DD]` take a break (no check-ins or matches until then)",
    "resume": "come back from a pause",
    "leave": "leave the program (you can choose to delete all your data)",
    "goals": "`goals`, `goals add TEXT`, `goals progress N PERCENT`, `goals done N`",
    "checkin": "`checkin [met|not-yet|rescheduled|need-help] [RATING 1-5] [private note]`",
    "assess": "`assess before|after 1-5` your self-assessment",
    "prompts": "this week's discussion ideas for your pair",
    "story": "`story TEXT` propose a success story (posted once your partner approves)",
    "end": "`end [reason]` end your pairing, no fault, and be re-matched next round",
}
ADMIN_COMMANDS: dict[str, str] = {
    "stats": "program statistics (admins)",
    "pair": "`pair [--dry-run]` run a pairing round, or preview it (admins)",
    "export": "CSV export of pairings and progress, without private notes (admins)",
}
ALIASES = {
    "?": "help",
    "h": "help",
    "check-in": "checkin",
    "check_in": "checkin",
    "goal": "goals",
    "quit": "leave",
    "unpause": "resume",
    "optin": "join",
    "opt-in": "join",
    "stat": "stats",
    "match": "pair",
    "home": "home",
}
KNOWN = set(USER_COMMANDS) | set(ADMIN_COMMANDS) | {"home"}
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


def parse_command(text: str) -> ParsedCommand:
    cleaned = _clean(text)
    if not cleaned:
        return ParsedCommand("help")
    word, _, rest = cleaned.partition(" ")
    word = word.lower().lstrip("/")
    if word == "mentor" and rest:
        return parse_command(rest)
    name = ALIASES.get(word, word)
    rest = rest.strip()
    if name not in KNOWN:
        return ParsedCommand("help", unknown=word[:40])
    tokens = tuple(rest.split())
    flags = frozenset(t.lower() for t in tokens if t.startswith("--"))
    args = tuple(t for t in tokens if not t.startswith("--"))
    return ParsedCommand(name, args, rest, flags)


def _clean(text: str) -> str:
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


def help_text(is_admin: bool, unknown: str | None = None) -> str:
    lines = []
    if unknown:
        lines.append(f"I don't know the command `{unknown}`. Here is what I can do:")
    else:
        lines.append("Reverse mentoring: early-career mentors teach leaders AI and digital tools; leaders share strategy back.")
    lines += [f"• `{name}` — {desc}" for name, desc in USER_COMMANDS.items()]
    if is_admin:
        lines += [f"• `{name}` — {desc}" for name, desc in ADMIN_COMMANDS.items()]
    return "\n".join(lines)
