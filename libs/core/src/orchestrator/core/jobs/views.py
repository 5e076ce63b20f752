"""The API view of a job, shared by the APIs that show jobs (msgspec, no HTTP)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

from orchestrator.core.http.fields import NO_NUL, InstantText, parse_instant
from orchestrator.core.jobs.dead_queries import DeadFilter
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.jobs.replay import MAX_REPLAY_BATCH
from orchestrator.core.jobs.stored_values import job_output, job_payload

Status = Literal["queued", "running", "succeeded", "failed", "dead", "cancelled"]
CallbackState = Literal["pending", "delivered", "failed"]
AttemptOutcome = Literal["succeeded", "failed", "retryable", "lost"]


class JobOut(msgspec.Struct, frozen=True, kw_only=True):
    """A job and what its attempts produced so far."""

    id: uuid.UUID
    status: Status
    connector: str
    operation: str
    payload: Any
    attempts: int
    max_attempts: int
    available_at: dt.datetime
    """When the next attempt may start (for a queued job)."""
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    upstream_status: int | None
    output: Any
    error: str | None
    callback_url: str | None
    callback_state: CallbackState | None


def to_out(job: Job) -> JobOut:
    """The API view of a job."""
    return JobOut(
        id=job.id,
        status=job.status.value,
        connector=job.connector,
        operation=job.operation,
        payload=job.payload,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        available_at=job.available_at,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        upstream_status=job.upstream_status,
        output=job.output,
        error=job.last_error,
        callback_url=job.callback_url,
        callback_state=job.callback_state,  # type: ignore[arg-type]
    )


async def stored_out(job: Job) -> JobOut:
    """``to_out`` with a payload or output kept in the payload store read back (ADR 0089)."""
    out = to_out(job)
    if job.payload_ref is None and job.output_ref is None:
        return out
    return msgspec.structs.replace(
        out, payload=await job_payload(job), output=await job_output(job)
    )


class AttemptOut(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt of a job: when it ran, for how long, and how it ended."""

    attempt: int
    """Its number; numbers keep counting across replays from the DLQ."""
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: float | None
    """The upstream call's duration; null while it runs or when its worker was lost."""
    outcome: AttemptOutcome | None
    """Null while it runs. ``retryable``: failed, and retried if attempts remained;
    ``failed``: refused for good; ``lost``: its worker died (its lease ran out)."""
    upstream_status: int | None
    error: str | None


def attempt_out(run: JobRun) -> AttemptOut:
    """The API view of one attempt (its members are the row's, by name)."""
    return msgspec.convert(run, AttemptOut, from_attributes=True)


class DeadJobFilter(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which dead jobs of the workspace to act on; every member narrows the set."""

    connector: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)] | None = (
        None
    )
    operation: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)] | None = (
        None
    )
    dead_since: InstantText | None = None
    """Only jobs that went dead at or after this instant."""
    ids: (
        Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=MAX_REPLAY_BATCH)] | None
    ) = None
    """Only these jobs (one replayed from its own page, say)."""
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_REPLAY_BATCH)] = 100
    """The most jobs this call acts on, the oldest dead first; call again while the count
    it answers equals it."""

    def to_filter(self) -> DeadFilter:
        """The DLQ queries' filter; 400 for a ``dead_since`` that is not an RFC 3339 instant."""
        return DeadFilter(
            ids=self.ids,
            connector=self.connector,
            operation=self.operation,
            dead_since=parse_instant("dead_since", self.dead_since),
        )
