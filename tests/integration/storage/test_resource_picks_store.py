"""Learning-resource picks on SQLite and PostgreSQL: stored once per person, week and resource, read back
per person in the order shown, votes only on what was shown, gone with their pairing, and migration
0018 adds the table to a database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from conversations.domain import UserRef
from conversations.growth.picks import ResourcePick
from tests.integration.storage.conftest import StoreUnderTest, add_parents
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LEA = UserRef("slack", "T1", "ULEA")
MAX = UserRef("slack", "T1", "UMAX")


def pick(user: UserRef, week: str, resource_id: str, position: int, pairing_id: str = "p1") -> ResourcePick:
    return ResourcePick(pairing_id, user, week, resource_id, position, AT)


async def test_picks_are_stored_once_and_read_back_per_person(store: StoreUnderTest) -> None:
    await add_parents(store, [LEA, MAX], ["p1"])
    week = [pick(LEA, "2026-W10", "scrum-guide", 0), pick(LEA, "2026-W10", "sqlbolt", 1)]
    async with store.new_unit() as uow:
        assert (
            await uow.resource_picks.add_many([*week, pick(MAX, "2026-W10", "what-is-strategy-porter", 0)])
            == 3
        )
        await uow.commit()
    async with store.new_unit() as uow:
        again = [pick(LEA, "2026-W10", "sqlbolt", 0), pick(LEA, "2026-W11", "kaggle-python", 0)]
        assert await uow.resource_picks.add_many(again) == 1, "a week's pick is stored once"
        await uow.commit()
    async with store.new_unit() as uow:
        found = await uow.resource_picks.for_users([LEA, MAX])
        shown = await uow.resource_picks.of_week("p1", LEA, "2026-W10")
    assert [p.resource_id for p in found[LEA]] == ["scrum-guide", "sqlbolt", "kaggle-python"]
    assert [p.resource_id for p in found[MAX]] == ["what-is-strategy-porter"]
    assert shown == week


async def test_votes_land_only_on_what_was_shown(store: StoreUnderTest) -> None:
    await add_parents(store, [LEA, MAX], ["p1"])
    async with store.new_unit() as uow:
        await uow.resource_picks.add_many([pick(LEA, "2026-W10", "sqlbolt", 0)])
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.resource_picks.vote("p1", LEA, "2026-W10", "sqlbolt", -1, AT)
        assert not await uow.resource_picks.vote("p1", MAX, "2026-W10", "sqlbolt", 1, AT)
        assert not await uow.resource_picks.vote("p1", LEA, "2026-W11", "sqlbolt", 1, AT)
        await uow.commit()
    async with store.new_unit() as uow:
        found = await uow.resource_picks.for_users([LEA, MAX])
    assert [p.vote for p in found[LEA]] == [-1] and MAX not in found


async def test_picks_go_with_their_pairing(store: StoreUnderTest) -> None:
    await add_parents(store, [LEA, MAX], ["p1"])
    async with store.new_unit() as uow:
        await uow.resource_picks.add_many([pick(LEA, "2026-W10", "sqlbolt", 0)])
        await uow.commit()
    async with store.database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM pairings WHERE id = 'p1'"))
    async with store.new_unit() as uow:
        assert await uow.resource_picks.for_users([LEA]) == {}


@pytest.mark.parametrize("database_kind", STORES)
async def test_the_migration_on_an_existing_database(database_kind: str, tmp_path: Path) -> None:
    async with empty_database(database_kind, tmp_path) as database:
        await database.migrate("0015")
        await upgrade_to_head(database)
        names = await tables_after_downgrade(database, "0015")
        assert "resource_picks" not in names and "term_vectors" in names
