"""A workspace's signing secret for outgoing webhooks, envelope-encrypted at rest."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk


class WorkspaceSecret(Base):
    """Provisioned by the workspace saga, rotated by operators; signs callbacks and forwards
    (Standard Webhooks)."""

    __tablename__ = "workspace_secrets"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[dict[str, str]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = server_now()
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when a newer secret replaced this one: it signs, beside it, until then."""
