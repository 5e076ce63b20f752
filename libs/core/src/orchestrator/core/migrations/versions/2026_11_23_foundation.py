"""Foundation: organizations, workspaces, identities, keys, revocations, audit log.

Revision ID: 2026_11_23_foundation
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import create_app_role, grant, revoke_all
from orchestrator.core.db.rls import (
    disable_tenant_rls,
    disable_workspace_rls,
    enable_tenant_rls,
    enable_workspace_rls,
)

revision: str = "2026_11_23_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
TENANT_TABLES = ("workspace_secrets", "audit_log")
GRANTS = {
    "organizations": "SELECT, INSERT, UPDATE",
    "workspaces": "SELECT, INSERT, UPDATE",
    "workspace_secrets": "SELECT, INSERT, DELETE",
    "service_identities": "SELECT, INSERT, UPDATE",
    "operators": "SELECT, INSERT, UPDATE",
    "revoked_tokens": "SELECT, INSERT, DELETE",
    "signing_keys": "SELECT",
    # Append-only for the runtime role: no UPDATE, no DELETE, no TRUNCATE.
    "audit_log": "SELECT, INSERT",
}


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("name", name="uq_organizations_name"),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "COMMITTED",
                "FAILED",
                name="workspace_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("operation_id", sa.String(255), nullable=False),
        sa.Column("failure_reason", sa.String(1000), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_workspaces_organization_id_organizations",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sa.UniqueConstraint("operation_id", name="uq_workspaces_operation_id"),
    )
    op.create_index("ix_workspaces_organization_id", "workspaces", ["organization_id"])
    op.create_index(
        "uq_workspaces_organization_id_name",
        "workspaces",
        ["organization_id", "name"],
        unique=True,
        postgresql_where=sa.text("status <> 'FAILED'"),
    )
    op.create_table(
        "workspace_secrets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("sealed", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_workspace_secrets_tenant_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_secrets"),
    )
    op.create_index("ix_workspace_secrets_tenant_id", "workspace_secrets", ["tenant_id"])
    op.create_table(
        "service_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(64)), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("disabled_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_service_identities_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_identities"),
        sa.UniqueConstraint("client_id", name="uq_service_identities_client_id"),
    )
    op.create_index("ix_service_identities_workspace_id", "service_identities", ["workspace_id"])
    op.create_table(
        "operators",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("home_workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("disabled_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_operators_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["home_workspace_id"],
            ["workspaces.id"],
            name="fk_operators_home_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_operators"),
        sa.UniqueConstraint("client_id", name="uq_operators_client_id"),
    )
    op.create_index("ix_operators_organization_id", "operators", ["organization_id"])
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, server_default=NOW, nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_revoked_tokens"),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("public_jwk", postgresql.JSONB(), nullable=False),
        sa.Column("sealed_private_jwk", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("verify_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_keys"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("before", postgresql.JSONB(), nullable=True),
        sa.Column("after", postgresql.JSONB(), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("impersonation", postgresql.JSONB(), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["workspaces.id"],
            name="fk_audit_log_tenant_id_workspaces",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_tenant_id", "audit_log", ["tenant_id"])

    for table in TENANT_TABLES:
        enable_tenant_rls(table)
    enable_workspace_rls()
    create_app_role()
    for table, privileges in GRANTS.items():
        grant(table, privileges)


def downgrade() -> None:
    for table in GRANTS:
        revoke_all(table)
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    disable_workspace_rls()
    for table in (
        "audit_log",
        "signing_keys",
        "revoked_tokens",
        "operators",
        "service_identities",
        "workspace_secrets",
        "workspaces",
        "organizations",
    ):
        op.drop_table(table)
