"""Configuration plane: policies, connectors, secret refs and values, configs, tenant quotas.

Revision ID: 2026_11_25_configuration
Revises: 2026_11_23_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "2026_11_25_configuration"
down_revision: str | None = "2026_11_23_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
# Creation order; dropped in reverse.
TABLES = ("policies", "secret_refs", "connectors", "configs", "config_versions", "tenant_quotas")
GRANTS = {
    "policies": "SELECT, INSERT, UPDATE, DELETE",
    "secret_refs": "SELECT, INSERT, UPDATE, DELETE",
    "connectors": "SELECT, INSERT, UPDATE, DELETE",
    # A config is never deleted through the API: its versions stay for rollback.
    "configs": "SELECT, INSERT, UPDATE",
    # Versions are immutable for the runtime role: no UPDATE, no DELETE.
    "config_versions": "SELECT, INSERT",
    "tenant_quotas": "SELECT, INSERT, UPDATE",
}


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["workspaces.id"],
        name=f"fk_{table}_tenant_id_workspaces",
        ondelete="CASCADE",
    )


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("spec", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _tenant_fk("policies"),
        sa.PrimaryKeyConstraint("id", name="pk_policies"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_policies_tenant_id_name"),
        # The target of connectors' composite foreign key: a connector can only name a
        # policy of its own tenant, even though FK checks are not filtered by RLS.
        sa.UniqueConstraint("tenant_id", "id", name="uq_policies_tenant_id_id"),
    )
    op.create_table(
        "secret_refs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("ref", sa.String(500), nullable=False),
        sa.Column("sealed_value", postgresql.JSONB(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _tenant_fk("secret_refs"),
        sa.PrimaryKeyConstraint("id", name="pk_secret_refs"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_secret_refs_tenant_id_name"),
        sa.CheckConstraint(
            "sealed_value IS NULL OR ref = 'db://'", name="ck_secret_refs_value_only_for_db"
        ),
    )
    op.create_table(
        "connectors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("config", postgresql.JSONB(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=True),
        sa.Column("secrets", postgresql.JSONB(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _tenant_fk("connectors"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "policy_id"],
            ["policies.tenant_id", "policies.id"],
            name="fk_connectors_policy_id_policies",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connectors"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_connectors_tenant_id_name"),
    )
    op.create_index("ix_connectors_tenant_id_policy_id", "connectors", ["tenant_id", "policy_id"])
    op.create_table(
        "configs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("active_version", sa.Integer(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        *_timestamps(),
        _tenant_fk("configs"),
        sa.PrimaryKeyConstraint("id", name="pk_configs"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_configs_tenant_id_name"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_configs_tenant_id_id"),
        sa.CheckConstraint(
            "active_version BETWEEN 1 AND latest_version", name="ck_configs_active_is_a_version"
        ),
    )
    op.create_table(
        "config_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("config_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        _tenant_fk("config_versions"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "config_id"],
            ["configs.tenant_id", "configs.id"],
            name="fk_config_versions_config_id_configs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_config_versions"),
        sa.UniqueConstraint("config_id", "version", name="uq_config_versions_config_id_version"),
    )
    op.create_table(
        "tenant_quotas",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("rps", sa.Integer(), nullable=True),
        sa.Column("concurrency", sa.Integer(), nullable=True),
        sa.Column("queue_depth", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _tenant_fk("tenant_quotas"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_quotas"),
        sa.CheckConstraint(
            "coalesce(rps, 1) >= 1 AND coalesce(concurrency, 1) >= 1 "
            "AND coalesce(queue_depth, 1) >= 1",
            name="ck_tenant_quotas_positive",
        ),
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
