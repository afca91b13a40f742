"""Drive the engine with hourly ticks on a fake clock and keep what each tick delivered, with its time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapters.console import Sent
from tests.unit.engine_harness import Harness

CHECKIN = "Weekly check-in"


@dataclass(frozen=True)
class Delivered:
    at: datetime
    sent: Sent

    @property
    def title(self) -> str:
        return self.sent.message.title or ""


async def tick_hourly(h: Harness, until: datetime) -> list[Delivered]:
    """Tick on every whole UTC hour from the clock's next whole hour up to `until` (included)."""
    delivered: list[Delivered] = []
    now = h.clock.now()
    moment = now.replace(minute=0, second=0, microsecond=0)
    if moment < now:
        moment += timedelta(hours=1)
    while moment <= until:
        h.clock.set(moment)
        seen = len(h.chat.transcript)
        await h.bot.jobs.tick()
        delivered += [Delivered(moment, s) for s in h.chat.transcript[seen:]]
        moment += timedelta(hours=1)
    return delivered


def first_hour_at_or_after(moment: datetime) -> datetime:
    whole = moment.replace(minute=0, second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(hours=1)


def weekly_slots(timezone: str, weekday: int, at: time, start: datetime, end: datetime) -> list[datetime]:
    """Every local `weekday` at `at` in `timezone` between start and end, as aware datetimes."""
    tz = ZoneInfo(timezone)
    local = start.astimezone(tz)
    day = local.date() - timedelta(days=local.weekday()) + timedelta(days=weekday)
    slots = []
    while True:
        slot = datetime.combine(day, at, tzinfo=tz)
        if slot > end:
            return slots
        if slot >= start:
            slots.append(slot)
        day += timedelta(days=7)
