"""The waitlist and the daily jobs' claims on SQLite and PostgreSQL: a person keeps the day they started
waiting, leaves the list when paired and with their data, a day is claimed once, and migration
0013_rematch adds both to a database in use."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conversations.domain import Participant, Role, UserRef
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest, add_parents
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ANN, BOB, CAT = (UserRef("slack", "T1", u) for u in ("UANN", "UBOB", "UCAT"))
DEV = UserRef("teams", "tenant-1", "29:dev")


async def test_people_keep_the_day_they_started_waiting_until_they_are_paired(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB, CAT, DEV])
    async with store.new_unit() as uow:
        assert await uow.waitlist.add([ANN, BOB, ANN], AT) == [ANN, BOB]
        await uow.commit()
    async with store.new_unit() as uow:
        later = AT + timedelta(days=3)
        assert await uow.waitlist.add([BOB, CAT, DEV], later) == [CAT, DEV], "Bob keeps his place"
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.waitlist.since("slack", "T1") == {ANN: AT, BOB: AT, CAT: AT + timedelta(days=3)}
        await uow.waitlist.remove([ANN, DEV])
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.waitlist.since() == {BOB: AT, CAT: AT + timedelta(days=3)}
        await uow.participants.delete(BOB)
        await uow.commit()
    async with store.new_unit() as uow:
        assert set(await uow.waitlist.since()) == {CAT}, "erased with the person"


async def test_a_day_is_claimed_once_even_by_two_at_once(store: StoreUnderTest) -> None:
    day = date(2026, 3, 2)

    async def claim() -> bool:
        async with store.new_unit() as uow:
            won = await uow.daily_runs.claim("rematch", day, AT)
            await uow.commit()
            return won

    results = (
        await asyncio.gather(claim(), claim()) if store.name == "postgres" else [await claim(), await claim()]
    )
    assert sorted(results) == [False, True]
    async with store.new_unit() as uow:
        assert await uow.daily_runs.claim("rematch", day + timedelta(days=1), AT)
        assert await uow.daily_runs.claim("digest", day, AT)


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0009")
    async with database.unit_of_work() as uow:
        await uow.participants.save(Participant(ANN, "Ann", Role.LEADER, "Ops", 5, "UTC"))
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert await uow.waitlist.add([ANN], AT) == [ANN]
        assert await uow.daily_runs.claim("rematch", AT.date(), AT)
        await uow.commit()
    names = await tables_after_downgrade(database, "0009")
    assert not {"waitlist", "daily_runs"} & names and "participants" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
