"""Each person's private "please don't pair me with" list, erased with the person.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "avoid_list",
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("avoided_key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_key"],
            ["participants.user_key"],
            name="avoid_list_user_key_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_key", "avoided_key"),
    )
    op.create_index("ix_avoid_list_avoided_key", "avoid_list", ["avoided_key"])


def downgrade() -> None:
    op.drop_index("ix_avoid_list_avoided_key", table_name="avoid_list")
    op.drop_table("avoid_list")
