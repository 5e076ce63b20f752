"""Webhook sources of three more providers: ``svix``, ``incident_io`` and ``coralogix``.

Revision ID: 2026_12_07_webhook_providers
Revises: 2026_12_07_job_payload_refs
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_07_webhook_providers"
down_revision: str | None = "2026_12_07_job_payload_refs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("stripe", "github", "slack", "pagerduty", "standard_webhooks", "shopify", "hmac")
AFTER = (
    "stripe",
    "github",
    "slack",
    "pagerduty",
    "standard_webhooks",
    "svix",
    "incident_io",
    "coralogix",
    "shopify",
    "hmac",
)


def _providers(names: Sequence[str]) -> None:
    op.drop_constraint("ck_webhook_sources_provider", "webhook_sources", type_="check")
    listed = ", ".join(f"'{name}'" for name in names)
    op.create_check_constraint(
        "ck_webhook_sources_provider", "webhook_sources", f"provider IN ({listed})"
    )


def upgrade() -> None:
    _providers(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM webhook_sources WHERE provider IN ('svix', 'incident_io', 'coralogix')")
    _providers(BEFORE)
