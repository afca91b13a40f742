"""Shared working hours: offsets read once per zone, at the instant given, wrapping around the date line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.matching.working_hours import (
    ZoneTable,
    overlap_from_offsets,
    utc_offset_hours,
    working_overlap_hours,
)

WINTER = datetime(2025, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2025, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [(0, 0, 8), (0, 1, 7), (0, -5, 3), (5.5, 0, 2.5), (0, 9, 0), (0, -12, 0), (12, -11, 7), (14, -10, 8)],
)
def test_overlap_of_two_offsets(a: float, b: float, hours: float) -> None:
    assert overlap_from_offsets(a, b) == hours
    assert overlap_from_offsets(b, a) == hours


def test_daylight_saving_is_read_at_the_given_instant() -> None:
    assert utc_offset_hours("Europe/London", WINTER) == 0
    assert utc_offset_hours("Europe/London", SUMMER) == 1
    assert working_overlap_hours("Europe/London", "America/New_York", WINTER) == 3
    assert working_overlap_hours("Asia/Kathmandu", "UTC", WINTER) == 2.25


@pytest.mark.parametrize("zone", ["", "  ", "Not/AZone", "../etc/passwd"])
def test_blank_or_unknown_zones_count_as_utc(zone: str) -> None:
    assert utc_offset_hours(zone, WINTER) == 0


def test_the_zone_table_numbers_each_zone_once() -> None:
    table = ZoneTable(["Europe/London", "Asia/Tokyo", "Europe/London", "UTC"], WINTER)
    assert len(table.offsets) == 3
    assert table.overlap_hours("Europe/London", "Asia/Tokyo") == 0
    assert table.overlap_hours("UTC", "Europe/London") == 8
