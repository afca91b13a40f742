"""Development paths on SQLite and PostgreSQL: one per person and pairing (the first stored wins),
read back per pairing, saved, erased with the person or the pairing, and migration 0017 on a database
in use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.domain import Cycle, DevelopmentPath, Participant, Role, Side, UserRef
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest, add_parents
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
ANN, BOB = UserRef("slack", "T1", "UANN"), UserRef("teams", "tenant-1", "29:bob")
MILESTONES = ("Draft a board summary with an AI assistant", "Automate one weekly report", "Teach it on")


def path(user: UserRef, pairing_id: str = "p1", milestones: tuple[str, ...] = MILESTONES) -> DevelopmentPath:
    side = Side.LEADER if user == ANN else Side.MENTOR
    return DevelopmentPath(pairing_id, user, side, milestones, "llm", AT)


async def test_one_path_per_person_and_pairing_the_first_stored_wins(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], ["p1", "p2"])
    async with store.new_unit() as uow:
        assert await uow.development_paths.add_many([path(ANN), path(BOB)]) == [path(ANN), path(BOB)]
        assert await uow.development_paths.add_many([path(ANN, milestones=("Other", "Two", "Three"))]) == []
        await uow.development_paths.add_many([path(ANN, "p2")])
        await uow.commit()
    async with store.new_unit() as uow:
        found = await uow.development_paths.for_pairings(["p1", "p2", "p3"])
        assert sorted(found) == ["p1", "p2"]
        assert {p.user for p in found["p1"]} == {ANN, BOB}
        assert await uow.development_paths.get("p1", ANN) == path(ANN)
        assert await uow.development_paths.get("p3", ANN) is None
        assert await uow.development_paths.owners(["p1", "p3"]) == {("p1", ANN), ("p1", BOB)}


async def test_accepting_editing_and_ticking_off_are_saved(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], ["p1"])
    async with store.new_unit() as uow:
        await uow.development_paths.add_many([path(ANN), path(BOB)])
        await uow.commit()
    changed = replace(
        path(ANN), milestones=("Mine now", "And this", "¿Y esto también?"), source="edited", done=(0, 2),
        accepted_at=AT, asked_again=True,
    )  # fmt: skip
    async with store.new_unit() as uow:
        await uow.development_paths.save(changed)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.development_paths.get("p1", ANN) == changed
        assert await uow.development_paths.get("p1", BOB) == path(BOB)


async def test_a_path_is_erased_with_its_person(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], ["p1"])
    async with store.new_unit() as uow:
        await uow.development_paths.add_many([path(ANN), path(BOB)])
        await uow.commit()
    async with store.new_unit() as uow:
        await uow.participants.delete(ANN)
        await uow.commit()
    async with store.new_unit() as uow:
        assert [p.user for p in (await uow.development_paths.for_pairings(["p1"]))["p1"]] == [BOB]


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0015")
    async with database.unit_of_work() as uow:
        await uow.participants.save(Participant(ANN, "Ann", Role.LEADER, "Ops", 5, "UTC"))
        await uow.cycles.add(Cycle("cycle-1", 1, AT, 12))
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert (await uow.cycles.get("cycle-1")) is not None
        assert await uow.development_paths.for_pairings(["p1"]) == {}
    names = await tables_after_downgrade(database, "0015")
    assert "development_paths" not in names and "cycles" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
