"""Jobs and webhook deliveries carry the W3C ``traceparent`` of the request that made them.

Revision ID: 2026_11_26_trace_context
Revises: 2026_11_26_job_replay
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_11_26_trace_context"
down_revision: str | None = "2026_11_26_job_replay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("jobs", "webhook_inbox")


def upgrade() -> None:
    # Nullable, no default: PostgreSQL adds the column without rewriting the table.
    for table in TABLES:
        op.add_column(table, sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "traceparent")
