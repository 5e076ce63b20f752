"""Where a tenant's secret lives; a ``db://`` ref holds its value here, sealed."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk


class SecretRef(Base):
    """``ref`` is ``env://NAME``, ``db://`` or ``vault://path#field``.

    ``sealed_value`` is an AES-GCM envelope (``crypto.envelope``) bound to the
    tenant and the row id; it is write-only through the API.
    """

    __tablename__ = "secret_refs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("sealed_value IS NULL OR ref = 'db://'", name="value_only_for_db"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    ref: Mapped[str] = mapped_column(String(500))
    # none_as_null: None is SQL NULL (no value), never the JSON value null.
    sealed_value: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
