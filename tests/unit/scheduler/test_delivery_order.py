"""When a platform holds messages back, what people are waiting for goes first, and nobody is reminded of
a check-in that has not reached them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.console import ConsoleChat
from conversations.clock import ManualClock
from conversations.domain import UserRef
from conversations.errors import DeliveryError
from conversations.messages import OutgoingMessage
from conversations.services.context import NudgeRules, ProgramConfig
from tests.unit.engine_harness import ADMIN, Harness, pair_lea_and_max
from tests.unit.scheduler.ticking import CHECKIN, tick_hourly

START = datetime(2026, 3, 19, 6, tzinfo=UTC)  # a Thursday; the first check-in is on Monday 23 March
RULES = NudgeRules(
    no_meeting_after=timedelta(days=60),
    goals_missing_after=timedelta(days=1),
    checkin_unanswered_after=timedelta(hours=48),
)


class ThrottledChat(ConsoleChat):
    """A console chat that answers 429 to everything while `throttled` is set, as a workspace at its limit."""

    throttled = False

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        if self.throttled:
            raise DeliveryError("ratelimited", retry_after=60)
        return await super().send_dm(user, message)


async def paired_program() -> Harness:
    return await pair_lea_and_max(
        Harness(
            clock=ManualClock(START),
            chat=ThrottledChat(group_dm=False),
            config=ProgramConfig(admins=frozenset({ADMIN}), nudges=RULES),
        )
    )


async def test_no_reminder_for_a_checkin_still_held_back_and_one_48_hours_after_it_arrives() -> None:
    h = await paired_program()
    chat = h.chat
    assert isinstance(chat, ThrottledChat)
    chat.throttled = True
    held = await tick_hourly(h, datetime(2026, 3, 27, 12, tzinfo=UTC))  # Monday's check-in and four days more
    assert held == []

    chat.throttled = False
    after = await tick_hourly(h, datetime(2026, 3, 31, 12, tzinfo=UTC))
    checkins = [(d.sent.recipients[0], d.at) for d in after if d.title == CHECKIN]
    reminders = [(d.sent.recipients[0], d.at) for d in after if d.title == "Quick reminder"]
    assert {person for person, _ in reminders} == {"lea", "max"}
    for person, reminded_at in reminders:
        arrived = max(at for who, at in checkins if who == person and at <= reminded_at)
        assert reminded_at >= arrived + RULES.checkin_unanswered_after, "48 hours after it arrived"


async def test_checkins_go_before_the_reminders_queued_with_them() -> None:
    h = await paired_program()
    chat = h.chat
    assert isinstance(chat, ThrottledChat)
    chat.throttled = True
    await tick_hourly(h, datetime(2026, 3, 23, 12, tzinfo=UTC))  # goal nudges, then Monday's check-ins, held

    chat.throttled = False
    h.clock.set(h.clock.now() + timedelta(minutes=2))
    seen = len(chat.transcript)
    await h.bot.jobs.deliver_due()
    titles = [s.message.title for s in chat.transcript[seen:]]
    assert titles.count(CHECKIN) == 2 and titles.count("Set your goals") == 2
    assert max(i for i, t in enumerate(titles) if t == CHECKIN) < min(
        i for i, t in enumerate(titles) if t == "Set your goals"
    ), titles
