"""A guest's tokens are refreshed until a cap fixed at the redeem (ADR 0108).

Revision ID: 2026_12_08_guest_refresh
Revises: 2026_12_07_channels
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_08_guest_refresh"
down_revision: str | None = "2026_12_07_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: PostgreSQL adds it without rewriting the table. Invites
    # redeemed before it have none, and their tokens are not refreshed (as promised then).
    op.add_column(
        "channel_invites",
        sa.Column("session_ends_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("channel_invites", "session_ends_at")
