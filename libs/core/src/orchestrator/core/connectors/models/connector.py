"""A tenant's configured use of a connector type, bound to a policy and secret refs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class Connector(Base):
    """``secrets`` maps each secret the type needs to the name of a secret ref."""

    __tablename__ = "connectors"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Composite: a connector names only a policy of its own tenant.
        ForeignKeyConstraint(
            ["tenant_id", "policy_id"],
            ["policies.tenant_id", "policies.id"],
            name="fk_connectors_policy_id_policies",
        ),
        Index("ix_connectors_tenant_id_policy_id", "tenant_id", "policy_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(100))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB)
    policy_id: Mapped[uuid.UUID | None]
    secrets: Mapped[dict[str, str]] = mapped_column(JSONB)
    enabled: Mapped[bool]
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
