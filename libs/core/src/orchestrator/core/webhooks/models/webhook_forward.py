"""A routed event's signed POST to a product backend, tried until delivered or failed."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of, stored_payload
from orchestrator.core.webhooks.models.stored_body import StoredBody

FORWARD_STATES = ("pending", "delivered", "failed")


class WebhookForward(StoredBody, Base):
    """One forward binding's delivery of one inbox event (unique on both).

    It belongs to the workspace the event was routed to and carries its own copy of
    the body: the inbox row may belong to another workspace of the organization.
    """

    __tablename__ = "webhook_forwards"
    __table_args__ = (
        UniqueConstraint("binding_id", "inbox_id"),
        one_of("state", FORWARD_STATES),
        *stored_payload("body_ref", empty="octet_length(body) = 0"),
        # A deletion of the workspace reads its rows by tenant a batch at a time (ADR 0100).
        Index("ix_webhook_forwards_tenant_id", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    binding_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_bindings.id", ondelete="CASCADE")
    )
    inbox_id: Mapped[uuid.UUID]
    url: Mapped[str] = mapped_column(String(2000))
    event_type: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = server_now()
    finished_at: Mapped[dt.datetime | None]
