"""Deprovisioning (ADR 0100, 0101): the operations' table, names freed by a DELETED
tombstone, and the one function through which the runtime role deletes a workspace's rows.

Revision ID: 2026_12_07_deprovisioning
Revises: 2026_12_07_webhook_providers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import app_role, grant, revoke_all

revision: str = "2026_12_07_deprovisioning"
down_revision: str | None = "2026_12_07_webhook_providers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "deprovision_operations"
FUNCTION = "deprovision_delete_batch(text, uuid, integer)"

# The runtime role may not delete from some tables (configuration versions, job runs, audit
# records: append-only by design). A workspace being deleted is the one exception, so it
# gets no DELETE grant there: this function, running as the tables' owner, deletes one
# batch of one table's rows of one workspace, and only while that workspace is DELETING.
# The audit log is never a table it deletes from: it outlives the workspace (ADR 0100).
DELETE_BATCH = """
CREATE FUNCTION deprovision_delete_batch(
    p_table text, p_workspace uuid, p_limit integer
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    key_column text;
    deleted integer;
BEGIN
    -- FORCE ROW LEVEL SECURITY binds the owner too: scope the transaction to the workspace.
    PERFORM set_config('app.tenant_id', p_workspace::text, true);
    IF NOT EXISTS (
        SELECT 1 FROM public.workspaces WHERE id = p_workspace AND status = 'DELETING'
    ) THEN
        RAISE EXCEPTION 'workspace % is not being deleted', p_workspace
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_table = 'service_identities' THEN
        key_column := 'workspace_id';
    ELSIF p_table <> 'audit_log' AND EXISTS (
        SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
          AND c.relname = p_table AND a.attname = 'tenant_id' AND NOT a.attisdropped
    ) THEN
        key_column := 'tenant_id';
    ELSE
        RAISE EXCEPTION 'not a table of a workspace: %', p_table
            USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format(
        'DELETE FROM public.%I WHERE ctid = ANY (ARRAY('
        'SELECT ctid FROM public.%I WHERE %I = $1 LIMIT $2))',
        p_table, p_table, key_column
    ) USING p_workspace, p_limit;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$
"""


INDEXED = ("config_versions", "webhook_forwards")
NAMED = {"workspaces": ["organization_id", "name"], "organizations": ["name"]}
"""Each registry's unique name index, held only by rows in a state that keeps its name."""


def _names(where: str) -> None:
    for table, columns in NAMED.items():
        index = f"uq_{table}_{'_'.join(columns)}"
        op.drop_index(index, table_name=table)
        op.create_index(index, table, columns, unique=True, postgresql_where=sa.text(where))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("operation_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("progress", postgresql.JSONB(), nullable=False),
        sa.Column("failure", sa.String(1000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('workspace', 'organization')", name=f"ck_{TABLE}_kind"),
        sa.CheckConstraint("status IN ('running', 'succeeded')", name=f"ck_{TABLE}_status"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        sa.UniqueConstraint("operation_id", name=f"uq_{TABLE}_operation_id"),
    )
    op.create_index(f"ix_{TABLE}_organization_id", TABLE, ["organization_id"])
    op.create_index(f"ix_{TABLE}_workspace_id", TABLE, ["workspace_id"])
    op.create_index(
        f"ix_{TABLE}_running",
        TABLE,
        ["started_at"],
        postgresql_where=sa.text("status = 'running'"),
    )
    grant(TABLE, "SELECT, INSERT, UPDATE")
    # The two tenant tables with no index led by tenant_id that can grow large: a deletion's
    # batches would each scan them whole.
    for table in INDEXED:
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
    _names("status NOT IN ('FAILED', 'DELETED')")
    op.execute(DELETE_BATCH)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{app_role()}"')


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}")
    _names("status <> 'FAILED'")
    for table in INDEXED:
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)
    revoke_all(TABLE)
    op.drop_table(TABLE)
