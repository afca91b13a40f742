"""The round-end survey's answers, and which rounds' reports went out.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=False),
        sa.Column("pairing_id", sa.String(), nullable=False),
        sa.Column("user_key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("recommend", sa.Integer(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("story_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name="survey_answers_cycle_id_fkey", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name="survey_answers_pairing_id_fkey", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_key"],
            ["participants.user_key"],
            name="survey_answers_user_key_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "user_key", name="uq_survey_answers_pairing_user"),
    )
    op.create_index("ix_survey_answers_cycle_id", "survey_answers", ["cycle_id"])
    op.create_index("ix_survey_answers_user_key", "survey_answers", ["user_key"])
    op.create_table(
        "round_reports",
        sa.Column("cycle_id", sa.String(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name="round_reports_cycle_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cycle_id"),
    )


def downgrade() -> None:
    op.drop_table("round_reports")
    op.drop_index("ix_survey_answers_user_key", table_name="survey_answers")
    op.drop_index("ix_survey_answers_cycle_id", table_name="survey_answers")
    op.drop_table("survey_answers")
