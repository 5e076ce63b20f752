"""Dead jobs can be replayed: a job remembers the attempts made before its latest replay.

Revision ID: 2026_11_26_job_replay
Revises: 2026_11_26_signing_rotation
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_26_job_replay"
down_revision: str | None = "2026_11_26_signing_rotation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "jobs",
        sa.Column(
            "attempts_before_replay", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("jobs", "attempts_before_replay")
