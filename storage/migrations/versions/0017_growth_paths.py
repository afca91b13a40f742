"""Development paths: each person's milestones for a pairing's round and which are done.

Revision ID: 0017_growth_paths
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_growth_paths"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "development_paths",
        sa.Column("pairing_id", sa.String(), nullable=False),
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("asked_again", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name="development_paths_pairing_id_fkey", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_key"],
            ["participants.user_key"],
            name="development_paths_user_key_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pairing_id", "user_key"),
    )
    op.create_index("ix_development_paths_user_key", "development_paths", ["user_key"])


def downgrade() -> None:
    op.drop_index("ix_development_paths_user_key", table_name="development_paths")
    op.drop_table("development_paths")
