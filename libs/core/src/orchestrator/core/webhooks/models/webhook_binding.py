"""What an event of a webhook source starts: a connector job or a signed forward."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of, same_tenant_fk

BINDING_ACTIONS = ("job", "forward")


class WebhookBinding(Base):
    """``event_types`` filters the source's events (empty: every event).

    A ``job`` binding names a connector operation and maps event fields into its
    payload (``payload_mapping``: output field → JSON pointer; none: the whole event);
    a ``forward`` binding posts the event, signed, to ``forward_url``.
    """

    __tablename__ = "webhook_bindings"
    __table_args__ = (
        # Composite: a binding belongs only to a source of its own tenant.
        same_tenant_fk("webhook_bindings", "source_id", "webhook_sources", ondelete="CASCADE"),
        Index("ix_webhook_bindings_tenant_id_source_id", "tenant_id", "source_id"),
        one_of("action", BINDING_ACTIONS),
        CheckConstraint(
            "(action = 'job' AND connector IS NOT NULL AND operation IS NOT NULL "
            "AND forward_url IS NULL) OR (action = 'forward' AND forward_url IS NOT NULL "
            "AND connector IS NULL AND operation IS NULL AND payload_mapping IS NULL)",
            name="action_fields",
        ),
        CheckConstraint("jsonb_typeof(event_types) = 'array'", name="event_types_is_array"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    source_id: Mapped[uuid.UUID]
    event_types: Mapped[list[str]] = mapped_column(JSONB)
    action: Mapped[str] = mapped_column(String(16))
    connector: Mapped[str | None] = mapped_column(String(100))
    operation: Mapped[str | None] = mapped_column(String(200))
    payload_mapping: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    forward_url: Mapped[str | None] = mapped_column(String(2000))
    enabled: Mapped[bool]
    created_at: Mapped[dt.datetime] = server_now()
