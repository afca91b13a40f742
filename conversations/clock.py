"""Clocks: the real one and one the demo and the tests move forward by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """Starts at a chosen moment and runs at the real clock's pace from there.

    `mentorbot tick --at` acts as if the clock read that moment, for the whole tick: what is due, the
    claims, and the waits a platform's Retry-After asks for, which a frozen clock would never see end.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


class ManualClock:
    """Reads whatever it was last set to; `advance` fast-forwards a simulated program."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


def zone(name: str) -> ZoneInfo:
    """A person's time zone; UTC when the stored name is not one this machine knows (a zone dropped from
    the tz database), so one bad profile never stops a tick."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, timezone: str) -> datetime:
    """`moment` on the clock of someone living in `timezone`."""
    return moment.astimezone(zone(timezone))


def iso_week(moment: datetime | date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_before(week: str, count: int) -> str:
    """The ISO week `count` weeks before `week` ("2027-W01" -> "2026-W53")."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return iso_week(monday - timedelta(weeks=count))
