"""The tick's fan-out speaks to a real database in a few set-based statements per chunk, not several per
pair: enqueuing thousands of check-ins must stay a matter of seconds (see `bench/fanout.py --enqueue-only`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.domain import Checkin, DeliveryPriority, DeliveryStatus, new_id
from conversations.jobs import CHECKIN_CHUNK
from conversations.ports import PairContext, PromptSet
from conversations.services import checkins
from conversations.services.checkins import checkin_delivery_key
from conversations.services.context import ProgramConfig
from storage.database import Database
from tests.integration.delivery.seeding import CHECKIN_TICK, seed_program
from tests.support.greedy_matcher import GreedyMatcher

PAIRS = 150
STATEMENTS_PER_TICK = 40
"""A generous bound for a one-chunk tick (18 today); the per-pair code before needed about 17 per pair."""


class QuickPrompts:
    async def suggest(self, context: PairContext) -> PromptSet:
        return PromptSet(
            ("What tool saved you time this week?",), "Draft an update with an AI assistant.", "library"
        )


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def test_a_tick_enqueues_every_checkin_in_a_few_statements(sql_database: Database) -> None:
    assert 2 * PAIRS <= CHECKIN_CHUNK, "one chunk, so the bound below holds"
    program = await seed_program(sql_database.unit_of_work, PAIRS, platforms=("slack",))
    bot = Mentorbot(
        sql_database.unit_of_work, ManualClock(CHECKIN_TICK), GreedyMatcher(), QuickPrompts(), ProgramConfig()
    )

    with counting(sql_database) as statements:
        report = await bot.jobs.enqueue_due()
    assert report.checkins == len(program.people) == 2 * PAIRS
    assert len(statements) <= STATEMENTS_PER_TICK, statements
    async with sql_database.unit_of_work() as uow:
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.PENDING: 2 * PAIRS}
        assert len(await uow.checkins.list()) == 2 * PAIRS

    bot.jobs._hourly_ran_at = None  # the second tick redoes everything, nudges included
    with counting(sql_database) as statements:
        again = await bot.jobs.enqueue_due()
    assert again.checkins == 0
    assert len(statements) <= STATEMENTS_PER_TICK, statements
    async with sql_database.unit_of_work() as uow:
        assert sum((await uow.deliveries.count_by_status()).values()) == 2 * PAIRS


async def test_checkins_another_replica_stored_first_get_no_second_message(sql_database: Database) -> None:
    """Between a replica's plan and its insert, another may store some of the same check-ins: only the
    rest are stored and queued here, each at the check-in's priority; the others get nothing from this one."""
    await seed_program(sql_database.unit_of_work, 20, platforms=("slack",))
    bot = Mentorbot(
        sql_database.unit_of_work, ManualClock(CHECKIN_TICK), GreedyMatcher(), QuickPrompts(), ProgramConfig()
    )
    async with sql_database.unit_of_work() as uow:
        plan = await checkins.plan_checkins(bot._ctx(uow))
    raced = plan.due[::3]
    async with sql_database.unit_of_work() as uow:
        stored_first = [
            Checkin(new_id(), d.pairing.id, d.member, d.week, sent_at=CHECKIN_TICK) for d in raced
        ]
        assert await uow.checkins.add_many(stored_first) == stored_first
        await uow.commit()

    async with sql_database.unit_of_work() as uow:
        enqueued = await checkins.enqueue_checkins(bot._ctx(uow), plan.due, {})
        await uow.commit()

    assert enqueued == len(plan.due) - len(raced)
    async with sql_database.unit_of_work() as uow:
        stored = await uow.checkins.list()
        assert len(stored) == len(plan.due)
        ours = [c for c in stored if c.id not in {r.id for r in stored_first}]
        for checkin in ours:
            delivery = await uow.deliveries.get_by_key(checkin_delivery_key(checkin))
            assert delivery is not None and delivery.priority is DeliveryPriority.URGENT
            assert delivery.destination.users == (checkin.user.user_id,)
        for checkin in stored_first:
            assert await uow.deliveries.get_by_key(checkin_delivery_key(checkin)) is None
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.PENDING: len(ours)}
