"""The organization-wide index of routing claims: which source takes which value."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, tenant_id_column
from orchestrator.core.db.constraints import same_tenant_fk


class WebhookRoute(Base):
    """One claimed routing value of a source, unique within its organization.

    Derived from ``WebhookSource.routing`` and rewritten with it; every workspace of
    the organization can read the index (to route), each writes only its own claims.
    """

    __tablename__ = "webhook_routes"
    __table_args__ = (
        same_tenant_fk("webhook_routes", "source_id", "webhook_sources", ondelete="CASCADE"),
        Index("ix_webhook_routes_tenant_id_source_id", "tenant_id", "source_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    source_id: Mapped[uuid.UUID]
