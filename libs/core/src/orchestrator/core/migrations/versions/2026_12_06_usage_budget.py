"""A workspace's usage budget: how many upstream calls it may make in a calendar month.

Revision ID: 2026_12_06_usage_budget
Revises: 2026_11_26_inbox_retention
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_usage_budget"
down_revision: str | None = "2026_11_26_inbox_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "coalesce(rps, 1) >= 1 AND coalesce(concurrency, 1) >= 1 AND coalesce(queue_depth, 1) >= 1"


def upgrade() -> None:
    op.add_column("tenant_quotas", sa.Column("monthly_calls", sa.BigInteger(), nullable=True))
    op.drop_constraint("ck_tenant_quotas_positive", "tenant_quotas", type_="check")
    op.create_check_constraint(
        "ck_tenant_quotas_positive",
        "tenant_quotas",
        f"{_OLD} AND coalesce(monthly_calls, 1) >= 1",
    )


def downgrade() -> None:
    op.drop_constraint("ck_tenant_quotas_positive", "tenant_quotas", type_="check")
    op.drop_column("tenant_quotas", "monthly_calls")
    op.create_check_constraint("ck_tenant_quotas_positive", "tenant_quotas", _OLD)
