"""Prompt ratings, and the topic of each cached prompt, so 👍/👎 can steer later suggestions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prompt_cache") as batch:
        batch.add_column(sa.Column("topics", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "prompt_ratings",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("pairing_id", sa.String(), nullable=False),
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("prompt_index", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "user_key", "week", "prompt_index", name="uq_prompt_ratings_vote"),
    )
    op.create_index("ix_prompt_ratings_pairing_id", "prompt_ratings", ["pairing_id"])
    op.create_index("ix_prompt_ratings_user_key", "prompt_ratings", ["user_key"])


def downgrade() -> None:
    op.drop_table("prompt_ratings")
    with op.batch_alter_table("prompt_cache") as batch:
        batch.drop_column("topics")
