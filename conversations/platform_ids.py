"""Which platform an id in the settings belongs to.

`MENTORBOT_ADMINS` and `MENTORBOT_STORIES_CHANNEL` may list Slack and Teams ids side by side. An entry
may say its platform (`slack:U123`, `teams:29:abc`); otherwise the id's own shape tells (Slack users
`U…`/`W…` and channels `C…`/`G…` with a digit in them, Teams ids `29:…` and `19:…`), and anything else
counts everywhere.
"""

from __future__ import annotations

import re

PLATFORMS = ("slack", "teams", "console")
SLACK_SHAPE = re.compile(r"^[UWCG](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}$")
TEAMS_SHAPE = re.compile(r"^(29|19|8):")


def platform_of(entry: str) -> tuple[str | None, str]:
    """(platform or None for any, the id itself)."""
    prefix, sep, rest = entry.partition(":")
    if sep and prefix in PLATFORMS:
        return prefix, rest
    if SLACK_SHAPE.match(entry):
        return "slack", entry
    if TEAMS_SHAPE.match(entry):
        return "teams", entry
    return None, entry


def ids_for(entries: frozenset[str] | tuple[str, ...], platform: str) -> list[str]:
    """The ids among `entries` that belong on `platform`, in a stable order."""
    found = []
    for entry in sorted(entries):
        owner, identifier = platform_of(entry)
        if owner in (None, platform) and identifier not in found:
            found.append(identifier)
    return found
