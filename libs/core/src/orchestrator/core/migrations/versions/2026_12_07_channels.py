"""The workspace status channel: counters, polls and guest invites (ADR 0102, ADR 0103).
No message table: messages exist only in flight.

Revision ID: 2026_12_07_channels
Revises: 2026_12_07_webhook_providers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_12_07_channels"
down_revision: str | None = "2026_12_07_deprovisioning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("channel_counters", "channel_polls", "channel_invites")


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["workspaces.id"],
        name=f"fk_{table}_tenant_id_workspaces",
        ondelete="CASCADE",
    )


def _now(name: str) -> sa.Column[object]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "channel_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("count >= 0", name="ck_channel_counters_count"),
        _workspace_fk("channel_counters"),
        sa.PrimaryKeyConstraint("tenant_id", "day", "action", name="pk_channel_counters"),
    )
    op.create_table(
        "channel_polls",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(24), nullable=False),
        sa.Column("choices", postgresql.ARRAY(sa.String(24)), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _now("created_at"),
        _workspace_fk("channel_polls"),
        sa.PrimaryKeyConstraint("tenant_id", "name", name="pk_channel_polls"),
    )
    op.create_table(
        "channel_invites",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("guest", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _now("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_jti", sa.String(64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _workspace_fk("channel_invites"),
        sa.PrimaryKeyConstraint("id", name="pk_channel_invites"),
        sa.UniqueConstraint("tenant_id", "guest", name="uq_channel_invites_tenant_id_guest"),
    )
    for table in TABLES:
        enable_tenant_rls(table)
    grant("channel_counters", "SELECT, INSERT, UPDATE, DELETE")
    grant("channel_polls", "SELECT, INSERT, DELETE")
    grant("channel_invites", "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    for table in reversed(TABLES):
        revoke_all(table)
        disable_tenant_rls(table)
        op.drop_table(table)
