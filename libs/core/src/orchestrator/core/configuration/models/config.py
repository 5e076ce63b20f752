"""A named JSON document of a tenant: a pointer to its active immutable version."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk


class Config(Base):
    """Activation and rollback move ``active_version``; versions never change."""

    __tablename__ = "configs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("active_version BETWEEN 1 AND latest_version", name="active_is_a_version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    active_version: Mapped[int]
    latest_version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
