"""A workspace's configuration as numbered, immutable versions, and a head per workspace
naming the active one and the one a rollback returns to (ADR 0077).

Revision ID: 2026_12_07_workspace_versions
Revises: 2026_12_07_job_runs_started_at
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_12_07_workspace_versions"
down_revision: str | None = "2026_12_07_job_runs_started_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = {
    # Versions are immutable for the runtime role; retention deletes old ones.
    "workspace_versions": "SELECT, INSERT, DELETE",
    "workspace_version_heads": "SELECT, INSERT, UPDATE",
}


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["workspaces.id"],
        name=f"fk_{table}_tenant_id_workspaces",
        ondelete="CASCADE",
    )


def _version_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        ["workspace_versions.tenant_id", "workspace_versions.number"],
        name=f"fk_workspace_version_heads_{column}_workspace_versions",
    )


def upgrade() -> None:
    op.create_table(
        "workspace_versions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("snapshot", postgresql.JSONB(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        _workspace_fk("workspace_versions"),
        sa.PrimaryKeyConstraint("tenant_id", "number", name="pk_workspace_versions"),
        sa.CheckConstraint("number >= 1", name="ck_workspace_versions_positive"),
    )
    op.create_table(
        "workspace_version_heads",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        _workspace_fk("workspace_version_heads"),
        _version_fk("active"),
        _version_fk("previous"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_workspace_version_heads"),
        sa.CheckConstraint(
            "active <= latest AND coalesce(previous, 1) <= latest",
            name="ck_workspace_version_heads_known",
        ),
    )
    for table, privileges in GRANTS.items():
        enable_tenant_rls(table)
        grant(table, privileges)


def downgrade() -> None:
    for table in reversed(GRANTS):
        revoke_all(table)
        disable_tenant_rls(table)
        op.drop_table(table)
