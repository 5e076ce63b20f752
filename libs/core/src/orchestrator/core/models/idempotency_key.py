"""A stored ``Idempotency-Key``: in flight, then the first response, kept 24 hours."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column


class IdempotencyKey(Base):
    """Keyed by (tenant, key): the unique key is what makes concurrent requests safe."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "key"),
        CheckConstraint("state IN ('in_flight', 'completed')", name="state"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    """``in_flight`` until the response is stored, then ``completed``."""
    owner: Mapped[uuid.UUID] = mapped_column()
    """A token of the request holding the key, so only it completes or releases it."""
    locked_until: Mapped[dt.datetime] = mapped_column()
    """An in-flight key whose request died is taken over after this."""
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = server_now()
    expires_at: Mapped[dt.datetime] = mapped_column()
