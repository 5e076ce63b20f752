"""The webhook inbox, the organization-wide routing index and signed forwards.

Revision ID: 2026_11_25_webhook_inbox
Revises: 2026_11_25_webhooks
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orchestrator.core.db.grants import grant, revoke_all
from orchestrator.core.db.rls import POLICY_NAME, enable_tenant_rls

revision: str = "2026_11_25_webhook_inbox"
down_revision: str | None = "2026_11_25_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
NOW = sa.text("now()")
INBOX_STATUSES = ("received", "routed", "unrouted", "ignored", "failed")
FORWARD_STATES = ("pending", "delivered", "failed")
TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
# A workspace reads the routing claims of every workspace of its organization, and
# writes only its own (ADR 0036).
SOURCE_LOOKUP = "source_lookup"
SOURCE_IS_NAMED = "id = NULLIF(current_setting('app.webhook_source', true), '')::uuid"
ORGANIZATION_OF_TENANT = (
    "(SELECT w.organization_id FROM workspaces w WHERE w.id = "  # noqa: S608 - constants only
    f"{TENANT})"
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["workspaces.id"],
        name=f"fk_{table}_tenant_id_workspaces",
        ondelete="CASCADE",
    )


def _source_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "source_id"],
        ["webhook_sources.tenant_id", "webhook_sources.id"],
        name=f"fk_{table}_source_id_webhook_sources",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "webhook_inbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("dedupe_id", sa.String(300), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("routing", postgresql.JSONB(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(16), server_default="received", nullable=False),
        sa.Column("routed_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("routed_source_id", sa.Uuid(), nullable=True),
        sa.Column("actions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", TS, server_default=NOW, nullable=False),
        sa.Column("processed_at", TS, nullable=True),
        _tenant_fk("webhook_inbox"),
        _source_fk("webhook_inbox"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_inbox"),
        sa.UniqueConstraint(
            "tenant_id",
            "source_id",
            "dedupe_id",
            name="uq_webhook_inbox_tenant_id_source_id_dedupe_id",
        ),
        sa.CheckConstraint(_in("status", INBOX_STATUSES), name="ck_webhook_inbox_status"),
    )
    op.create_index(
        "ix_webhook_inbox_tenant_id_status", "webhook_inbox", ["tenant_id", "status", "id"]
    )
    op.create_table(
        "webhook_routes",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_webhook_routes_organization_id_organizations",
            ondelete="CASCADE",
        ),
        _tenant_fk("webhook_routes"),
        _source_fk("webhook_routes"),
        sa.PrimaryKeyConstraint(
            "organization_id", "provider", "key", "value", name="pk_webhook_routes"
        ),
    )
    op.create_index(
        "ix_webhook_routes_tenant_id_source_id", "webhook_routes", ["tenant_id", "source_id"]
    )
    op.create_table(
        "webhook_forwards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("binding_id", sa.Uuid(), nullable=False),
        sa.Column("inbox_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _tenant_fk("webhook_forwards"),
        sa.ForeignKeyConstraint(
            ["binding_id"],
            ["webhook_bindings.id"],
            name="fk_webhook_forwards_binding_id_webhook_bindings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_forwards"),
        sa.UniqueConstraint(
            "binding_id", "inbox_id", name="uq_webhook_forwards_binding_id_inbox_id"
        ),
        sa.CheckConstraint(_in("state", FORWARD_STATES), name="ck_webhook_forwards_state"),
    )

    enable_tenant_rls("webhook_inbox")
    enable_tenant_rls("webhook_forwards")
    op.execute('ALTER TABLE "webhook_routes" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "webhook_routes" FORCE ROW LEVEL SECURITY')
    # Read by organization (to route); insert and delete only one's own claims. One
    # policy for every command would let a workspace delete a sibling's claims.
    for name, command, clause in (
        (POLICY_NAME, "SELECT", f"USING (organization_id = {ORGANIZATION_OF_TENANT})"),
        (
            "own_claims_insert",
            "INSERT",
            f"WITH CHECK (tenant_id = {TENANT} AND organization_id = {ORGANIZATION_OF_TENANT})",
        ),
        ("own_claims_delete", "DELETE", f"USING (tenant_id = {TENANT})"),
    ):
        op.execute(f'CREATE POLICY {name} ON "webhook_routes" FOR {command} {clause}')
    grant("webhook_inbox", "SELECT, INSERT, UPDATE")
    grant("webhook_routes", "SELECT, INSERT, DELETE")
    grant("webhook_forwards", "SELECT, INSERT, UPDATE")
    # The ingress knows only the source id of a delivery, not its workspace: naming
    # the id in ``app.webhook_source`` makes that one source visible (ADR 0036).
    op.execute(
        f'CREATE POLICY {SOURCE_LOOKUP} ON "webhook_sources" FOR SELECT USING ({SOURCE_IS_NAMED})'
    )


def downgrade() -> None:
    op.execute(f'DROP POLICY IF EXISTS {SOURCE_LOOKUP} ON "webhook_sources"')
    for name in ("own_claims_insert", "own_claims_delete"):
        op.execute(f'DROP POLICY IF EXISTS {name} ON "webhook_routes"')
    for table in ("webhook_forwards", "webhook_routes", "webhook_inbox"):
        revoke_all(table)
        op.execute(f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"')
        op.drop_table(table)
