"""Give each delivery a priority, so check-ins and introductions go before the reminders about them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
    op.create_index(
        "ix_deliveries_status_priority_not_before", "deliveries", ["status", "priority", "not_before"]
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_status_priority_not_before", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("priority")
