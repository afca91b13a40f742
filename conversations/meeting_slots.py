"""Times two people could meet in the coming days, and links that put one in their calendar.

Meeting is what every other part of the program depends on, and the bot already knows both people's
time zones. A slot is offered only when it falls inside both people's working hours on a weekday, on
each person's own clock: every instant is converted separately, so a daylight-saving change in either
zone moves the slots with it instead of pushing one outside someone's day. The links need no calendar
API: Google Calendar and Outlook on the web open a prefilled new event, Teams a new meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from babel.dates import format_date

from conversations.clock import local_time
from conversations.i18n import N_, _, current_locale

SLOT_STEP = timedelta(minutes=30)
LEAD = timedelta(hours=2)
"""No slot starts sooner than this after the offer: nobody can meet in ten minutes' notice."""
WORKDAY = (time(9), time(17))
PREFERRED_START = time(10)
"""Within a day, the first slot at or after this hour (on the first person's clock) is preferred."""
MIN_GAP_SAME_DAY = timedelta(hours=2)


@dataclass(frozen=True)
class Slot:
    start: datetime
    """Aware, UTC."""
    end: datetime

    def on_clock_of(self, timezone: str) -> tuple[datetime, datetime]:
        return local_time(self.start, timezone), local_time(self.end, timezone)


def within_working_hours(slot: Slot, timezone: str, workday: tuple[time, time] = WORKDAY) -> bool:
    """On a weekday, between the start and end of the working day, on that person's own clock."""
    start, end = slot.on_clock_of(timezone)
    return (
        start.date() == end.date()
        and start.weekday() < 5
        and workday[0] <= start.time()
        and end.time() <= workday[1]
        and end > start
    )


def propose_slots(
    timezones: Sequence[str],
    after: datetime,
    *,
    count: int = 3,
    length: timedelta = timedelta(minutes=30),
    days: int = 7,
    workday: tuple[time, time] = WORKDAY,
) -> list[Slot]:
    """Up to `count` slots in the `days` after `after`, inside everyone's working hours, spread over
    different days where the week allows (each day's first slot from 10:00 on the first person's clock),
    earliest first. Fewer, or none, when the working days barely or never overlap."""
    if count <= 0 or not timezones:
        return []
    first = _next_step(after.astimezone(UTC) + LEAD)
    horizon = after.astimezone(UTC) + timedelta(days=days)
    by_day: dict[date, list[Slot]] = {}
    moment = first
    while moment + length <= horizon:
        slot = Slot(moment, moment + length)
        if all(within_working_hours(slot, zone, workday) for zone in timezones):
            by_day.setdefault(local_time(moment, timezones[0]).date(), []).append(slot)
        moment += SLOT_STEP
    chosen = [_preferred(slots, timezones[0]) for slots in by_day.values()][:count]
    for slots in by_day.values():  # a short week: more than one slot on a day, well apart
        for slot in slots:
            if len(chosen) >= count:
                break
            if all(abs(slot.start - other.start) >= MIN_GAP_SAME_DAY for other in chosen):
                chosen.append(slot)
    return sorted(chosen, key=lambda slot: slot.start)


def _next_step(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    while floor < moment:
        floor += SLOT_STEP
    return floor


def _preferred(slots: list[Slot], timezone: str) -> Slot:
    for slot in slots:
        if local_time(slot.start, timezone).time() >= PREFERRED_START:
            return slot
    return slots[0]


def slot_label(start: datetime, end: datetime, timezone: str) -> str:
    """The slot on one reader's clock, in words: "Tuesday 15 December, 10:00–10:30 (Europe/London)"."""
    local_start, local_end = local_time(start, timezone), local_time(end, timezone)
    day = format_date(local_start.date(), _(DAY_AND_DATE), locale=current_locale())
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M} ({timezone or 'UTC'})"


DAY_AND_DATE = N_("EEEE d MMMM")
"""A day as people say it, as a date pattern (Unicode LDML): each language orders and joins it its
own way ("martes 15 de diciembre")."""


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_calendar_link(slot: Slot, title: str, details: str) -> str:
    query = {"action": "TEMPLATE", "text": title, "dates": f"{_utc_stamp(slot.start)}/{_utc_stamp(slot.end)}"}
    return "https://calendar.google.com/calendar/render?" + urlencode({**query, "details": details})


def outlook_web_link(slot: Slot, title: str, details: str) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": _iso(slot.start),
        "enddt": _iso(slot.end),
        "body": details,
    }
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(query)


def teams_meeting_link(slot: Slot, title: str, details: str, attendees: Sequence[str]) -> str:
    """`attendees`: the two people's email addresses or user principal names, where known."""
    query = {"subject": title, "startTime": _iso(slot.start), "endTime": _iso(slot.end), "content": details}
    if attendees:
        query["attendees"] = ",".join(attendees)
    return "https://teams.microsoft.com/l/meeting/new?" + urlencode(query)
