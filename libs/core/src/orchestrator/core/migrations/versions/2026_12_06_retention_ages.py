"""Retention ages per workspace: how many days its events, finished jobs and webhook inbox
are kept, overriding the deployment's defaults.

Revision ID: 2026_12_06_retention_ages
Revises: 2026_12_06_schedules
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_retention_ages"
down_revision: str | None = "2026_12_06_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("events_keep_days", "finished_jobs_keep_days", "webhook_inbox_keep_days")
_LIMITS = (
    "coalesce(rps, 1) >= 1 AND coalesce(concurrency, 1) >= 1 AND coalesce(queue_depth, 1) >= 1 "
    "AND coalesce(monthly_calls, 1) >= 1"
)


def _positive(condition: str) -> None:
    op.drop_constraint("ck_tenant_quotas_positive", "tenant_quotas", type_="check")
    op.create_check_constraint("ck_tenant_quotas_positive", "tenant_quotas", condition)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("tenant_quotas", sa.Column(column, sa.Integer(), nullable=True))
    _positive(_LIMITS + "".join(f" AND coalesce({c}, 1) >= 1" for c in COLUMNS))


def downgrade() -> None:
    _positive(_LIMITS)
    for column in reversed(COLUMNS):
        op.drop_column("tenant_quotas", column)
