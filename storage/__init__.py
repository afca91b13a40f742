"""Persistence: SQLModel tables and repositories behind the engine's unit of work, plus an in-memory twin."""
