"""A tenant's webhook endpoint: the provider, its signing secrets and what it routes on."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of
from orchestrator.core.webhooks.providers import GENERIC, PROVIDER_NAMES

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class WebhookSource(Base):
    """Deliveries arrive at ``/webhooks/{id}``.

    ``secret_refs`` names the secret refs whose values sign them (several during a
    rotation); ``options`` holds the ``GenericHmacOptions`` of an ``hmac`` source;
    ``routing`` maps a routing key name to the values this workspace claims.
    """

    __tablename__ = "webhook_sources"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # Target of the bindings' composite foreign key (same-tenant sources only).
        UniqueConstraint("tenant_id", "id"),
        one_of("provider", PROVIDER_NAMES),
        CheckConstraint(
            "jsonb_typeof(secret_refs) = 'array' AND jsonb_array_length(secret_refs) >= 1",
            name="has_secret_refs",
        ),
        CheckConstraint(
            f"(provider = '{GENERIC}') = (options IS NOT NULL)", name="options_only_for_hmac"
        ),
        CheckConstraint("jsonb_typeof(routing) = 'object'", name="routing_is_object"),
        CheckConstraint(
            "coalesce(rate_limit_per_s, 1) >= 1 AND max_body_bytes >= 1", name="positive_limits"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(32))
    secret_refs: Mapped[list[str]] = mapped_column(JSONB)
    # none_as_null: None is SQL NULL (no options), never the JSON value null.
    options: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    routing: Mapped[dict[str, list[str]]] = mapped_column(JSONB)
    rate_limit_per_s: Mapped[int | None]
    max_body_bytes: Mapped[int] = mapped_column(server_default=text(str(DEFAULT_MAX_BODY_BYTES)))
    enabled: Mapped[bool]
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
