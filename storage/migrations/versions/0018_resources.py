"""Learning resources shown to each person, and their votes.

Revision ID: 0018_resources
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_resources"
down_revision: str | None = "0017_growth_paths"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resource_picks",
        sa.Column("pairing_id", sa.String(), nullable=False),
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("resource_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pairing_id", "user_key", "week", "resource_id"),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_key"], ["participants.user_key"], ondelete="CASCADE"),
    )
    op.create_index("ix_resource_picks_user_key", "resource_picks", ["user_key"])


def downgrade() -> None:
    op.drop_index("ix_resource_picks_user_key", table_name="resource_picks")
    op.drop_table("resource_picks")
