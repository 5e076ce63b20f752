"""One attempt of a job: every try is kept, so a dead job shows its whole history."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column


class JobRun(Base):
    """An attempt; ``outcome`` is null while it runs (or if its worker was lost)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job_id", "attempt"),
        # The workspace overview's recent attempts: a range of the latest starts. On
        # started_at, which is never updated, so finishing an attempt stays a HOT update.
        Index("ix_job_runs_tenant_id_started_at", "tenant_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = server_now()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(16))
    upstream_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(2000))
    duration_ms: Mapped[float | None] = mapped_column(Double)
