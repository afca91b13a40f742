"""Round-end survey answers and round reports on SQLite and PostgreSQL: one answer per person and
pairing, read per round, erased with the person, a round reported once, and migration 0011 on a
database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.domain import Cycle, Participant, Role, Side, SurveyAnswer, UserRef
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest, add_parents
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
ANN, BOB = UserRef("slack", "T1", "UANN"), UserRef("teams", "tenant-1", "29:bob")


def answer(
    user: UserRef, recommend: int, pairing_id: str = "p1", story_id: str | None = None
) -> SurveyAnswer:
    side = Side.LEADER if user == ANN else Side.MENTOR
    return SurveyAnswer(
        f"a-{user.user_id}-{pairing_id}-{recommend}",
        "cycle-1",
        pairing_id,
        user,
        side,
        recommend,
        "prompting",
        recommend > 5,
        AT,
        story_id,
    )


async def test_one_answer_per_person_and_pairing_read_back_per_round(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], ["p1", "p2"], cycles=("cycle-1", "cycle-2"))
    async with store.new_unit() as uow:
        assert await uow.round_end.add_answer(answer(ANN, 9, story_id="story-1"))
        assert not await uow.round_end.add_answer(answer(ANN, 3))
        assert await uow.round_end.add_answer(answer(BOB, 4))
        assert await uow.round_end.add_answer(answer(ANN, 10, pairing_id="p2"))
        await uow.commit()
    async with store.new_unit() as uow:
        stored = await uow.round_end.answers("cycle-1")
        assert sorted((a.user, a.pairing_id, a.recommend, a.again) for a in stored) == sorted(
            [(ANN, "p1", 9, True), (BOB, "p1", 4, False), (ANN, "p2", 10, True)]
        )
        assert await uow.round_end.answer_of("p1", ANN) == answer(ANN, 9, story_id="story-1")
        assert await uow.round_end.answer_of("p1", UserRef("slack", "T1", "UEVE")) is None
        assert await uow.round_end.answers("cycle-2") == []


async def test_a_round_is_reported_once(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], cycles=("cycle-1", "cycle-2"))
    async with store.new_unit() as uow:
        assert await uow.round_end.reported(["cycle-1", "cycle-2"]) == set()
        assert await uow.round_end.mark_reported("cycle-1", AT)
        assert not await uow.round_end.mark_reported("cycle-1", AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.round_end.reported(["cycle-1", "cycle-2"]) == {"cycle-1"}
        assert await uow.round_end.reported([]) == set()


async def test_deleting_a_person_erases_their_answers(store: StoreUnderTest) -> None:
    await add_parents(store, [ANN, BOB], ["p1"])
    async with store.new_unit() as uow:
        await uow.round_end.add_answer(answer(ANN, 9))
        await uow.round_end.add_answer(answer(BOB, 7))
        await uow.commit()
    async with store.new_unit() as uow:
        await uow.participants.delete(ANN)
        await uow.commit()
    async with store.new_unit() as uow:
        assert [a.user for a in await uow.round_end.answers("cycle-1")] == [BOB]


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0009")
    async with database.unit_of_work() as uow:
        await uow.participants.save(Participant(ANN, "Ann", Role.LEADER, "Ops", 5, "UTC"))
        await uow.cycles.add(Cycle("cycle-1", 1, AT, 12, closed_at=AT))
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert (await uow.cycles.get("cycle-1")) is not None
        assert await uow.round_end.reported(["cycle-1"]) == set()
        assert await uow.round_end.mark_reported("cycle-1", AT)
        await uow.commit()
    names = await tables_after_downgrade(database, "0009")
    assert not {"survey_answers", "round_reports"} & names and "cycles" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
