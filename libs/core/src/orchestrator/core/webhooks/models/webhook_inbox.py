"""A verified provider delivery, kept until (and after) the worker routes it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of, same_tenant_fk, stored_payload
from orchestrator.core.webhooks.models.stored_body import StoredBody

INBOX_STATUSES = ("received", "routed", "unrouted", "ignored", "failed")
"""``received``: stored, not yet routed; ``routed``: its bindings were started;
``unrouted``: no workspace claims its routing keys; ``ignored``: routed, but no
binding takes its event type; ``failed``: routing itself failed for good."""


class WebhookInboxEntry(StoredBody, Base):
    """One delivery of a source, unique on the provider's dedupe id.

    It belongs to the source's workspace; ``routed_tenant_id``/``routed_source_id``
    name where the worker routed it (possibly a sibling workspace's source).
    """

    __tablename__ = "webhook_inbox"
    __table_args__ = (
        same_tenant_fk("webhook_inbox", "source_id", "webhook_sources", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "source_id", "dedupe_id"),
        one_of("status", INBOX_STATUSES),
        *stored_payload("body_ref", empty="octet_length(body) = 0"),
        Index("ix_webhook_inbox_tenant_id_status", "tenant_id", "status", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    source_id: Mapped[uuid.UUID]
    provider: Mapped[str] = mapped_column(String(32))
    dedupe_id: Mapped[str] = mapped_column(String(300))
    event_type: Mapped[str | None] = mapped_column(String(200))
    routing: Mapped[dict[str, str]] = mapped_column(JSONB)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), server_default="received")
    routed_tenant_id: Mapped[uuid.UUID | None]
    routed_source_id: Mapped[uuid.UUID | None]
    actions: Mapped[int] = mapped_column(server_default=text("0"))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = server_now()
    processed_at: Mapped[dt.datetime | None]
    traceparent: Mapped[str | None] = mapped_column(String(55))
    """The W3C trace context of the request that made this row: the worker continues its trace."""
