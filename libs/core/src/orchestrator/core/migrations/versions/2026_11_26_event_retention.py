"""Event-log retention and the operator's DLQ purge.

The runtime role may now delete old events (retention) and dead jobs (the operator's
DLQ purge; their runs go with them by ``ON DELETE CASCADE``). ``event_log_horizons``
records, per workspace, how far retention purged the log, so a reader resuming below
it is told (410) instead of silently skipping what was purged.

Revision ID: 2026_11_26_event_retention
Revises: 2026_11_26_trace_context
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orchestrator.core.db.grants import app_role, grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_11_26_event_retention"
down_revision: str | None = "2026_11_26_trace_context"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What this revision adds to the grants of 2026_11_25_jobs, and takes back on downgrade.
ADDED = {"event_log": "DELETE", "jobs": "DELETE"}


def upgrade() -> None:
    op.create_table(
        "event_log_horizons",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_event_log_horizons_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_event_log_horizons"),
    )
    enable_tenant_rls("event_log_horizons")
    grant("event_log_horizons", "SELECT, INSERT, UPDATE")
    for table, privileges in ADDED.items():
        grant(table, privileges)


def downgrade() -> None:
    for table, privileges in ADDED.items():
        op.execute(f'REVOKE {privileges} ON "{table}" FROM "{app_role()}"')
    revoke_all("event_log_horizons")
    disable_tenant_rls("event_log_horizons")
    op.drop_table("event_log_horizons")
