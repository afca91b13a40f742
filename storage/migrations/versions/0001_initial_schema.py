"""Initial schema: people, cycles, pairings, goals, check-ins, assessments, stories and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-01-05

Written by hand to run unchanged on SQLite and PostgreSQL: instants are `DateTime(timezone=True)`
(timestamptz on PostgreSQL, UTC text on SQLite), lists and dicts are JSON, enums are strings.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "participants",
        _text("user_key"),
        _text("platform"),
        _text("workspace_id"),
        _text("display_name"),
        _text("role"),
        _text("department"),
        sa.Column("seniority", sa.Integer(), nullable=False),
        _text("timezone"),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("learning_goals", sa.JSON(), nullable=False),
        _text("manager_id", nullable=True),
        _text("language", nullable=True),
        _text("status"),
        sa.Column("paused_until", sa.Date(), nullable=True),
        _instant("joined_at", nullable=True),
        sa.PrimaryKeyConstraint("user_key"),
    )
    op.create_index("ix_participants_platform_workspace", "participants", ["platform", "workspace_id"])

    op.create_table(
        "cycles",
        _text("id"),
        sa.Column("number", sa.Integer(), nullable=False),
        _instant("started_at"),
        sa.Column("weeks", sa.Integer(), nullable=False),
        _instant("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cycles_number", "cycles", ["number"])

    op.create_table(
        "pairings",
        _text("id"),
        _text("cycle_id"),
        _text("leader_key"),
        _text("mentor_key"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _instant("created_at"),
        _text("status"),
        _instant("ended_at", nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("cycle_id", "leader_key", "mentor_key", "created_at", "status"):
        op.create_index(f"ix_pairings_{column}", "pairings", [column])

    op.create_table(
        "goals",
        _text("id"),
        _text("pairing_id"),
        _text("owner_key"),
        _text("side"),
        sa.Column("text", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.Column("progress", sa.Integer(), nullable=False),
        _instant("done_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goals_pairing_id", "goals", ["pairing_id"])
    op.create_index("ix_goals_owner_key", "goals", ["owner_key"])

    op.create_table(
        "checkins",
        _text("id"),
        _text("pairing_id"),
        _text("user_key"),
        _text("week"),
        _instant("sent_at"),
        _text("answer", nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _instant("answered_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "user_key", "week", name="uq_checkins_pairing_user_week"),
    )
    op.create_index("ix_checkins_user_key", "checkins", ["user_key"])
    op.create_index("ix_checkins_sent_at", "checkins", ["sent_at"])

    op.create_table(
        "assessments",
        _text("id"),
        _text("pairing_id"),
        _text("user_key"),
        _text("side"),
        _text("phase"),
        sa.Column("score", sa.Integer(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "user_key", "phase", name="uq_assessments_pairing_user_phase"),
    )
    op.create_index("ix_assessments_user_key", "assessments", ["user_key"])

    op.create_table(
        "stories",
        _text("id"),
        _text("pairing_id"),
        _text("proposer_key"),
        sa.Column("text", sa.Text(), nullable=False),
        _instant("created_at"),
        _text("status"),
        _instant("decided_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stories_pairing_id", "stories", ["pairing_id"])
    op.create_index("ix_stories_proposer_key", "stories", ["proposer_key"])

    op.create_table(
        "deliveries",
        _text("id"),
        _text("idempotency_key"),
        _text("platform"),
        _text("workspace_id"),
        sa.Column("users", sa.JSON(), nullable=False),
        _text("channel_id", nullable=True),
        sa.Column("message", sa.JSON(), nullable=False),
        _instant("created_at"),
        _instant("not_before"),
        _text("status"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _instant("lease_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _text("platform_message_id", nullable=True),
        _instant("sent_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="uq_deliveries_idempotency_key"),
    )
    op.create_index("ix_deliveries_status_not_before", "deliveries", ["status", "not_before"])
    op.create_index(
        "ix_deliveries_platform_workspace_status", "deliveries", ["platform", "workspace_id", "status"]
    )

    op.create_table(
        "inbound_events",
        _text("event_id"),
        _instant("received_at"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_inbound_events_received_at", "inbound_events", ["received_at"])

    op.create_table(
        "conversation_refs",
        _text("user_key"),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_key"),
    )

    op.create_table(
        "prompt_cache",
        _text("pairing_id"),
        _text("week"),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        _text("source"),
        sa.PrimaryKeyConstraint("pairing_id", "week"),
    )


def downgrade() -> None:
    for table in (
        "prompt_cache",
        "conversation_refs",
        "inbound_events",
        "deliveries",
        "stories",
        "assessments",
        "checkins",
        "goals",
        "pairings",
        "cycles",
        "participants",
    ):
        op.drop_table(table)
