"""The org chart's repository on SQLite and PostgreSQL, and its migration on a database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from conversations.domain import Participant, Role, UserRef
from conversations.services.org import OrgPerson, changes, export_csv, parse_org_csv
from storage import tables
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest
from tests.support.databases import STORES, empty_database, upgrade_to_head

AT = datetime(2026, 3, 1, tzinfo=UTC)
LATER = datetime(2026, 4, 1, tzinfo=UTC)
FIRST = b"""email,name,department,level,manager_email,timezone
ceo@x.org,Cy,Board,6,,Europe/London
ann@x.org,Ann,Finance,1,ceo@x.org,
bob@x.org,Bob,Sales,2,ceo@x.org,Asia/Tokyo
"""
SECOND = b"""email,name,department,level,manager_email,timezone
ceo@x.org,Cy,Board,6,,Europe/London
ann@x.org,Ann,Treasury,2,ceo@x.org,UTC
dee@x.org,Dee,Sales,3,ann@x.org,
"""


async def import_chart(store: StoreUnderTest, data: bytes, at: datetime) -> str:
    async with store.new_unit() as uow:
        found = changes(await uow.org_chart.list(), parse_org_csv(data))
        await uow.org_chart.apply(found, at)
        await uow.commit()
    return found.summary()


async def test_a_re_import_updates_adds_and_removes(store: StoreUnderTest) -> None:
    assert await import_chart(store, FIRST, AT) == "3 added, 0 updated, 0 unchanged, 0 removed"
    assert await import_chart(store, SECOND, LATER) == "1 added, 1 updated, 1 unchanged, 1 removed"
    assert await import_chart(store, SECOND, LATER) == "0 added, 0 updated, 3 unchanged, 0 removed"
    async with store.new_unit() as uow:
        people = await uow.org_chart.list()
        assert people == [  # by email
            OrgPerson("ann@x.org", "Ann", "Treasury", 2, "ceo@x.org", "UTC"),
            OrgPerson("ceo@x.org", "Cy", "Board", 6, None, "Europe/London"),
            OrgPerson("dee@x.org", "Dee", "Sales", 3, "ann@x.org", ""),
        ]
        assert await uow.org_chart.get("ANN@x.org ") == OrgPerson(
            "ann@x.org", "Ann", "Treasury", 2, "ceo@x.org", "UTC"
        )
        assert await uow.org_chart.get("bob@x.org") is None
        assert await uow.org_chart.managers() == {
            "ceo@x.org": None,
            "ann@x.org": "ceo@x.org",
            "dee@x.org": "ann@x.org",
        }


async def test_export_reads_back_as_the_stored_chart(store: StoreUnderTest) -> None:
    await import_chart(store, SECOND, AT)
    async with store.new_unit() as uow:
        exported = export_csv(await uow.org_chart.list())
    assert sorted(parse_org_csv(exported.encode()), key=lambda p: p.email) == sorted(
        parse_org_csv(SECOND), key=lambda p: p.email
    )
    assert await import_chart(store, exported.encode(), LATER) == "0 added, 0 updated, 3 unchanged, 0 removed"


async def test_an_import_rolled_back_leaves_the_chart_as_it_was(store: StoreUnderTest) -> None:
    await import_chart(store, FIRST, AT)
    async with store.new_unit() as uow:
        await uow.org_chart.apply(changes(await uow.org_chart.list(), parse_org_csv(SECOND)), LATER)
        await uow.rollback()
    async with store.new_unit() as uow:
        assert {p.email for p in await uow.org_chart.list()} == {"ceo@x.org", "ann@x.org", "bob@x.org"}


async def test_links_are_replaced_and_removed(store: StoreUnderTest) -> None:
    ann, bob = UserRef("slack", "T1", "UANN"), UserRef("teams", "tenant-1", "29:bob")
    async with store.new_unit() as uow:
        await uow.org_chart.link(ann, "old@x.org", AT)
        await uow.org_chart.link(ann, "Ann@X.org", AT)
        await uow.org_chart.link(bob, "bob@x.org", AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.org_chart.links() == {ann: "ann@x.org", bob: "bob@x.org"}
        await uow.org_chart.unlink(bob)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.org_chart.links() == {ann: "ann@x.org"}


async def test_a_large_chart_is_written_in_batches(store: StoreUnderTest) -> None:
    rows = ["email,name,department,level,manager_email,timezone", "p0@x.org,P0,Ops,6,,"]
    rows += [f"p{k}@x.org,P{k},Ops,{1 + k % 5},p{(k - 1) // 7}@x.org," for k in range(1, 2500)]
    data = ("\n".join(rows) + "\n").encode()
    assert await import_chart(store, data, AT) == "2500 added, 0 updated, 0 unchanged, 0 removed"
    changed = data.replace(b",Ops,", b",Sales,", 1300)
    assert await import_chart(store, changed, LATER) == "0 added, 1300 updated, 1200 unchanged, 0 removed"
    async with store.new_unit() as uow:
        managers = await uow.org_chart.managers()
    assert len(managers) == 2500 and managers["p2499@x.org"] == "p356@x.org"
    stamp = tables.org_people.c.updated_at
    async with store.database.engine.connect() as connection:
        stamps = (await connection.execute(select(stamp, func.count()).group_by(stamp))).all()
    assert sorted(stamps) == [(AT, 1200), (LATER, 1300)]  # written through the driver, read as instants


async def _migrate_a_database_in_use(database: Database) -> None:
    """A database at the previous revision, with a member, gets the chart's tables and keeps its data."""
    await database.migrate("0006")
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert "org_people" not in names and "org_links" not in names
    ann = UserRef("slack", "T1", "UANN")
    async with database.unit_of_work() as uow:
        await uow.participants.save(Participant(ann, "Ann", Role.MENTOR, "Finance", 1, "UTC"))
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert (await uow.participants.get(ann)) is not None
        assert await uow.org_chart.list() == []
        await uow.org_chart.apply(changes([], parse_org_csv(FIRST)), AT)
        await uow.org_chart.link(ann, "ann@x.org", AT)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert len(await uow.org_chart.list()) == 3 and await uow.org_chart.links() == {ann: "ann@x.org"}


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
