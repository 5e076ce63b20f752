"""Signing secrets rotate: a replaced secret keeps signing until ``expires_at``.

Revision ID: 2026_11_26_signing_rotation
Revises: 2026_11_25_webhook_inbox
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orchestrator.core.db.grants import app_role

revision: str = "2026_11_26_signing_rotation"
down_revision: str | None = "2026_11_25_webhook_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "workspace_secrets", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    # Only the end of a replaced secret changes; the sealed value never does.
    op.execute(f'GRANT UPDATE (expires_at) ON "workspace_secrets" TO "{app_role()}"')


def downgrade() -> None:
    op.execute(f'REVOKE UPDATE (expires_at) ON "workspace_secrets" FROM "{app_role()}"')
    op.drop_column("workspace_secrets", "expires_at")
