"""Invitations to join the program, sent to the people of the org chart who have not joined.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_key", sa.String(), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("email", "platform", "workspace_id"),
    )
    op.create_index("ix_invitations_id", "invitations", ["id"], unique=True)
    op.create_index("ix_invitations_user_key", "invitations", ["user_key"])
    op.create_index(
        "ix_invitations_platform_workspace_status", "invitations", ["platform", "workspace_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_invitations_platform_workspace_status", table_name="invitations")
    op.drop_index("ix_invitations_user_key", table_name="invitations")
    op.drop_index("ix_invitations_id", table_name="invitations")
    op.drop_table("invitations")
