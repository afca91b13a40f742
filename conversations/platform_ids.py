"""Which platform, workspace and person an id in the settings names.

`MENTORBOT_ADMINS` and `MENTORBOT_STORIES_CHANNEL` may list Slack and Teams ids side by side. An entry
may say its platform (`slack:U123`, `teams:29:abc`); otherwise the id's own shape tells (Slack users
`U…`/`W…` and channels `C…`/`G…` with a digit in them, Teams ids `29:…` and `19:…`), and anything else
counts on every platform.

An admin entry is scoped to one workspace (Slack) or tenant (Teams), because a user id alone is only
unique inside its workspace, and a request from another workspace may carry the same id:

    [org:][PLATFORM:][WORKSPACE/]USER

- `slack:T0123ABC/U0456DEF`: the Slack user U0456DEF of workspace T0123ABC only.
- `teams:72f988bf-86f1-41af-91ab-2d7cd011db47/29:1abc…`: that Teams user in that tenant only. The `/`
  splits workspace from user because it appears in neither (Teams user ids contain colons).
- No workspace (`U0456DEF`, `slack:U0456DEF`, `29:1abc…`, `teams:29:1abc…`): the platform's *home*
  workspace. On Slack that is the workspace of the bot's token (auth.test); while it is not known a
  bare Slack id is admin nowhere. On Teams it is `MICROSOFT_APP_TENANT_ID` when set; without it a bare
  Teams id counts in every tenant (Bot Framework signs the tenant and the user id, and Teams user ids
  differ per tenant, but a scoped entry is safer).
- `*` as the workspace (`slack:*/W0456DEF`): the user in every workspace of that platform, for
  Enterprise Grid org-wide ids or multi-tenant Teams apps.
- `org:` in front makes an org-wide admin: `stats` and `export` cover every platform, workspace and
  tenant. Without it they cover only the workspace or tenant the admin asks from.

A bare id's platform comes from its prefix or its shape; with neither (`admin`) it counts on every
platform, in that platform's home workspace. Entries that cannot be read (a Slack workspace that is not
`T…`, a tenant that is not a GUID, `slack:U1/T1` written the wrong way round) are ignored with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams", "console")
SLACK_SHAPE = re.compile(r"^[UWCG](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}$")
TEAMS_SHAPE = re.compile(r"^(29|19|8):")
SLACK_WORKSPACE = re.compile(r"^T[A-Z0-9]+$")
TEAMS_TENANT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ORG_PREFIX = "org:"
ANY_WORKSPACE = "*"
HOME_REQUIRED = frozenset({"slack"})
"""Platforms on which a bare admin id counts nowhere until the home workspace is known."""


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


@dataclass(frozen=True)
class AdminEntry:
    """One admin entry of the settings, read."""

    platform: str | None
    """None: the id's shape does not tell, so any platform."""
    workspace: str | None
    """None: the platform's home workspace; `*`: every workspace of the platform."""
    user_id: str
    org_wide: bool = False

    def names(self, platform: str, workspace_id: str, user_id: str, homes: Mapping[str, str]) -> bool:
        """Whether this entry names that person, there."""
        return self.user_id == user_id and self.counts_in(platform, workspace_id, homes)

    def counts_in(self, platform: str, workspace_id: str, homes: Mapping[str, str]) -> bool:
        """Whether this entry's person is an admin in that platform's workspace or tenant."""
        if self.platform not in (None, platform):
            return False
        if self.workspace == ANY_WORKSPACE:
            return True
        wanted = self.workspace if self.workspace is not None else homes.get(platform)
        if wanted is None:
            return platform not in HOME_REQUIRED
        return wanted.casefold() == workspace_id.casefold()


def _workspace_platform(workspace: str) -> str | None:
    if SLACK_WORKSPACE.match(workspace):
        return "slack"
    if TEAMS_TENANT.match(workspace):
        return "teams"
    return None


def parse_admin(raw: str) -> AdminEntry | None:
    """The entry, or None when it cannot be read unambiguously."""
    text = raw.strip()
    org_wide = text.startswith(ORG_PREFIX)
    if org_wide:
        text = text[len(ORG_PREFIX) :]
    platform: str | None = None
    prefix, sep, rest = text.partition(":")
    if sep and prefix in PLATFORMS:
        platform, text = prefix, rest
    workspace: str | None = None
    if "/" in text:
        workspace, _, text = text.partition("/")
        if not workspace or "/" in text:
            return None
    user_id = text
    if not user_id:
        return None
    if platform is None:
        shaped, _ = platform_of(user_id)
        if shaped is None and workspace and workspace != ANY_WORKSPACE:
            shaped = _workspace_platform(workspace)
        platform = shaped
    if workspace is not None and workspace != ANY_WORKSPACE:
        if platform == "slack" and not SLACK_WORKSPACE.match(workspace):
            return None
        if platform == "teams" and not TEAMS_TENANT.match(workspace):
            return None
        if ":" in workspace:
            return None
    return AdminEntry(platform, workspace, user_id, org_wide)


@lru_cache(maxsize=32)
def admin_entries(entries: frozenset[str] | tuple[str, ...]) -> tuple[AdminEntry, ...]:
    """Every readable entry, in a stable order; unreadable ones are reported once and ignored."""
    read = []
    for raw in sorted(entries):
        if not raw.strip():
            continue
        entry = parse_admin(raw)
        if entry is None:
            logger.warning(
                "ignoring admin entry %r: write [org:][slack:|teams:][WORKSPACE/]USER, "
                "e.g. slack:T0123ABC/U0456DEF",
                raw,
            )
            continue
        read.append(entry)
    return tuple(read)


def bare_entries(entries: Iterable[AdminEntry], platform: str) -> list[AdminEntry]:
    """Entries that count in `platform`'s home workspace because they name none."""
    return [e for e in entries if e.workspace is None and e.platform in (None, platform)]
