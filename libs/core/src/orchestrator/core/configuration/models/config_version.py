"""One immutable version of a tenant's config document."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import same_tenant_fk


class ConfigVersion(Base):
    """Insert-only for the runtime role."""

    __tablename__ = "config_versions"
    __table_args__ = (
        UniqueConstraint("config_id", "version"),
        same_tenant_fk("config_versions", "config_id", "configs", ondelete="CASCADE"),
        # A deletion of the workspace reads its rows by tenant a batch at a time (ADR 0100).
        Index("ix_config_versions_tenant_id", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    config_id: Mapped[uuid.UUID]
    version: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = server_now()
