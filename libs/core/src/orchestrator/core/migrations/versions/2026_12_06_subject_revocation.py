"""Subject-level revocation: ``revoked_subjects``, next to the ``jti`` denylist.

A platform table like ``revoked_tokens`` (no ``tenant_id``, no RLS): every verifier
reads all of it. The runtime role upserts rows (``INSERT … ON CONFLICT DO UPDATE``
needs ``UPDATE``) and retention deletes expired ones.

Revision ID: 2026_12_06_subject_revocation
Revises: 2026_12_06_usage_budget
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from orchestrator.core.db.grants import grant, revoke_all

revision: str = "2026_12_06_subject_revocation"
down_revision: str | None = "2026_12_06_usage_budget"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "revoked_subjects",
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("revoked_before", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.PrimaryKeyConstraint("subject", name="pk_revoked_subjects"),
    )
    op.create_index("ix_revoked_subjects_expires_at", "revoked_subjects", ["expires_at"])
    grant("revoked_subjects", "SELECT, INSERT, UPDATE, DELETE")


def downgrade() -> None:
    revoke_all("revoked_subjects")
    op.drop_table("revoked_subjects")
