"""Foreign keys with ON DELETE CASCADE: what belongs to a round, a pairing or a person goes with it.

A round's pairings; a pairing's goals, check-ins, assessments, stories, prompts and prompt ratings; a
person's own goals, check-ins, assessments, stories and votes (so deleting the participant erases
them, which the engine did by hand before). Rows whose round, pairing or person is already gone could
never be reached and would break the new keys: they are deleted first.

On SQLite the tables are rebuilt (batch mode); `Database.migrate` turns foreign keys off while it
migrates, so rebuilding a parent table never cascades into its children, and checks them afterwards.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEYS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    # table, its (column, parent table, parent column); parents before children
    ("pairings", (("cycle_id", "cycles", "id"),)),
    ("goals", (("pairing_id", "pairings", "id"), ("owner_key", "participants", "user_key"))),
    ("checkins", (("pairing_id", "pairings", "id"), ("user_key", "participants", "user_key"))),
    ("assessments", (("pairing_id", "pairings", "id"), ("user_key", "participants", "user_key"))),
    ("stories", (("pairing_id", "pairings", "id"), ("proposer_key", "participants", "user_key"))),
    ("prompt_cache", (("pairing_id", "pairings", "id"),)),
    ("prompt_ratings", (("pairing_id", "pairings", "id"), ("user_key", "participants", "user_key"))),
)


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_fkey"  # PostgreSQL's own name for an unnamed key, as the models make


def upgrade() -> None:
    for table, keys in FOREIGN_KEYS:
        for column, parent, parent_column in keys:
            op.execute(
                sa.text(
                    f"DELETE FROM {table} WHERE {column} NOT IN (SELECT {parent_column} FROM {parent})"
                )
            )
    for table, keys in FOREIGN_KEYS:
        with op.batch_alter_table(table) as batch:
            for column, parent, parent_column in keys:
                batch.create_foreign_key(
                    _name(table, column), parent, [column], [parent_column], ondelete="CASCADE"
                )


def downgrade() -> None:
    for table, keys in reversed(FOREIGN_KEYS):
        with op.batch_alter_table(table) as batch:
            for column, _parent, _parent_column in keys:
                batch.drop_constraint(_name(table, column), type_="foreignkey")
