"""Configuration plane: policies, connectors, secret refs and values, configs, tenant quotas.

Revision ID: 2026_11_25_configuration
Revises: 2026_11_23_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "2026_11_25_configuration"
down_revision: str | None = "2026_11_23_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
