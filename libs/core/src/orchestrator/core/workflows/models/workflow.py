"""A tenant's workflow definitions and their runs (ADR 0050)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of, partial_index
from orchestrator.core.workflows.machine import RunStatus

RUN_STATUSES = tuple(status.value for status in RunStatus)


class Workflow(Base):
    """An ordered list of connector operations, each with an optional compensation."""

    __tablename__ = "workflows"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    name: Mapped[str] = mapped_column(String(100))
    steps: Mapped[Any] = mapped_column(JSONB)
    version: Mapped[int]
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()


class WorkflowRun(Base):
    """One run of a workflow, on the definition it had when the run started. Its status and
    current step move only by compare-and-set under the run's advisory lock."""

    __tablename__ = "workflow_runs"
    __table_args__ = (
        one_of("status", RUN_STATUSES),
        Index("ix_workflow_runs_tenant_id_created_at", "tenant_id", "created_at"),
        # The sweep's question per workspace: runs still moving.
        partial_index(
            "ix_workflow_runs_active", "tenant_id", where="status IN ('running', 'compensating')"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    workflow: Mapped[str] = mapped_column(String(100))
    definition: Mapped[Any] = mapped_column(JSONB)
    """``{"version": N, "steps": [...]}`` as the workflow was when the run started."""
    input: Mapped[Any] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(32))
    current_step: Mapped[int] = mapped_column(Integer)
    current_job_id: Mapped[uuid.UUID | None] = mapped_column()
    """The job the run waits for (a step's, or a compensation's); None once it is final."""
    outputs: Mapped[Any] = mapped_column(JSONB)
    """Per step name: ``{job_id, status, output, error, compensation?}``."""
    error: Mapped[str | None] = mapped_column(String(2000))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
