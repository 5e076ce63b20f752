"""Append-only record of every mutating control-plane action."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now


class AuditLog(Base):
    """Who did what to which target, why, and what it looked like before and after."""

    __tablename__ = "audit_log"
    # ``GET /api/v1/audit`` reads a workspace's records newest first by (created_at, id).
    __table_args__ = (Index("ix_audit_log_tenant_id_created_at", "tenant_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="RESTRICT"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(String(1000))
    request_id: Mapped[str | None] = mapped_column(String(100))
    impersonation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = server_now()
