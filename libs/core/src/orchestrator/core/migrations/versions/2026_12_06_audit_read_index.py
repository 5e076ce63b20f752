"""The audit log is read back (``GET /api/v1/audit``): one workspace's records newest first
by (created_at, id), a backward scan of a (tenant_id, created_at, id) index.

Revision ID: 2026_12_06_audit_read_index
Revises: 2026_12_06_platform_operators
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_06_audit_read_index"
down_revision: str | None = "2026_12_06_platform_operators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not CONCURRENTLY: the audit log is written only by operators' actions and is small
    # next to the job tables; the build holds off those writes (not reads) while it runs,
    # and env.py's lock timeout fails the migration rather than queue behind a writer.
    op.create_index(
        "ix_audit_log_tenant_id_created_at", "audit_log", ["tenant_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_tenant_id_created_at", table_name="audit_log")
