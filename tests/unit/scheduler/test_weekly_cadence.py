"""Hourly ticks on a fake clock: one check-in per person, pairing and week, at their own local hour,
whatever the daylight-saving changes; nothing to paused people; nudges only when their rule holds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations.clock import ManualClock
from conversations.services.checkins import FIRST_CHECKIN_AFTER
from conversations.services.context import NudgeRules, ProgramConfig
from tests.unit.engine_harness import ADMIN, Harness
from tests.unit.scheduler.ticking import CHECKIN, first_hour_at_or_after, tick_hourly, weekly_slots

LEADERS = {
    "lea": "Europe/London",
    "leo": "America/New_York",
    "lia": "Asia/Kolkata",  # +05:30: the slot falls between two hourly ticks
    "lou": "Australia/Sydney",  # southern hemisphere: summer time while the north has winter
}
MENTORS = {  # each near a leader's timezone, so the matcher's working-hours rule pairs everyone
    "max": "Europe/London",
    "mei": "America/Los_Angeles",
    "mia": "Asia/Dubai",
    "mo": "Pacific/Auckland",  # far enough east that its Monday begins on Sunday in UTC
}
EVERYONE = LEADERS | MENTORS


async def program(start: datetime, config: ProgramConfig | None = None) -> Harness:
    h = Harness(clock=ManualClock(start))
    if config is not None:
        h = Harness(clock=ManualClock(start), config=config)
    for user_id, timezone in LEADERS.items():
        await h.join(
            user_id,
            "leader",
            skills=("Company strategy",),
            goals=("Generative AI",),
            level="5",
            department="Finance",
            timezone=timezone,
        )
    for user_id, timezone in MENTORS.items():
        await h.join(
            user_id,
            "mentor",
            skills=("Generative AI",),
            goals=("Company strategy",),
            level="1",
            department="Engineering",
            timezone=timezone,
        )
    await h.pair_up()
    assert len(await h.store.pairings()) == 4, "everyone is paired"
    return h


def checkins_by_person(delivered) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = {}
    for d in delivered:
        if d.title == CHECKIN:
            (person,) = d.sent.recipients
            out.setdefault(person, []).append(d.at)
    return out


# Pairs are made on a Thursday morning (UTC), so every timezone's next Monday slot is at least the
# three days after an introduction that the first check-in waits; ticks then run hourly for 12 days,
# over two Mondays with a daylight-saving change between them.
CASES = [
    pytest.param(datetime(2026, 3, 19, 6, tzinfo=UTC), {"lea": (10, 9)}, id="london-spring-forward-2026"),
    pytest.param(
        datetime(2026, 2, 26, 6, tzinfo=UTC), {"leo": (15, 14), "mei": (18, 17)}, id="us-spring-forward-2026"
    ),
    pytest.param(
        datetime(2026, 10, 22, 6, tzinfo=UTC),
        {"leo": (14, 15), "lou": (23, 23), "lea": (10, 10)},
        id="us-fall-back-2026",
    ),
]
TICKING_DAYS = 12


@pytest.mark.parametrize(("start", "utc_hours"), CASES)
async def test_each_person_gets_one_checkin_a_week_at_ten_on_their_own_monday(
    start: datetime, utc_hours: dict[str, tuple[int, int]]
) -> None:
    h = await program(start)
    end = start + timedelta(days=TICKING_DAYS)
    delivered = await tick_hourly(h, end)

    got = checkins_by_person(delivered)
    for person, timezone in EVERYONE.items():
        slots = [
            s for s in weekly_slots(timezone, 0, time(10), start, end) if s >= start + FIRST_CHECKIN_AFTER
        ]
        assert len(slots) == 2
        expected = [first_hour_at_or_after(s.astimezone(UTC)) for s in slots]
        assert got.get(person, []) == expected, f"{person} ({timezone})"
        for at in got[person]:
            local = at.astimezone(ZoneInfo(timezone))
            assert local.weekday() == 0 and local.hour == 10, f"{person} asked at {local.isoformat()}"
    for person, hours in utc_hours.items():
        assert tuple(at.hour for at in got[person]) == hours, (
            f"{person}: the UTC hour follows the local clocks"
        )
    checkins = list((await h.store.checkins()).values())
    assert len(checkins) == sum(len(v) for v in got.values()) == 2 * len(EVERYONE)
    per_week = Counter((c.pairing_id, c.user, c.week) for c in checkins)
    assert set(per_week.values()) == {1}, "one check-in per person, pairing and week"


async def test_repeated_and_overlapping_ticks_change_nothing() -> None:
    start = CASES[0].values[0]
    h = await program(start)
    h.clock.set(datetime(2026, 3, 23, 23, tzinfo=UTC))
    await h.bot.jobs.tick()
    sent_before = len(h.chat.transcript)
    assert sent_before > 8, "this week's check-ins went out"
    for _ in range(3):
        report = await h.bot.jobs.tick()
        assert (report.checkins, report.nudges, report.delivered.sent) == (0, 0, 0)
    assert len(h.chat.transcript) == sent_before


async def test_a_configured_weekday_and_time_are_honoured() -> None:
    start = CASES[0].values[0]
    config = ProgramConfig(admins=frozenset({ADMIN}), checkin_weekday=3, checkin_time=time(16, 30))
    h = await program(start, config)
    end = start + timedelta(days=TICKING_DAYS)
    got = checkins_by_person(await tick_hourly(h, end))
    for person, timezone in EVERYONE.items():
        slots = [
            s for s in weekly_slots(timezone, 3, time(16, 30), start, end) if s >= start + FIRST_CHECKIN_AFTER
        ]
        assert slots and got.get(person, []) == [first_hour_at_or_after(s.astimezone(UTC)) for s in slots], (
            person
        )
        for at in got[person]:
            local = at.astimezone(ZoneInfo(timezone))
            assert local.weekday() == 3 and (local.hour, local.minute) >= (16, 30)


async def test_a_paused_person_gets_nothing_until_their_date_then_their_checkin() -> None:
    start = CASES[0].values[0]
    h = await program(start)
    reply = await h.say("lea", "pause until 2026-03-25")
    assert "paused" in reply.message.text.lower()
    delivered = await tick_hourly(h, start + timedelta(days=TICKING_DAYS))

    to_lea = [d for d in delivered if "lea" in d.sent.recipients]
    wake = datetime(2026, 3, 25, tzinfo=ZoneInfo("Europe/London"))
    assert to_lea, "she hears from the bot again after her pause"
    assert all(d.at >= wake for d in to_lea), [(d.at.isoformat(), d.title) for d in to_lea if d.at < wake]
    lea_checkins = [d.at for d in to_lea if d.title == CHECKIN]
    assert lea_checkins == [
        first_hour_at_or_after(wake.astimezone(UTC)),
        datetime(2026, 3, 30, 9, tzinfo=UTC),
    ], "the week's check-in on waking, then the next at her Monday 10:00"
    partner = next(p for p in (await h.store.pairings()).values() if p.leader == h.user("lea")).mentor.user_id
    partner_checkins = [d.at for d in delivered if partner in d.sent.recipients and d.title == CHECKIN]
    assert len(partner_checkins) == 2, "the partner's own check-ins carry on through the pause"


async def test_nudges_fire_once_and_only_when_their_rule_holds() -> None:
    start = CASES[0].values[0]
    rules = NudgeRules(
        no_meeting_after=timedelta(days=9),
        goals_missing_after=timedelta(days=4),
        checkin_unanswered_after=timedelta(hours=48),
    )
    h = await program(start, ProgramConfig(admins=frozenset({ADMIN}), nudges=rules))
    engaged_leader = "lea"
    pairing = next(p for p in (await h.store.pairings()).values() if p.leader == h.user(engaged_leader))
    engaged = {engaged_leader, pairing.mentor.user_id}
    for user_id in engaged:
        await h.say(user_id, "goals add use an AI assistant to summarise long documents")

    delivered: list = []
    end = start + timedelta(days=TICKING_DAYS)
    while h.clock.now() < end:
        batch = await tick_hourly(h, h.clock.now() + timedelta(hours=1))
        delivered += batch
        for d in batch:  # the engaged pair answers every check-in at once: they met
            if d.title == CHECKIN and d.sent.recipients[0] in engaged:
                button = next(b for b in d.sent.message.buttons if b.value.endswith(":met"))
                await h.click(d.sent.recipients[0], button.action_id, button.value)

    def nudges(title: str) -> list:
        return [d for d in delivered if d.title == title]

    others = set(EVERYONE) - engaged
    goal_nudges = nudges("Set your goals")
    assert Counter(d.sent.recipients[0] for d in goal_nudges) == Counter(others), (
        "once each, only without goals"
    )
    assert all(d.at == first_hour_at_or_after(start + rules.goals_missing_after) for d in goal_nudges)

    reminders = nudges("Quick reminder")
    assert {d.sent.recipients[0] for d in reminders} == others, "unanswered check-ins only"
    checkin_times = {(d.sent.recipients[0], d.at) for d in delivered if d.title == CHECKIN}
    for reminder in reminders:
        person = reminder.sent.recipients[0]
        asked = max(at for who, at in checkin_times if who == person and at <= reminder.at)
        assert reminder.at == first_hour_at_or_after(asked + rules.checkin_unanswered_after)
    assert len(reminders) == len({(d.sent.recipients[0], d.sent.message.text) for d in reminders}), (
        "once per check-in"
    )

    catch_ups = nudges("Time to catch up?")
    assert {d.sent.recipients[0] for d in catch_ups} == others, "only pairs that have not met"
    first_due = first_hour_at_or_after(start + rules.no_meeting_after)
    assert min(d.at for d in catch_ups) == first_due
    per_person_week = Counter((d.sent.recipients[0], d.at.isocalendar()[:2]) for d in catch_ups)
    assert set(per_person_week.values()) == {1}, "at most one catch-up nudge per person a week"
