"""The workspace overview reads the attempts started in its recent window: a range scan of a
(tenant_id, started_at) index, which replaces the (tenant_id) one (its prefix serves every
query that one did, so an attempt's insert maintains as many indexes as before).

Revision ID: 2026_12_07_job_runs_started_at
Revises: 2026_12_06_audit_read_index
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_07_job_runs_started_at"
down_revision: str | None = "2026_12_06_audit_read_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = "ix_job_runs_tenant_id_started_at"
OLD = "ix_job_runs_tenant_id"


def upgrade() -> None:
    # In the migration's transaction, not CONCURRENTLY: a concurrent build waits for every
    # open transaction of the database, another migrator's waiting for the migration lock
    # among them (a deadlock). The build holds the workers' new attempts (inserts) for as
    # long as it reads job_runs; on a large deployment, build the index by hand first with
    # CREATE INDEX CONCURRENTLY under this name, and this step finds it there.
    op.create_index(NEW, "job_runs", ["tenant_id", "started_at"], if_not_exists=True)
    op.drop_index(OLD, table_name="job_runs", if_exists=True)


def downgrade() -> None:
    op.create_index(OLD, "job_runs", ["tenant_id"], if_not_exists=True)
    op.drop_index(NEW, table_name="job_runs")
