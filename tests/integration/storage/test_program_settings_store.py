"""Each workspace's program settings on SQLite and PostgreSQL: only changed values are stored, each
change is kept with who made it and when, workspaces stay apart, and migration 0012 adds the tables to
a database in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conversations.domain import UserRef
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADA = UserRef("slack", "T1", "UADA")
BEN = UserRef("slack", "T1", "UBEN")


async def test_changes_are_stored_per_workspace_with_their_history(store: StoreUnderTest) -> None:
    async with store.new_unit() as uow:
        made = await uow.program_settings.change(
            "slack", "T1", {"cycle_weeks": "6", "help_channel": None}, ADA, AT
        )
        await uow.program_settings.change("teams", "tenant-1", {"cycle_weeks": "9"}, ADA, AT)
        await uow.commit()
    assert [(c.key, c.old, c.new) for c in made] == [("cycle_weeks", None, "6")], (
        "removing nothing is no change"
    )
    later = AT + timedelta(hours=1)
    async with store.new_unit() as uow:
        again = await uow.program_settings.change(
            "slack", "T1", {"cycle_weeks": "8", "ground_rules": "Be kind"}, BEN, later
        )
        await uow.commit()
    assert {(c.key, c.old, c.new) for c in again} == {
        ("cycle_weeks", "6", "8"),
        ("ground_rules", None, "Be kind"),
    }
    async with store.new_unit() as uow:
        await uow.program_settings.change(
            "slack", "T1", {"ground_rules": None}, BEN, later + timedelta(hours=1)
        )
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.program_settings.get("slack", "T1") == {"cycle_weeks": "8"}
        assert await uow.program_settings.get("teams", "tenant-1") == {"cycle_weeks": "9"}
        history = await uow.program_settings.history("slack", "T1")
        everything = await uow.program_settings.all()
    assert [(c.key, c.old, c.new, c.by) for c in history][0] == ("ground_rules", "Be kind", None, BEN)
    assert len(history) == 4 and history[-1].by == ADA and history[-1].at == AT
    assert everything == {("slack", "T1"): {"cycle_weeks": "8"}, ("teams", "tenant-1"): {"cycle_weeks": "9"}}


async def _migrate_a_database_in_use(database: Database) -> None:
    await database.migrate("0009")
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        await uow.program_settings.change("slack", "T1", {"cycle_weeks": "6"}, ADA, AT)
        await uow.commit()
    names = await tables_after_downgrade(database, "0009")
    assert not {"program_settings", "program_settings_history"} & names and "avoid_list" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
