"""Choices from lists too long for a form, searched as the person types.

A form offers a few common options and the current value; the full list (every IANA time zone) is
searched on demand. Slack asks through an `external_select` (a `block_suggestion` request), Teams through
a filtered `Input.ChoiceSet` whose `choices.data` names the dataset (an `application/search` invoke); both
adapters answer with `search_options`. It works in memory on a list built once, so it can answer inside
Slack's three seconds and never needs the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from zoneinfo import available_timezones

from conversations.messages import Option

TIMEZONES = "timezones"
"""Every IANA time zone this process knows (`zoneinfo.available_timezones()`)."""
DATASETS = frozenset({TIMEZONES})
MAX_QUERY_CHARS = 100

COMMON_TIMEZONES: tuple[str, ...] = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
"""Offered in the form itself, before anyone types; every other zone is one search away."""

NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
"""Files in some zoneinfo directories that load as zones but name no place: never offered or accepted."""
NOT_ZONE_PREFIXES = ("posix/", "right/")
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_SEPARATORS = re.compile(r"[\s_\-]+")


def is_place_zone(name: str) -> bool:
    """Not one of the zoneinfo files that load as a zone yet name no place (`localtime`, `right/…`)."""
    return name not in NOT_ZONES and not name.startswith(NOT_ZONE_PREFIXES)


def normalise(text: str) -> str:
    """Case, underscores, hyphens and runs of spaces don't matter: `buenos aires` finds Buenos_Aires."""
    return _SEPARATORS.sub(" ", text.strip().lower()).strip()


def timezone_label(zone: str) -> str:
    """How a zone is shown: its IANA name, with spaces where the name has underscores."""
    return zone.replace("_", " ")


@cache
def _timezone_index() -> tuple[tuple[str, str, tuple[str, ...], int], ...]:
    """(zone, normalised name, its words, how familiar) for every zone, common ones first; the city is
    the last word group (`america/argentina/buenos aires` → words ending `buenos aires`)."""
    common = {zone: n for n, zone in enumerate(COMMON_TIMEZONES)}
    entries = []
    for zone in filter(is_place_zone, available_timezones()):
        if zone in common:
            familiar = 0
        elif zone.startswith(_REGIONS) or zone == "Etc/UTC":
            familiar = 1
        else:
            familiar = 2  # legacy links (US/Pacific, GB) and POSIX-style names (EST5EDT): still findable
        name = normalise(zone)
        parts = name.split("/")
        entries.append((zone, name, (*parts, *" ".join(parts).split()), familiar))
    entries.sort(key=lambda e: (e[3], common.get(e[0], 0), e[0]))
    return tuple(entries)


def warm_up() -> None:
    """Builds the index now, so the first person to search does not wait for the zone list to load."""
    _timezone_index()


@cache
def _timezone_names() -> frozenset[str]:
    return frozenset(zone for zone, *_ in _timezone_index())


def is_option(dataset: str, value: str) -> bool:
    """Whether `value` is one of the dataset's choices."""
    return dataset == TIMEZONES and value in _timezone_names()


def option_for(dataset: str, value: str) -> Option | None:
    """The option as the search would show it, or None when the value is not in the dataset."""
    if dataset == TIMEZONES and is_option(dataset, value):
        return Option(value, timezone_label(value))
    return None


def _match_rank(query: str, name: str, words: tuple[str, ...]) -> int | None:
    """0 exact (whole name or city), 1 the city starts so, 2 a word does, 3 anywhere; None no match."""
    if not query:
        return 0
    city = name.rsplit("/", 1)[-1]
    if query in (name, city):
        return 0
    if city.startswith(query):
        return 1
    if name.startswith(query) or any(word.startswith(query) for word in words):
        return 2
    if query in name:
        return 3
    return None


def search_options(
    dataset: str, query: str, limit: int, skip: int = 0, preferred: Iterable[str] = ()
) -> tuple[Option, ...]:
    """The dataset's options matching `query`, best first, at most `limit` after skipping `skip`.

    Matching ignores case, spaces, underscores and hyphens and finds any part of the name: `utc`,
    `Accra`, `buenos aires`, `america/new`. An empty query lists the common choices first. `preferred`
    values (the person's current choice) come first among equally good matches.
    """
    if dataset not in DATASETS or limit <= 0:
        return ()
    wanted = normalise(query[:MAX_QUERY_CHARS])
    first = {value: n for n, value in enumerate(preferred)}
    ranked = []
    for position, (zone, name, words, _familiar) in enumerate(_timezone_index()):
        rank = _match_rank(wanted, name, words)
        if rank is not None:
            ranked.append((rank, first.get(zone, len(first)), position, zone))
    ranked.sort()
    chosen = ranked[max(0, skip) : max(0, skip) + limit]
    return tuple(Option(zone, timezone_label(zone)) for *_, zone in chosen)
