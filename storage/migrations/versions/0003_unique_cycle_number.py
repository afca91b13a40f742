"""A round's number is unique, so two replicas starting the next round cannot both succeed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_cycles_number", table_name="cycles")
    op.create_index("ix_cycles_number", "cycles", ["number"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_cycles_number", table_name="cycles")
    op.create_index("ix_cycles_number", "cycles", ["number"])
