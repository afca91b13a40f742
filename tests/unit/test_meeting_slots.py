"""Slots to meet fall inside both people's working hours, on their own clocks, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.clock import local_time
from conversations.meeting_slots import (
    LEAD,
    MIN_GAP_SAME_DAY,
    SLOT_STEP,
    Slot,
    google_calendar_link,
    outlook_web_link,
    propose_slots,
    teams_meeting_link,
    within_working_hours,
)

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Africa/Accra",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Chatham",
]
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def every_valid_slot(zones: list[str], after: datetime, days: int = 7) -> list[Slot]:
    """The brute-force answer: every half-hour start the finder could have offered."""
    found = []
    moment = (after + LEAD).replace(minute=0, second=0, microsecond=0)
    while moment + timedelta(minutes=30) <= after + timedelta(days=days):
        slot = Slot(moment, moment + timedelta(minutes=30))
        if moment >= after + LEAD and all(within_working_hours(slot, zone) for zone in zones):
            found.append(slot)
        moment += SLOT_STEP
    return found


@settings(max_examples=300, deadline=None)
@given(
    first=st.sampled_from(ZONES),
    second=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=UTC)
    ),
)
def test_every_slot_is_inside_both_working_days_and_none_is_missed(
    first: str, second: str, after: datetime
) -> None:
    slots = propose_slots([first, second], after)
    assert len(slots) <= 3 and slots == sorted(slots, key=lambda slot: slot.start)
    assert len({slot.start for slot in slots}) == len(slots)
    for slot in slots:
        assert slot.start >= after + LEAD and slot.end <= after + timedelta(days=7)
        for zone in (first, second):
            start, end = slot.on_clock_of(zone)
            assert start.weekday() < 5 and start.date() == end.date()
            assert 9 <= start.hour and (end.hour, end.minute) <= (17, 0)
    possible = every_valid_slot([first, second], after)
    assert bool(slots) == bool(possible), "slots are offered whenever the week has any"
    if len(slots) < 3:  # a short week: every time left out is close to one offered
        assert all(any(abs(p.start - s.start) < MIN_GAP_SAME_DAY for s in slots) for p in possible)


def test_new_york_and_london_get_three_days_to_choose_from() -> None:
    slots = propose_slots(["America/New_York", "Europe/London"], MONDAY)
    days = {local_time(slot.start, "America/New_York").date() for slot in slots}
    assert len(slots) == 3 and len(days) == 3
    assert all(local_time(slot.start, "America/New_York").hour >= 10 for slot in slots)


def test_people_whose_working_days_never_overlap_get_no_slot() -> None:
    assert propose_slots(["America/Los_Angeles", "Asia/Kolkata"], MONDAY) == []


def test_the_week_the_clocks_change_in_one_zone_only() -> None:
    """The US moves its clocks on 2026-03-08, Europe three weeks later: the overlap shrinks by an hour."""
    after = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    slots = propose_slots(["America/New_York", "Europe/Berlin"], after)
    assert slots
    for slot in slots:
        assert within_working_hours(slot, "America/New_York") and within_working_hours(slot, "Europe/Berlin")
    before = propose_slots(["America/New_York", "Europe/Berlin"], datetime(2026, 2, 27, 12, 0, tzinfo=UTC))
    assert {local_time(s.start, "Europe/Berlin").hour for s in before} != {
        local_time(s.start, "Europe/Berlin").hour for s in slots
    }


def test_calendar_links_carry_the_slot_in_utc_and_text_only_as_query_values() -> None:
    slot = Slot(datetime(2026, 12, 8, 15, 0, tzinfo=UTC), datetime(2026, 12, 8, 15, 30, tzinfo=UTC))
    title = "Mentoring: Lea & Max <@U1> https://x.test"
    google = parse_qs(urlsplit(google_calendar_link(slot, title, "agenda")).query)
    assert google["dates"] == ["20261208T150000Z/20261208T153000Z"] and google["text"] == [title]
    outlook = parse_qs(urlsplit(outlook_web_link(slot, title, "agenda")).query)
    assert outlook["startdt"] == ["2026-12-08T15:00:00Z"] and outlook["subject"] == [title]
    teams = urlsplit(teams_meeting_link(slot, title, "agenda", ["lea@example.test", "max@example.test"]))
    assert teams.netloc == "teams.microsoft.com" and teams.path == "/l/meeting/new"
    assert parse_qs(teams.query)["attendees"] == ["lea@example.test,max@example.test"]
