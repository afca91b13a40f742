"""Alembic migrations of the Mentorbot schema."""
