"""One immutable version of a tenant's config document."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class ConfigVersion(Base):
    """Insert-only for the runtime role."""

    __tablename__ = "config_versions"
    __table_args__ = (
        UniqueConstraint("config_id", "version"),
        ForeignKeyConstraint(
            ["tenant_id", "config_id"],
            ["configs.tenant_id", "configs.id"],
            name="fk_config_versions_config_id_configs",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    config_id: Mapped[uuid.UUID]
    version: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = server_now()
