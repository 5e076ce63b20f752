"""A tenant's cron schedule: a job to submit, or a workflow run to start, at every time its
expression names."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import partial_index


class Schedule(Base):
    """``next_run_at`` is the next fire time (UTC); the scheduler fires rows whose time has
    come and moves it on in the same transaction (``schedules/firing.py``)."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # The scheduler's question per workspace: enabled schedules due by now.
        partial_index("ix_schedules_due", "tenant_id", "next_run_at", where="enabled"),
        # Exactly one target: a job (connector + operation) or a workflow run.
        CheckConstraint(
            "(workflow IS NULL AND connector IS NOT NULL AND operation IS NOT NULL) "
            "OR (workflow IS NOT NULL AND connector IS NULL AND operation IS NULL)",
            name="one_target",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    connector: Mapped[str | None] = mapped_column(String(100))
    operation: Mapped[str | None] = mapped_column(String(200))
    workflow: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[Any] = mapped_column(JSONB)  # the job's payload, or the run's input
    callback_url: Mapped[str | None] = mapped_column(String(2048))
    enabled: Mapped[bool]
    next_run_at: Mapped[dt.datetime]
    last_fired_at: Mapped[dt.datetime | None]
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()


class ScheduleWakeup(Base):
    """When an enabled schedule fires next, readable across workspaces by the scheduler's
    scan (``app.schedule_scan``) so it visits only workspaces with something due. Kept by
    a trigger on ``schedules``; never written by the application."""

    __tablename__ = "schedule_wakeups"

    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    next_run_at: Mapped[dt.datetime] = mapped_column(index=True)
