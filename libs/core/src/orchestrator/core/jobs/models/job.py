"""An asynchronous call of one connector operation, run by the worker."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Enum, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from orchestrator.core.db.base import Base, server_now, tenant_id_column, uuid_pk
from orchestrator.core.db.constraints import one_of, partial_index, stored_payload
from orchestrator.core.jobs.states import JobStatus

JOB_STATUSES = tuple(status.value for status in JobStatus)
CALLBACK_STATES = ("pending", "delivered", "failed")


class Job(Base):
    """One job; its status only changes by compare-and-set (see ``jobs/states.py``)."""

    __tablename__ = "jobs"
    __table_args__ = (
        one_of("status", JOB_STATUSES),
        one_of("callback_state", CALLBACK_STATES),
        *stored_payload("payload_ref", empty="payload = 'null'::jsonb"),
        *stored_payload("output_ref", empty="output IS NULL"),
        # Listing by status with a (created_at, id) cursor; also counts the queue depth.
        Index("ix_jobs_tenant_id_status_created_at", "tenant_id", "status", "created_at", "id"),
        Index("ix_jobs_tenant_id_created_at", "tenant_id", "created_at", "id"),
        # The safety-net sweep: queued jobs overdue, running jobs whose lease ran out.
        partial_index("ix_jobs_due", "tenant_id", "available_at", where="status = 'queued'"),
        partial_index(
            "ix_jobs_lease_until", "tenant_id", "lease_until", where="status = 'running'"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_id_column()
    connector: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JSONB)
    """The payload inline; JSON ``null`` when ``payload_ref`` names it in the payload store."""
    payload_ref: Mapped[str | None] = mapped_column(String(1024))
    """The payload store's key of a payload past ``ORCH_PAYLOAD_THRESHOLD_BYTES`` (ADR 0089)."""
    payload_ref_sha256: Mapped[str | None] = mapped_column(String(64))
    payload_ref_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[JobStatus] = mapped_column(
        Enum(
            JobStatus,
            name="job_status",
            native_enum=False,
            length=16,
            values_callable=lambda enum: [member.value for member in enum],
        )
    )
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    max_attempts: Mapped[int] = mapped_column(Integer)
    # Attempts made before the latest replay from the DLQ: the retry policy counts the
    # current run's attempts from here, while attempt numbers (and job_runs) keep counting.
    attempts_before_replay: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    traceparent: Mapped[str | None] = mapped_column(String(55))
    """The W3C trace context of the request that made this row: the worker continues its trace."""
    available_at: Mapped[dt.datetime] = mapped_column()
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    callback_url: Mapped[str | None] = mapped_column(String(2048))
    callback_state: Mapped[str | None] = mapped_column(String(16))
    callback_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(String(2000))
    output: Mapped[Any | None] = mapped_column(JSONB)
    """The last attempt's output inline; NULL when ``output_ref`` names it in the store."""
    output_ref: Mapped[str | None] = mapped_column(String(1024))
    output_ref_sha256: Mapped[str | None] = mapped_column(String(64))
    output_ref_size: Mapped[int | None] = mapped_column(Integer)
    upstream_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = server_now()
    updated_at: Mapped[dt.datetime] = server_now()
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    # A workflow step's job: reaching a final status writes the run's advance_workflow
    # outbox row in the same statement (a trigger, ADR 0050). No foreign key: finished jobs
    # are purged on their own schedule and runs keep their job ids.
    workflow_run_id: Mapped[uuid.UUID | None] = mapped_column()
    workflow_step: Mapped[str | None] = mapped_column(String(120))
