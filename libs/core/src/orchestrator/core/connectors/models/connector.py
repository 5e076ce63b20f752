"""A tenant's configured use of a connector type, bound to a policy and secret refs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import same_tenant_fk


class Connector(Base):
    """``secrets`` maps each secret the type needs to the name of a secret ref."""

    __tablename__ = "connectors"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Composite: a connector names only a policy of its own tenant.
        same_tenant_fk("connectors", "policy_id", "policies"),
        Index("ix_connectors_tenant_id_policy_id", "tenant_id", "policy_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(100))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB)
    policy_id: Mapped[uuid.UUID | None]
    secrets: Mapped[dict[str, str]] = mapped_column(JSONB)
    enabled: Mapped[bool]
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
