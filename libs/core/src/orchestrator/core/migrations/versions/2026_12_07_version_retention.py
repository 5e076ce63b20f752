"""A workspace's retention of its configuration versions: how many of the newest are always
kept, and for how many days the older ones are (ADR 0077).

Revision ID: 2026_12_07_version_retention
Revises: 2026_12_07_workspace_versions
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_version_retention"
down_revision: str | None = "2026_12_07_workspace_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("versions_keep", "versions_keep_days")
_BEFORE = (
    "coalesce(rps, 1) >= 1 AND coalesce(concurrency, 1) >= 1 AND coalesce(queue_depth, 1) >= 1 "
    "AND coalesce(monthly_calls, 1) >= 1 AND coalesce(events_keep_days, 1) >= 1 "
    "AND coalesce(finished_jobs_keep_days, 1) >= 1 AND coalesce(webhook_inbox_keep_days, 1) >= 1"
)


def _positive(condition: str) -> None:
    op.drop_constraint("ck_tenant_quotas_positive", "tenant_quotas", type_="check")
    op.create_check_constraint("ck_tenant_quotas_positive", "tenant_quotas", condition)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("tenant_quotas", sa.Column(column, sa.Integer(), nullable=True))
    _positive(_BEFORE + "".join(f" AND coalesce({c}, 1) >= 1" for c in COLUMNS))


def downgrade() -> None:
    _positive(_BEFORE)
    for column in reversed(COLUMNS):
        op.drop_column("tenant_quotas", column)
