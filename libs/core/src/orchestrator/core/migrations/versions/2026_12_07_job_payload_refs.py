"""Job payloads and outputs past the payload threshold live in the payload store: the job
row keeps each one's key, SHA-256 and size (ADR 0089).

Revision ID: 2026_12_07_job_payload_refs
Revises: 2026_12_07_payload_refs
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_job_payload_refs"
down_revision: str | None = "2026_12_07_payload_refs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY = {"payload_ref": "payload = 'null'::jsonb", "output_ref": "output IS NULL"}


def upgrade() -> None:
    for ref, empty in EMPTY.items():
        op.add_column("jobs", sa.Column(ref, sa.String(1024), nullable=True))
        op.add_column("jobs", sa.Column(f"{ref}_sha256", sa.String(64), nullable=True))
        op.add_column("jobs", sa.Column(f"{ref}_size", sa.Integer(), nullable=True))
        op.create_check_constraint(
            f"ck_jobs_{ref}_complete",
            "jobs",
            f"({ref} IS NULL) = ({ref}_sha256 IS NULL) AND ({ref} IS NULL) = ({ref}_size IS NULL)",
        )
        op.create_check_constraint(f"ck_jobs_{ref}_not_inline", "jobs", f"{ref} IS NULL OR {empty}")


def downgrade() -> None:
    for ref in EMPTY:
        op.drop_constraint(f"ck_jobs_{ref}_not_inline", "jobs", type_="check")
        op.drop_constraint(f"ck_jobs_{ref}_complete", "jobs", type_="check")
        for column in (f"{ref}_size", f"{ref}_sha256", ref):
            op.drop_column("jobs", column)
