"""Schedules that start a workflow run: ``schedules.workflow`` names a workflow of the
workspace, and a schedule names exactly one target (``connector`` + ``operation``, or
``workflow``), which a check constraint holds (ADR 0048, addendum).

Revision ID: 2026_12_06_schedule_workflows
Revises: 2026_12_06_workflows
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_06_schedule_workflows"
down_revision: str | None = "2026_12_06_workflows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_schedules_one_target"
ONE_TARGET = (
    "(workflow IS NULL AND connector IS NOT NULL AND operation IS NOT NULL) "
    "OR (workflow IS NOT NULL AND connector IS NULL AND operation IS NULL)"
)


def upgrade() -> None:
    op.add_column("schedules", sa.Column("workflow", sa.String(100), nullable=True))
    op.alter_column("schedules", "connector", existing_type=sa.String(100), nullable=True)
    op.alter_column("schedules", "operation", existing_type=sa.String(200), nullable=True)
    op.create_check_constraint(CHECK, "schedules", ONE_TARGET)


def downgrade() -> None:
    # The old schema cannot say "start a workflow": such schedules go with the column. RLS
    # is forced on the table, so the owner sees every workspace's rows only without FORCE.
    op.execute("ALTER TABLE schedules NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM schedules WHERE workflow IS NOT NULL")
    op.execute("ALTER TABLE schedules FORCE ROW LEVEL SECURITY")
    op.drop_constraint(CHECK, "schedules", type_="check")
    op.alter_column("schedules", "operation", existing_type=sa.String(200), nullable=False)
    op.alter_column("schedules", "connector", existing_type=sa.String(100), nullable=False)
    op.drop_column("schedules", "workflow")
