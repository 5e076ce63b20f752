"""A platform operator: above every organization, it only creates organizations (ADR 0051)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class PlatformOperator(Base):
    """A platform-level control identity; a registry table (no tenant, no RLS), hash only."""

    __tablename__ = "platform_operators"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = server_now()
    disabled_at: Mapped[dt.datetime | None] = mapped_column()
