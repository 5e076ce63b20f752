"""Webhook-inbox retention: the runtime role may delete old inbox entries and forwards.

Revision ID: 2026_11_26_inbox_retention
Revises: 2026_11_26_event_retention
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from orchestrator.core.db.grants import app_role, grant

revision: str = "2026_11_26_inbox_retention"
down_revision: str | None = "2026_11_26_event_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_inbox", "webhook_forwards")


def upgrade() -> None:
    for table in TABLES:
        grant(table, "DELETE")  # still under each table's RLS: one workspace's rows at a time


def downgrade() -> None:
    for table in TABLES:
        op.execute(f'REVOKE DELETE ON "{table}" FROM "{app_role()}"')
