"""The engine's whole journey on file SQLite and PostgreSQL (unit tests run it on in-memory SQLite)."""

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
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.services.context import ProgramConfig
from storage.database import Database
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.postgres import require_postgres, temporary_database
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


def join_form(
    user: str,
    role: str,
    level: str,
    event_id: str,
    skills: tuple[str, ...] = ("Generative AI",),
    goals: tuple[str, ...] = ("Company strategy",),
) -> FormSubmitted:
    """The join form as someone of the Ops department in Berlin submits it."""
    fields = {
        "role": role,
        "skills": list(skills),
        "learning_goals": list(goals),
        "department": "Ops",
        "seniority": level,
        "timezone": "Europe/Berlin",
    }
    return FormSubmitted(ref(user), "join", fields, event_id)


async def test_join_pair_checkin_goals_stats_and_leave(database: Database) -> None:
    clock = ManualClock(START)
    chat = ConsoleChat(names={"lea": "Lea", "max": "Max"})
    bot = Mentorbot(
        database.unit_of_work,
        clock,
        GreedyMatcher(),
        LibrarySuggester(),
        ProgramConfig(admins=frozenset({"boss"})),
        {"console": chat},
    )
    n = iter(range(10_000))

    async def say(user: str, text: str):
        return await bot.handle(CommandReceived(ref(user), text, f"e{next(n)}"))

    for user, role, level, skills, goals in (
        ("lea", "leader", "5", ("Company strategy",), ("Generative AI",)),
        ("max", "mentor", "1", ("Generative AI",), ("Company strategy",)),
    ):
        reply = await bot.handle(join_form(user, role, level, f"e{next(n)}", skills, goals))
        assert reply is not None and not reply.form_errors
    assert "1 pairs" in (await say("boss", "pair")).message.text
    await bot.jobs.deliver_due()
    assert any(s.message.title == "Meet your mentoring partner" for s in chat.transcript)

    clock.advance(timedelta(days=7, hours=3))
    report = await bot.jobs.tick()
    assert report.checkins == 2 and report.delivered.sent >= 2
    again = await bot.jobs.tick()
    assert again.checkins == 0
    checkin_msg = next(
        s for s in chat.transcript if s.message.title == "Weekly check-in" and s.recipients == ("lea",)
    )
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


@pytest.mark.postgres
async def test_two_admins_matching_one_open_round_at_once_pair_nobody_twice(postgres_url: str) -> None:
    """Two replicas run `pair` on the same open round at the same moment: one wins, nobody is paired twice."""
    import asyncio
    import threading

    db = Database(postgres_url)
    await db.migrate()
    try:
        async with db.engine.begin() as connection:
            from sqlalchemy import text

            from storage import tables

            names = ", ".join(f'"{t.name}"' for t in tables.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names}"))
        clock = ManualClock(START)
        barrier = threading.Barrier(2, timeout=20)

        class MeetInTheMiddle(GreedyMatcher):
            """Both matchings have read the pool before either writes: the race, every time."""

            armed = False

            def match(self, candidates, rules, progress=None, meanings=None):  # type: ignore[no-untyped-def]
                if MeetInTheMiddle.armed:
                    barrier.wait()
                return super().match(candidates, rules, progress, meanings)

        bots = [
            Mentorbot(
                Database(postgres_url).unit_of_work,
                clock,
                MeetInTheMiddle(),
                LibrarySuggester(),
                ProgramConfig(admins=frozenset({"boss"})),
                {"console": ConsoleChat()},
            )
            for _ in range(2)
        ]
        first = bots[0]
        for user, role, level in (("l1", "leader", "5"), ("m1", "mentor", "1")):
            await first.handle(join_form(user, role, level, f"j-{user}"))
        await first.run_round(dry_run=False)  # round 1 is open now
        for user, role, level in (
            ("l2", "leader", "5"),
            ("m2", "mentor", "1"),
            ("l3", "leader", "6"),
            ("m3", "mentor", "2"),
        ):
            await first.handle(join_form(user, role, level, f"j-{user}"))
        MeetInTheMiddle.armed = True
        replies = await asyncio.gather(
            *(b.handle(CommandReceived(ref("boss"), "pair", f"pair-{i}")) for i, b in enumerate(bots))
        )
        texts = [r.message.text for r in replies if r is not None and r.message is not None]
        assert len(texts) == 2 and sum("same moment" in t for t in texts) == 1, texts
        async with db.unit_of_work() as uow:
            active = await uow.pairings.list(status=PairingStatus.ACTIVE)
        members = [u for p in active for u in p.members()]
        assert len(members) == len(set(members)), "someone was paired twice"
        assert len(active) == 3
    finally:
        await db.dispose()
