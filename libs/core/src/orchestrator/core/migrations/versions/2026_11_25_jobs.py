"""Execution plane: jobs, job runs, outbox, event log, idempotency keys.

Revision ID: 2026_11_25_jobs
Revises: 2026_11_25_configuration
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_11_25_jobs"
down_revision: str | None = "2026_11_25_configuration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "dead", "cancelled")
TENANT_TABLES = ("jobs", "job_runs", "event_log", "idempotency_keys")
GRANTS = {
    # No DELETE: jobs leave only with their workspace (ON DELETE CASCADE, as the owner).
    "jobs": "SELECT, INSERT, UPDATE",
    "job_runs": "SELECT, INSERT, UPDATE",
    # The system queue: the relay claims and marks rows, retention deletes published ones.
    "outbox": "SELECT, INSERT, UPDATE, DELETE",
    # Append-only for the runtime role.
    "event_log": "SELECT, INSERT",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
}


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*JOB_STATUSES, name="job_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", TS, nullable=False),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("callback_url", sa.String(2048), nullable=True),
        sa.Column("callback_state", sa.String(16), nullable=True),
        sa.Column("callback_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("last_error", sa.String(2000), nullable=True),
        sa.Column("output", postgresql.JSONB(), nullable=True),
        sa.Column("upstream_status", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.CheckConstraint(_in("status", JOB_STATUSES), name="ck_jobs_status"),
        sa.CheckConstraint(
            _in("callback_state", ("pending", "delivered", "failed")),
            name="ck_jobs_callback_state",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_jobs_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index(
        "ix_jobs_tenant_id_status_created_at",
        "jobs",
        ["tenant_id", "status", "created_at", "id"],
    )
    op.create_index("ix_jobs_tenant_id_created_at", "jobs", ["tenant_id", "created_at", "id"])
    op.create_index(
        "ix_jobs_due",
        "jobs",
        ["tenant_id", "available_at"],
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "ix_jobs_lease_until",
        "jobs",
        ["tenant_id", "lease_until"],
        postgresql_where=sa.text("status = 'running'"),
    )

    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", TS, server_default=NOW, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("upstream_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(2000), nullable=True),
        sa.Column("duration_ms", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_job_runs_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name="fk_job_runs_job_id_jobs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("job_id", "attempt", name="uq_job_runs_job_id_attempt"),
    )
    op.create_index("ix_job_runs_tenant_id", "job_runs", ["tenant_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("available_at", TS, server_default=NOW, nullable=False),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["available_at", "id"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )

    op.create_table(
        "event_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column(
            "xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_event_log_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event_log"),
    )
    op.create_index("ix_event_log_tenant_id_xid_id", "event_log", ["tenant_id", "xid", "id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("owner", sa.Uuid(), nullable=False),
        sa.Column("locked_until", TS, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", postgresql.JSONB(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.CheckConstraint(
            _in("state", ("in_flight", "completed")), name="ck_idempotency_keys_state"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_idempotency_keys_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])

    for table in TENANT_TABLES:
        enable_tenant_rls(table)
    for table, privileges in GRANTS.items():
        grant(table, privileges)


def downgrade() -> None:
    for table in GRANTS:
        revoke_all(table)
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    for table in ("idempotency_keys", "event_log", "outbox", "job_runs", "jobs"):
        op.drop_table(table)
