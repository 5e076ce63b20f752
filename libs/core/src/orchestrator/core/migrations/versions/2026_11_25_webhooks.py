"""Webhook sources and their bindings.

Revision ID: 2026_11_25_webhooks
Revises: 2026_11_25_jobs
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_11_25_webhooks"
down_revision: str | None = "2026_11_25_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
# Frozen here: a provider added later comes with its own migration of the check.
PROVIDERS = ("stripe", "github", "slack", "pagerduty", "standard_webhooks", "shopify", "hmac")
ACTIONS = ("job", "forward")
# Creation order; dropped in reverse.
TABLES = ("webhook_sources", "webhook_bindings")
GRANTS = {
    "webhook_sources": "SELECT, INSERT, UPDATE, DELETE",
    "webhook_bindings": "SELECT, INSERT, UPDATE, DELETE",
}


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["workspaces.id"],
        name=f"fk_{table}_tenant_id_workspaces",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "webhook_sources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("secret_refs", postgresql.JSONB(), nullable=False),
        sa.Column("options", postgresql.JSONB(), nullable=True),
        sa.Column("routing", postgresql.JSONB(), nullable=False),
        sa.Column("rate_limit_per_s", sa.Integer(), nullable=True),
        sa.Column(
            "max_body_bytes", sa.Integer(), server_default=sa.text("1048576"), nullable=False
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        _tenant_fk("webhook_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_sources"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_webhook_sources_tenant_id_name"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_webhook_sources_tenant_id_id"),
        sa.CheckConstraint(_in("provider", PROVIDERS), name="ck_webhook_sources_provider"),
        sa.CheckConstraint(
            "jsonb_typeof(secret_refs) = 'array' AND jsonb_array_length(secret_refs) >= 1",
            name="ck_webhook_sources_has_secret_refs",
        ),
        sa.CheckConstraint(
            "(provider = 'hmac') = (options IS NOT NULL)",
            name="ck_webhook_sources_options_only_for_hmac",
        ),
        sa.CheckConstraint(
            "jsonb_typeof(routing) = 'object'", name="ck_webhook_sources_routing_is_object"
        ),
        sa.CheckConstraint(
            "coalesce(rate_limit_per_s, 1) >= 1 AND max_body_bytes >= 1",
            name="ck_webhook_sources_positive_limits",
        ),
    )
    op.create_table(
        "webhook_bindings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("event_types", postgresql.JSONB(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("connector", sa.String(100), nullable=True),
        sa.Column("operation", sa.String(200), nullable=True),
        sa.Column("payload_mapping", postgresql.JSONB(), nullable=True),
        sa.Column("forward_url", sa.String(2000), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        _tenant_fk("webhook_bindings"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "source_id"],
            ["webhook_sources.tenant_id", "webhook_sources.id"],
            name="fk_webhook_bindings_source_id_webhook_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_bindings"),
        sa.CheckConstraint(_in("action", ACTIONS), name="ck_webhook_bindings_action"),
        sa.CheckConstraint(
            "(action = 'job' AND connector IS NOT NULL AND operation IS NOT NULL "
            "AND forward_url IS NULL) OR (action = 'forward' AND forward_url IS NOT NULL "
            "AND connector IS NULL AND operation IS NULL AND payload_mapping IS NULL)",
            name="ck_webhook_bindings_action_fields",
        ),
        sa.CheckConstraint(
            "jsonb_typeof(event_types) = 'array'", name="ck_webhook_bindings_event_types_is_array"
        ),
    )
    op.create_index(
        "ix_webhook_bindings_tenant_id_source_id", "webhook_bindings", ["tenant_id", "source_id"]
    )

    for table in TABLES:
        enable_tenant_rls(table)
    for table, privileges in GRANTS.items():
        grant(table, privileges)


def downgrade() -> None:
    for table in GRANTS:
        revoke_all(table)
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
