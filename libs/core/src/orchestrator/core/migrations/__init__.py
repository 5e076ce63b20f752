"""Alembic environment and versions; run them with ``orchestrator migrate``."""
