"""The private "please don't pair me with" lists on SQLite and PostgreSQL: kept in order per person, read
as pairs for matching, erased with their owner, and added by migration 0009 to a database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.domain import Participant, Role, UserRef
from conversations.ports import Person
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest, add_parents
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 1, tzinfo=UTC)
ANN, BOB, CAT = (UserRef("slack", "T1", u) for u in ("UANN", "UBOB", "UCAT"))
DEV = UserRef("teams", "tenant-1", "29:dev")


def named(user: UserRef) -> Person:
    return Person(user, user.user_id.title())


async def test_a_list_is_replaced_whole_and_read_back_in_order(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB])
    async with store.new_unit() as uow:
        await uow.avoid_list.replace(ANN, [named(CAT), named(BOB), named(CAT), named(ANN)], AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.avoid_list.get(ANN) == (named(CAT), named(BOB))
        assert await uow.avoid_list.get(BOB) == ()
        await uow.avoid_list.replace(ANN, [named(BOB)], AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.avoid_list.get(ANN) == (named(BOB),)


async def test_pairs_hold_both_directions_once_and_filter_by_workspace(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB, DEV])
    async with store.new_unit() as uow:
        await uow.avoid_list.replace(ANN, [named(BOB)], AT)
        await uow.avoid_list.replace(BOB, [named(ANN), named(CAT)], AT)
        await uow.avoid_list.replace(DEV, [named(UserRef("teams", "tenant-1", "29:eve"))], AT)
        await uow.commit()
    async with store.new_unit() as uow:
        everything = await uow.avoid_list.pairs()
        slack = await uow.avoid_list.pairs("slack", "T1")
    assert frozenset({ANN, BOB}) in everything and len(everything) == 3
    assert slack == {frozenset({ANN, BOB}), frozenset({BOB, CAT})}


async def test_deleting_the_owner_erases_their_list(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB])
    async with store.new_unit() as uow:
        await uow.avoid_list.replace(ANN, [named(BOB)], AT)
        await uow.avoid_list.replace(BOB, [named(ANN)], AT)
        await uow.commit()
    async with store.new_unit() as uow:
        await uow.participants.delete(ANN)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.avoid_list.get(ANN) == ()
        assert await uow.avoid_list.pairs() == {frozenset({ANN, BOB})}, "Bob's own list is his"


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0008")
    async with database.unit_of_work() as uow:
        await uow.participants.save(Participant(ANN, "Ann", Role.LEADER, "Ops", 5, "UTC"))
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert (await uow.participants.get(ANN)) is not None
        await uow.avoid_list.replace(ANN, [named(BOB)], AT)
        await uow.commit()
    names = await tables_after_downgrade(database, "0008")
    assert "avoid_list" not in names and "participants" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
