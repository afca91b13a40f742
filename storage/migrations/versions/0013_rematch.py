"""The waitlist (who waits for a partner, and since when) and the daily jobs' claims on each day.

Revision ID: 0013_rematch
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_rematch"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waitlist",
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_key"],
            ["participants.user_key"],
            name="waitlist_user_key_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_key"),
    )
    op.create_index("ix_waitlist_platform_workspace", "waitlist", ["platform", "workspace_id"])
    op.create_table(
        "daily_runs",
        sa.Column("job", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "day"),
    )


def downgrade() -> None:
    op.drop_table("daily_runs")
    op.drop_index("ix_waitlist_platform_workspace", table_name="waitlist")
    op.drop_table("waitlist")
