"""Business rules of finishing attempts: where each job goes next, and recording it.

Deciding the end of an attempt is pure (``attempt_end``), so the state machine's rules
can be tested without a database; recording a whole batch of ends is then one statement
(in the caller's transaction, which it never commits, or on the worker's autocommit
connection, ``attempt_writer.py``), and an attempt that lost its job to another worker
changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.connectors.public import AttemptResult
from orchestrator.core.db.autocommit import driver_connection
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs.claim_queries import ClaimedJob
from orchestrator.core.jobs.finish_queries import AttemptEnd, Finished, finish_attempts
from orchestrator.core.jobs.notices import tell_events
from orchestrator.core.jobs.states import JobStatus, after_attempt, event_for
from orchestrator.core.outbox.kinds import DELIVER_CALLBACK, RUN_JOB
from orchestrator.core.payloads.store import StoredPayload


def _event_data(
    job: ClaimedJob, result: AttemptResult, status: JobStatus, delay_s: float
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "attempt": job.attempt,
        "upstream_status": result.upstream_status,
        "duration_ms": result.duration_ms,
    }
    if status is not JobStatus.SUCCEEDED:
        data["error"] = result.error
    if status is JobStatus.QUEUED:
        data["delay_s"] = delay_s
    if status is JobStatus.DEAD:
        data["attempts"] = job.attempt
    return data


@dataclass(frozen=True, slots=True)
class Attempted:
    """A claimed job and what its attempt produced.

    ``retry_delay_s`` is the retry policy's delay before the next attempt (already
    honouring ``Retry-After``), or None when no further attempt is allowed.
    """

    job: ClaimedJob
    result: AttemptResult
    retry_delay_s: float | None
    stored_output: StoredPayload | None = None
    """The result's output in the payload store (``result.output`` is then ``None``)."""


def attempt_end(attempted: Attempted) -> AttemptEnd:
    """Where the job goes after its attempt, and what is recorded (pure)."""
    job, result = attempted.job, attempted.result
    status = after_attempt(
        result.outcome,
        attempt=job.attempt,
        max_attempts=job.max_attempts,
        retry_delay_s=attempted.retry_delay_s,
    )
    delay_s = max(attempted.retry_delay_s or 0.0, 0.0)
    return AttemptEnd(
        job_id=job.id,
        attempt=job.attempt,
        status=status,
        outcome=result.outcome,
        event_type=event_for(JobStatus.RUNNING, status),
        event_data=_event_data(job, result, status, delay_s),
        delay_s=delay_s,
        output=None if attempted.stored_output else result.output,
        stored_output=attempted.stored_output,
        upstream_status=result.upstream_status,
        error=result.error,
        duration_ms=result.duration_ms,
        box_kind=RUN_JOB if status is JobStatus.QUEUED else DELIVER_CALLBACK,
    )


async def finish(
    session: AsyncSession,
    notifier: Notifier,
    job: ClaimedJob,
    result: AttemptResult,
    retry_delay_s: float | None,
) -> Finished | None:
    """``finish_batch`` for one attempt."""
    done = await finish_batch(
        session, notifier, job.tenant_id, [Attempted(job, result, retry_delay_s)]
    )
    return done.get(job.id)


async def finish_batch(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    attempts: Sequence[Attempted],
) -> dict[uuid.UUID, Finished]:
    """Record the attempts' results: running → succeeded | failed | dead, or back to queued.

    A retry writes a ``run_job`` due after its delay; a finished job with a callback URL
    writes its ``deliver_callback``. An attempt that no longer holds its job (its lease
    ran out and another worker took it over) changes nothing and is left out of the answer.
    """
    connection = await driver_connection(session)
    finished = await finish_attempts(connection, tenant_id, [attempt_end(a) for a in attempts])
    if finished:
        tell_events(session, notifier, tenant_id)
    if any(f.outbox_written for f in finished.values()):
        after_commit(session, notifier.outbox_written)
    return finished
