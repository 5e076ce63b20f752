"""Platform operators, and organizations created as a saga (ADR 0051).

``platform_operators`` is a registry like ``operators`` (no ``tenant_id``, no RLS): the
token endpoint resolves a client before any tenant is known. ``organizations`` gains
the saga's ``status`` (existing rows are COMMITTED), its ``operation_id`` and the
creating request's hash; its name is unique among live (not FAILED) organizations only,
as workspace names are (ADR 0016).

Revision ID: 2026_12_06_platform_operators
Revises: 2026_12_06_schedule_workflows
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orchestrator.core.db.grants import grant, revoke_all

revision: str = "2026_12_06_platform_operators"
down_revision: str | None = "2026_12_06_schedule_workflows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_operators",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("created_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("disabled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_platform_operators"),
        sa.UniqueConstraint("name", name="uq_platform_operators_name"),
        sa.UniqueConstraint("client_id", name="uq_platform_operators_client_id"),
    )
    # The token endpoint reads it; `orchestrator platform-operator create` (the runtime
    # role, like bootstrap) inserts and re-issues secrets. Nothing deletes one.
    grant("platform_operators", "SELECT, INSERT, UPDATE")
    op.add_column(
        "organizations",
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "COMMITTED",
                "FAILED",
                name="organization_status",
                native_enum=False,
                length=16,
            ),
            server_default="COMMITTED",
            nullable=False,
        ),
    )
    op.add_column("organizations", sa.Column("operation_id", sa.String(255), nullable=True))
    op.add_column("organizations", sa.Column("request_hash", sa.String(64), nullable=True))
    op.create_unique_constraint("uq_organizations_operation_id", "organizations", ["operation_id"])
    op.drop_constraint("uq_organizations_name", "organizations", type_="unique")
    op.create_index(
        "uq_organizations_name",
        "organizations",
        ["name"],
        unique=True,
        postgresql_where=sa.text("status <> 'FAILED'"),
    )


def downgrade() -> None:
    op.drop_index("uq_organizations_name", table_name="organizations")
    # A FAILED organization may share its name with a live one: it goes (with its FAILED
    # workspace) before the plain constraint comes back.
    op.execute(
        "DELETE FROM workspaces WHERE organization_id IN"
        " (SELECT id FROM organizations WHERE status = 'FAILED')"
    )
    op.execute("DELETE FROM organizations WHERE status = 'FAILED'")
    op.create_unique_constraint("uq_organizations_name", "organizations", ["name"])
    op.drop_constraint("uq_organizations_operation_id", "organizations", type_="unique")
    op.drop_column("organizations", "request_hash")
    op.drop_column("organizations", "operation_id")
    op.drop_column("organizations", "status")
    revoke_all("platform_operators")
    op.drop_table("platform_operators")
