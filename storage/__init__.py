"""Persistence: SQLModel tables and repositories behind the engine's unit of work, and Alembic migrations."""
