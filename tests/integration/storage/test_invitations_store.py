"""The invitations' repository on SQLite and PostgreSQL, and its migration on a database in use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.domain import Invitation, InvitationStatus, UserRef
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest
from tests.support.databases import STORES, empty_database, tables_after_downgrade, upgrade_to_head

AT = datetime(2026, 3, 1, tzinfo=UTC)
LATER = datetime(2026, 4, 1, tzinfo=UTC)
ANN = UserRef("slack", "T1", "UANN")


def invitation(email: str, status: InvitationStatus = InvitationStatus.INVITED, **where: str) -> Invitation:
    platform, workspace = where.get("platform", "slack"), where.get("workspace", "T1")
    return Invitation(f"id-{email}-{platform}-{workspace}", email, platform, workspace, status, AT)


async def test_invitations_are_kept_per_person_and_workspace_and_replaced_in_place(
    store: StoreUnderTest,
) -> None:
    async with store.new_unit() as uow:
        await uow.invitations.save_many(
            [
                invitation("ann@x.org"),
                invitation("bob@x.org", InvitationStatus.NEVER),
                invitation("ann@x.org", workspace="T2"),
                invitation("ann@x.org", platform="teams", workspace="tenant-1"),
            ]
        )
        await uow.commit()
    again = invitation("ann@x.org", InvitationStatus.NOT_NOW)
    again.answered_at, again.user_key, again.sent = LATER, ANN.key, 2
    async with store.new_unit() as uow:
        await uow.invitations.save_many([again])
        await uow.commit()
    async with store.new_unit() as uow:
        here = await uow.invitations.in_workspace("slack", "T1")
        assert sorted(here) == ["ann@x.org", "bob@x.org"]
        assert here["ann@x.org"] == again
        assert await uow.invitations.get(again.id) == again
        assert await uow.invitations.get("nobody") is None
        assert await uow.invitations.counts("slack", "T1") == {
            InvitationStatus.NOT_NOW: 1,
            InvitationStatus.NEVER: 1,
        }
        assert await uow.invitations.counts() == {
            InvitationStatus.NOT_NOW: 1,
            InvitationStatus.NEVER: 1,
            InvitationStatus.INVITED: 2,
        }


async def test_joining_marks_the_invitation_answered_or_linked_by_email(store: StoreUnderTest) -> None:
    bob = UserRef("slack", "T1", "UBOB")
    answered = invitation("ann@x.org")
    answered.user_key = ANN.key
    async with store.new_unit() as uow:
        await uow.invitations.save_many(
            [answered, invitation("bob@x.org"), invitation("bob@x.org", workspace="T2")]
        )
        await uow.org_chart.link(bob, "bob@x.org", AT)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.invitations.mark_joined(ANN, LATER) == 1
        assert await uow.invitations.mark_joined(bob, LATER) == 1  # only in Bob's own workspace
        assert await uow.invitations.mark_joined(bob, LATER) == 0
        await uow.commit()
    async with store.new_unit() as uow:
        here = await uow.invitations.in_workspace("slack", "T1")
        elsewhere = await uow.invitations.in_workspace("slack", "T2")
    assert (here["ann@x.org"].status, here["ann@x.org"].answered_at) == (InvitationStatus.JOINED, LATER)
    assert (here["bob@x.org"].status, here["bob@x.org"].user_key) == (InvitationStatus.JOINED, bob.key)
    assert elsewhere["bob@x.org"].status is InvitationStatus.INVITED


async def test_many_invitations_are_written_in_batches(store: StoreUnderTest) -> None:
    many = [invitation(f"p{k}@x.org") for k in range(2500)]
    async with store.new_unit() as uow:
        await uow.invitations.save_many(many)
        await uow.commit()
    async with store.new_unit() as uow:
        assert await uow.invitations.counts("slack", "T1") == {InvitationStatus.INVITED: 2500}


async def _migrate_a_database_in_use(database: Database) -> None:
    """A database at the org chart's revision, with a linked member, gains the invitations table and keeps
    its data; going back down removes only that table."""
    await database.migrate("0007")
    async with database.unit_of_work() as uow:
        await uow.org_chart.link(ANN, "ann@x.org", AT)
        await uow.commit()
    await upgrade_to_head(database)
    async with database.unit_of_work() as uow:
        assert await uow.org_chart.links() == {ANN: "ann@x.org"}
        await uow.invitations.save_many([invitation("ann@x.org")])
        assert await uow.invitations.mark_joined(ANN, LATER) == 1
        await uow.commit()
    names = await tables_after_downgrade(database, "0007")
    assert "invitations" not in names and "org_links" in names


@pytest.mark.parametrize("store", STORES)
async def test_the_migration_on_an_existing_database(store: str, tmp_path: Path) -> None:
    async with empty_database(store, tmp_path) as database:
        await _migrate_a_database_in_use(database)
