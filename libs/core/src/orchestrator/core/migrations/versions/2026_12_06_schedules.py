"""Cron schedules: ``schedules``, a tenant table under RLS, and ``schedule_wakeups``, the
index the scheduler reads across workspaces to find which have a schedule due (ADR 0048).

Revision ID: 2026_12_06_schedules
Revises: 2026_12_06_svc_identity_names
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_12_06_schedules"
down_revision: str | None = "2026_12_06_svc_identity_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")

# Only a session that says it is the scheduler's scan reads wakeups across workspaces; the
# rows name a schedule, its workspace and a time, nothing of what the schedule does.
DUE_LOOKUP = "due_lookup"
SCANNING = "current_setting('app.schedule_scan', true) = 'on'"

# Kept by PostgreSQL itself, so no write path (API, bundle, scheduler, a hand edit) can
# forget it. It runs as the writer, under the writer's tenant (RLS WITH CHECK).
SYNC_WAKEUP = """
CREATE FUNCTION schedule_wakeup_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.enabled THEN
        INSERT INTO schedule_wakeups (schedule_id, tenant_id, next_run_at)
        VALUES (NEW.id, NEW.tenant_id, NEW.next_run_at)
        ON CONFLICT (schedule_id) DO UPDATE SET next_run_at = EXCLUDED.next_run_at;
    ELSE
        DELETE FROM schedule_wakeups WHERE schedule_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), server_default=sa.text("'UTC'"), nullable=False),
        sa.Column("connector", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("callback_url", sa.String(2048), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", TS, nullable=False),
        sa.Column("last_fired_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_schedules_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_schedules"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_schedules_tenant_id_name"),
    )
    op.create_index(
        "ix_schedules_due",
        "schedules",
        ["tenant_id", "next_run_at"],
        postgresql_where=sa.text("enabled"),
    )
    enable_tenant_rls("schedules")
    grant("schedules", "SELECT, INSERT, UPDATE, DELETE")

    op.create_table(
        "schedule_wakeups",
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("next_run_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name="fk_schedule_wakeups_schedule_id_schedules",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_schedule_wakeups_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("schedule_id", name="pk_schedule_wakeups"),
    )
    op.create_index("ix_schedule_wakeups_next_run_at", "schedule_wakeups", ["next_run_at"])
    enable_tenant_rls("schedule_wakeups")
    op.execute(f'CREATE POLICY {DUE_LOOKUP} ON "schedule_wakeups" FOR SELECT USING ({SCANNING})')
    grant("schedule_wakeups", "SELECT, INSERT, UPDATE, DELETE")
    op.execute(SYNC_WAKEUP)
    op.execute(
        "CREATE TRIGGER schedules_wakeup AFTER INSERT OR UPDATE OF enabled, next_run_at "
        "ON schedules FOR EACH ROW EXECUTE FUNCTION schedule_wakeup_sync()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS schedules_wakeup ON schedules")
    op.execute("DROP FUNCTION IF EXISTS schedule_wakeup_sync()")
    revoke_all("schedule_wakeups")
    op.execute(f'DROP POLICY IF EXISTS {DUE_LOOKUP} ON "schedule_wakeups"')
    disable_tenant_rls("schedule_wakeups")
    op.drop_index("ix_schedule_wakeups_next_run_at", table_name="schedule_wakeups")
    op.drop_table("schedule_wakeups")
    revoke_all("schedules")
    disable_tenant_rls("schedules")
    op.drop_index("ix_schedules_due", table_name="schedules")
    op.drop_table("schedules")
