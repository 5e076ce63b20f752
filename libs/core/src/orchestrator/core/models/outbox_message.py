"""A message waiting to be published to the broker, written in the transaction that caused it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Identity, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now
from orchestrator.core.db.constraints import partial_index


class OutboxMessage(Base):
    """One broker message; ids only in ``payload``. A system queue, not a tenant table.

    The relay reads every workspace's messages, so the table carries ``workspace_id``
    (not ``tenant_id``) and sits outside row-level security, like the identity
    registries (docs/decisions.md): it holds ids and nothing a tenant wrote.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        partial_index("ix_outbox_unpublished", "available_at", "id", where="published_at IS NULL"),
        partial_index("ix_outbox_published_at", "published_at", where="published_at IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    available_at: Mapped[dt.datetime] = server_now()
    published_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = server_now()
