"""Execution plane: jobs, job runs, outbox, event log, idempotency keys.

Revision ID: 2026_11_25_jobs
Revises: 2026_11_25_configuration
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "2026_11_25_jobs"
down_revision: str | None = "2026_11_25_configuration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
