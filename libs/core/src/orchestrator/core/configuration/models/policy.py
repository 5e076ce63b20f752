"""A named, versioned policy of a tenant (timeouts, retries, breaker, rate limit)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk


class Policy(Base):
    """``spec`` holds a normalised ``orchestrator.core.policy.model.PolicySpec``."""

    __tablename__ = "policies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Target of the connectors' composite foreign key (same-tenant policies only).
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
