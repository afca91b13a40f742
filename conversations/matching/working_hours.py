"""Shared working hours between two timezones.

Everyone is assumed to work 09:00-17:00 local time. Offsets are looked up once per distinct zone name
(a pool of 20,000 people has a few dozen zones; a tz lookup per pair would dominate a large round).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

logger = logging.getLogger(__name__)

WORKDAY_START_HOUR = 9
WORKDAY_END_HOUR = 17
WORKDAY_HOURS = WORKDAY_END_HOUR - WORKDAY_START_HOUR


@lru_cache(maxsize=1024)
def _zone(zone_name: str) -> ZoneInfo | None:
    """None for a blank or unknown zone; an unknown one is logged once, not once per round."""
    if not zone_name.strip():
        return None
    try:
        return ZoneInfo(zone_name.strip())
    except Exception:  # ZoneInfoNotFoundError, ValueError for malformed names, ...
        logger.warning("unknown timezone %r counted as UTC for matching", zone_name)
        return None


def utc_offset_hours(zone_name: str, at: datetime | None = None) -> float:
    """A blank or unknown zone counts as UTC rather than breaking a round."""
    zone = _zone(zone_name)
    if zone is None:
        return 0.0
    at = at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    offset = at.astimezone(zone).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def overlap_from_offsets(offset_a: float, offset_b: float) -> float:
    """Hours of the 8-hour day two people share; offsets 24 h apart work the same hours on the clock."""
    gap = abs(offset_a - offset_b) % 24
    gap = min(gap, 24 - gap)
    return max(0.0, WORKDAY_HOURS - gap)


def working_overlap_hours(zone_a: str, zone_b: str, at: datetime | None = None) -> float:
    return overlap_from_offsets(utc_offset_hours(zone_a, at), utc_offset_hours(zone_b, at))


class ZoneTable:
    """Every distinct zone of a pool, numbered, with the overlap between each two of them."""

    def __init__(self, zone_names: Iterable[str], at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        self.index: dict[str, int] = {}
        offsets: list[float] = []
        for name in zone_names:
            if name not in self.index:
                self.index[name] = len(offsets)
                offsets.append(utc_offset_hours(name, at))
        self.offsets = np.asarray(offsets, dtype=np.float64)
        gap = np.abs(self.offsets[:, None] - self.offsets[None, :]) % 24
        gap = np.minimum(gap, 24 - gap)
        self.overlap = np.maximum(0.0, WORKDAY_HOURS - gap)
        """overlap[a, b]: shared working hours of zone numbers a and b."""

    def number(self, zone_name: str) -> int:
        return self.index[zone_name]

    def overlap_hours(self, zone_a: str, zone_b: str) -> float:
        return float(self.overlap[self.index[zone_a], self.index[zone_b]])
