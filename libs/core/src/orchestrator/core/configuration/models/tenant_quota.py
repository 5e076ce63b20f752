"""A workspace's limits: requests per second, concurrency, queue depth, monthly calls and how
long its history is kept."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now


class TenantQuotaRow(Base):
    """One row per workspace (none means unlimited); ``NULL`` limits are unlimited."""

    __tablename__ = "tenant_quotas"
    __table_args__ = (
        CheckConstraint(
            "coalesce(rps, 1) >= 1 AND coalesce(concurrency, 1) >= 1 "
            "AND coalesce(queue_depth, 1) >= 1 AND coalesce(monthly_calls, 1) >= 1 "
            "AND coalesce(events_keep_days, 1) >= 1 "
            "AND coalesce(finished_jobs_keep_days, 1) >= 1 "
            "AND coalesce(webhook_inbox_keep_days, 1) >= 1 "
            "AND coalesce(versions_keep, 1) >= 1 AND coalesce(versions_keep_days, 1) >= 1",
            name="positive",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    rps: Mapped[int | None]
    concurrency: Mapped[int | None]
    queue_depth: Mapped[int | None]
    monthly_calls: Mapped[int | None] = mapped_column(BigInteger)
    events_keep_days: Mapped[int | None]
    finished_jobs_keep_days: Mapped[int | None]
    webhook_inbox_keep_days: Mapped[int | None]
    versions_keep: Mapped[int | None]
    versions_keep_days: Mapped[int | None]
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
