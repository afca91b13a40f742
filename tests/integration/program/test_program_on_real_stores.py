"""The engine's whole journey on the real SQL stores (SQLite and PostgreSQL), not the in-memory twin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console import ConsoleChat
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.domain import CheckinAnswer, DeliveryStatus, PairingStatus, UserRef
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted
from conversations.matching.simple import GreedyMatcher
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.services.context import ProgramConfig
from storage.database import Database
from tests.support.postgres import require_postgres, run_async, temporary_database
from tests.unit.engine_harness import START


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with temporary_database(require_postgres()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'journey.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    await db.migrate()
    yield db
    await db.dispose()


def ref(user_id: str) -> UserRef:
    return UserRef("console", "T1", user_id)


async def test_join_pair_checkin_goals_stats_and_leave(database: Database) -> None:
    clock = ManualClock(START)
    chat = ConsoleChat(names={"lea": "Lea", "max": "Max"})
    bot = Mentorbot(database.unit_of_work, clock, GreedyMatcher(), LibrarySuggester(),
                    ProgramConfig(admins=frozenset({"boss"})), {"console": chat})
    n = iter(range(10_000))

    async def say(user: str, text: str):
        return await bot.handle(CommandReceived(ref(user), text, f"e{next(n)}"))

    for user, role, level, skills, goals in (
        ("lea", "leader", "5", ["Company strategy"], ["Generative AI"]),
        ("max", "mentor", "1", ["Generative AI"], ["Company strategy"]),
    ):
        reply = await bot.handle(FormSubmitted(ref(user), "join", {
            "role": role, "skills": skills, "learning_goals": goals, "department": "Ops",
            "seniority": level, "timezone": "Europe/Berlin"}, f"e{next(n)}"))
        assert reply is not None and not reply.form_errors
    assert "1 pairs" in (await say("boss", "pair")).message.text
    await bot.deliver_due()
    assert any(s.message.title == "Meet your mentoring partner" for s in chat.transcript)

    clock.advance(timedelta(days=7, hours=3))
    report = await bot.tick()
    assert report.checkins == 2 and report.delivered.sent >= 2
    again = await bot.tick()
    assert again.checkins == 0
    checkin_msg = next(s for s in chat.transcript if s.message.title == "Weekly check-in" and s.recipients == ("lea",))
    value = next(b.value for b in checkin_msg.message.buttons if b.value.endswith(":met"))
    forged = await bot.handle(ButtonClicked(ref("max"), "checkin_answer", value, "forged-1"))
    assert forged is not None and "someone else" in forged.message.text
    await bot.handle(ButtonClicked(ref("lea"), "checkin_answer", value, "click-1"))
    assert await bot.handle(ButtonClicked(ref("lea"), "checkin_answer", value, "click-1")) is None

    await say("lea", "goals add draft my update with an AI assistant")
    await say("lea", "goals progress 1 40")
    stats = dict((await say("boss", "stats")).message.fields)
    assert stats["Active pairs"] == "1" and stats["Goals set / done (leaders)"] == "1 / 0"

    async with database.unit_of_work() as uow:
        checkins = await uow.checkins.list()
        assert [c.answer for c in checkins if c.user == ref("lea")] == [CheckinAnswer.MET]
        counts = await uow.deliveries.count_by_status()
        assert counts.get(DeliveryStatus.PENDING, 0) == 0 and counts[DeliveryStatus.SENT] >= 6

    await bot.handle(ButtonClicked(ref("max"), "leave", "delete", f"e{next(n)}"))
    async with database.unit_of_work() as uow:
        assert await uow.participants.get(ref("max")) is None
        (pairing,) = await uow.pairings.list()
        assert pairing.status is PairingStatus.ENDED and ref("max") not in pairing.members()
        assert all(c.user != ref("max") for c in await uow.checkins.list())
