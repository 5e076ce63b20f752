"""Workflows (ADR 0050): ``workflows`` and ``workflow_runs``, tenant tables under RLS; the
jobs of workflow steps name their run, and reaching a final status writes the run's
``advance_workflow`` outbox row in the same statement (a trigger).

Revision ID: 2026_12_06_workflows
Revises: 2026_12_06_retention_ages
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_12_06_workflows"
down_revision: str | None = "2026_12_06_retention_ages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
RUN_STATUSES = (
    "running",
    "compensating",
    "succeeded",
    "failed",
    "compensated",
    "compensation_failed",
)

# Every path that ends a job (a finished attempt, a lost last attempt, a cancel, a hand
# edit) goes through an UPDATE of its status, so the run hears of it from one place. It
# runs as the writer, under the writer's tenant; the WHEN clause keeps it off every job
# that is not a workflow step (it is evaluated without calling the function).
ADVANCE = """
CREATE FUNCTION workflow_job_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (workspace_id, kind, payload)
    VALUES (NEW.tenant_id, 'advance_workflow',
            jsonb_build_object('tenant_id', NEW.tenant_id::text,
                               'run_id', NEW.workflow_run_id::text,
                               'job_id', NEW.id::text));
    RETURN NULL;
END
$$
"""
TRIGGER = (
    "CREATE TRIGGER jobs_workflow_advance AFTER UPDATE OF status ON jobs FOR EACH ROW "
    "WHEN (NEW.workflow_run_id IS NOT NULL "
    "AND NEW.status IN ('succeeded', 'failed', 'dead', 'cancelled') "
    "AND OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION workflow_job_finished()"
)


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("steps", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_workflows_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workflows"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_workflows_tenant_id_name"),
    )
    enable_tenant_rls("workflows")
    grant("workflows", "SELECT, INSERT, UPDATE, DELETE")

    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("workflow", sa.String(100), nullable=False),
        sa.Column("definition", postgresql.JSONB(), nullable=False),
        sa.Column("input", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("current_job_id", sa.Uuid(), nullable=True),
        sa.Column("outputs", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.String(2000), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in RUN_STATUSES) + ")",
            name="ck_workflow_runs_status",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_workflow_runs_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_runs"),
    )
    op.create_index(
        "ix_workflow_runs_tenant_id_created_at", "workflow_runs", ["tenant_id", "created_at"]
    )
    op.create_index(
        "ix_workflow_runs_active",
        "workflow_runs",
        ["tenant_id"],
        postgresql_where=sa.text("status IN ('running', 'compensating')"),
    )
    enable_tenant_rls("workflow_runs")
    # DELETE: retention purges finished runs, one workspace at a time under RLS.
    grant("workflow_runs", "SELECT, INSERT, UPDATE, DELETE")

    op.add_column("jobs", sa.Column("workflow_run_id", sa.Uuid(), nullable=True))
    op.add_column("jobs", sa.Column("workflow_step", sa.String(120), nullable=True))
    op.execute(ADVANCE)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS jobs_workflow_advance ON jobs")
    op.execute("DROP FUNCTION IF EXISTS workflow_job_finished()")
    op.drop_column("jobs", "workflow_step")
    op.drop_column("jobs", "workflow_run_id")
    revoke_all("workflow_runs")
    disable_tenant_rls("workflow_runs")
    op.drop_index("ix_workflow_runs_active", table_name="workflow_runs")
    op.drop_index("ix_workflow_runs_tenant_id_created_at", table_name="workflow_runs")
    op.drop_table("workflow_runs")
    revoke_all("workflows")
    disable_tenant_rls("workflows")
    op.drop_table("workflows")
