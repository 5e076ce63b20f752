"""Webhook bodies past the payload threshold live in the payload store: the inbox and
forward rows keep the object's key, its plaintext's SHA-256 and its size (ADR 0089).

Revision ID: 2026_12_07_payload_refs
Revises: 2026_12_07_workspace_drafts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_payload_refs"
down_revision: str | None = "2026_12_07_workspace_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_inbox", "webhook_forwards")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("body_ref", sa.String(1024), nullable=True))
        op.add_column(table, sa.Column("body_ref_sha256", sa.String(64), nullable=True))
        op.add_column(table, sa.Column("body_ref_size", sa.Integer(), nullable=True))
        op.create_check_constraint(
            f"ck_{table}_body_ref_complete",
            table,
            "(body_ref IS NULL) = (body_ref_sha256 IS NULL) "
            "AND (body_ref IS NULL) = (body_ref_size IS NULL)",
        )
        op.create_check_constraint(
            f"ck_{table}_body_ref_not_inline", table, "body_ref IS NULL OR octet_length(body) = 0"
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_constraint(f"ck_{table}_body_ref_not_inline", table, type_="check")
        op.drop_constraint(f"ck_{table}_body_ref_complete", table, type_="check")
        op.drop_column(table, "body_ref_size")
        op.drop_column(table, "body_ref_sha256")
        op.drop_column(table, "body_ref")
