"""The append-only event log behind ``GET /api/v1/events`` and its SSE stream."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column

CURRENT_XID = text("(pg_current_xact_id()::text)::bigint")


class Event(Base):
    """One state change. Read in ``(xid, id)`` order below the snapshot's xmin.

    ``xid`` is the writing transaction's id: every row with an ``xid`` under the
    oldest running transaction's is final, so a cursor over ``(xid, id)`` never
    skips a row that commits late (docs/decisions.md, the event cursor ADR).
    """

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_log_tenant_id_xid_id", "tenant_id", "xid", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    xid: Mapped[int] = mapped_column(BigInteger, server_default=CURRENT_XID)
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    job_id: Mapped[uuid.UUID | None] = mapped_column()
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = server_now()
