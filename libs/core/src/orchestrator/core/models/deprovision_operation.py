"""The durable record of one deprovisioning: a workspace's or an organization's deletion."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, uuid_pk
from orchestrator.core.db.constraints import one_of, partial_index

OPERATION_KINDS = ("workspace", "organization")
OPERATION_STATUSES = ("running", "succeeded")
"""A failing step is retried, never given up: a deletion is running until it succeeds."""


class DeprovisionOperation(Base):
    """A deletion saga keyed by its ``operation_id`` (ADR 0100), followed by its operator.

    A registry like ``organizations``: no RLS and no foreign key to what it deletes, so the
    record outlives the rows it deleted; every query names the organization. ``progress``
    holds, per step, what it did (rows deleted per table, identities revoked, objects
    deleted); ``lease_until`` is how long the worker running it holds it, so a worker that
    dies leaves it to another once the lease ends.
    """

    __tablename__ = "deprovision_operations"
    __table_args__ = (
        one_of("kind", OPERATION_KINDS),
        one_of("status", OPERATION_STATUSES),
        partial_index(
            "ix_deprovision_operations_running", "started_at", where="status = 'running'"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    operation_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[uuid.UUID] = mapped_column(index=True)
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
    """The organization's deletion this workspace's deletion is a step of."""
    status: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(64))
    force: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))
    progress: Mapped[dict[str, Any]] = mapped_column(JSONB)
    failure: Mapped[str | None] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(default=0)
    """How many times a worker took it up (more than one: it was resumed)."""
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    started_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
