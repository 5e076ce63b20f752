"""The end of an attempt: its job's next status, run, event and outbox row, by compare-and-set.

Finishing is the worker's other hot statement: one data-modifying CTE changes a whole
batch of jobs, closes their runs, appends the events and writes the retries' and
callbacks' outbox rows in one round trip. Burying a lost worker's last attempt is the
same end reached without a result, in the caller's session.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.autocommit import Connection
from orchestrator.core.db.tenant import scoped_rows
from orchestrator.core.jobs.column_values import clip, json_text
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.payloads.store import StoredPayload

# One row per finished attempt comes in as parallel arrays (unnest), so a batch of
# attempts is one statement whatever its size.
_FINISH = """
    WITH input AS (
        SELECT * FROM unnest(
            CAST(%(job_ids)s AS uuid[]), CAST(%(attempts)s AS int[]), CAST(%(statuses)s AS text[]),
            CAST(%(terminals)s AS boolean[]), CAST(%(delays)s AS float8[]), CAST(%(outputs)s AS text[]),
            CAST(%(upstream_statuses)s AS int[]), CAST(%(errors)s AS text[]),
            CAST(%(outcomes)s AS text[]), CAST(%(durations)s AS float8[]),
            CAST(%(event_types)s AS text[]), CAST(%(event_data)s AS text[]), CAST(%(box_kinds)s AS text[]),
            CAST(%(output_refs)s AS text[]), CAST(%(output_sha256s)s AS text[]),
            CAST(%(output_sizes)s AS int[])
        ) AS i(job_id, attempt, status, terminal, delay_s, output, upstream_status, error,
               outcome, duration_ms, event_type, event_data, box_kind, output_ref,
               output_ref_sha256, output_ref_size)
    ), done AS (
        UPDATE jobs SET
            status = i.status,
            lease_until = NULL,
            updated_at = now(),
            finished_at = CASE WHEN i.terminal THEN now() END,
            available_at = CASE WHEN i.terminal THEN jobs.available_at
                                ELSE now() + make_interval(secs => i.delay_s) END,
            output = CAST(i.output AS jsonb),
            output_ref = i.output_ref,
            output_ref_sha256 = i.output_ref_sha256,
            output_ref_size = i.output_ref_size,
            upstream_status = i.upstream_status,
            last_error = i.error,
            callback_state = CASE WHEN i.terminal AND jobs.callback_url IS NOT NULL
                                  THEN 'pending' ELSE jobs.callback_state END
        FROM input i
        WHERE jobs.id = i.job_id AND jobs.status = 'running' AND jobs.attempts = i.attempt
        RETURNING jobs.id, jobs.tenant_id, jobs.status, jobs.available_at, jobs.callback_url,
                  jobs.workflow_run_id, i.attempt, i.terminal, i.outcome, i.upstream_status,
                  i.error, i.duration_ms, i.event_type, i.event_data, i.box_kind
    ), run AS (
        UPDATE job_runs SET finished_at = now(), outcome = done.outcome,
                            upstream_status = done.upstream_status, error = done.error,
                            duration_ms = done.duration_ms
        FROM done
        WHERE job_runs.job_id = ANY(ARRAY(SELECT id FROM done))
          AND job_runs.job_id = done.id AND job_runs.attempt = done.attempt
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, event_type,
               CAST(event_data AS jsonb) || CASE WHEN terminal THEN '{}'::jsonb
                   ELSE jsonb_build_object('available_at', available_at) END
        FROM done ORDER BY id
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload, available_at)
        SELECT tenant_id, box_kind,
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text),
               available_at
        FROM done
        WHERE CASE WHEN terminal THEN callback_url IS NOT NULL ELSE true END
        RETURNING payload
    )
    -- A workflow step's end also has an outbox row: the advance its trigger wrote.
    SELECT done.id, done.status,
           done.id::text IN (SELECT payload->>'job_id' FROM box)
               OR (done.terminal AND done.workflow_run_id IS NOT NULL) AS boxed
    FROM done
    """


@dataclass(frozen=True, slots=True)
class Finished:
    """What ``finish_attempts`` did to one job."""

    status: JobStatus
    outbox_written: bool


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """How one attempt ends: the job's next status and what to record."""

    job_id: uuid.UUID
    attempt: int
    status: JobStatus
    outcome: str
    event_type: str
    event_data: dict[str, Any]
    delay_s: float
    output: Any
    upstream_status: int | None
    error: str | None
    duration_ms: float
    box_kind: str
    """The outbox row to write: the retry's ``run_job``, or ``deliver_callback`` when the
    job is terminal and has a callback URL."""
    stored_output: StoredPayload | None = None
    """The output in the payload store (``output`` is then ``None``), ADR 0089."""


async def finish_attempts(
    connection: Connection, tenant_id: uuid.UUID, ends: Sequence[AttemptEnd]
) -> dict[uuid.UUID, Finished]:
    """CAS running (this attempt) → each end's status, in one statement scoped to
    ``tenant_id``: closes the runs, appends the events and writes the outbox rows. Jobs
    whose attempt no longer holds them (a lease taken over) are left out of the answer,
    and unchanged."""
    if not ends:
        return {}
    rows = await scoped_rows(
        connection,
        tenant_id,
        _FINISH,
        {
            "job_ids": [e.job_id for e in ends],
            "attempts": [e.attempt for e in ends],
            "statuses": [e.status.value for e in ends],
            "terminals": [e.status is not JobStatus.QUEUED for e in ends],
            "delays": [float(e.delay_s) for e in ends],
            "outputs": [json_text(e.output) for e in ends],
            "upstream_statuses": [e.upstream_status for e in ends],
            "errors": [clip(e.error) for e in ends],
            "outcomes": [e.outcome for e in ends],
            "durations": [float(e.duration_ms) for e in ends],
            "event_types": [e.event_type for e in ends],
            "event_data": [json_text(e.event_data) for e in ends],
            "box_kinds": [e.box_kind for e in ends],
            "output_refs": [e.stored_output.ref if e.stored_output else None for e in ends],
            "output_sha256s": [e.stored_output.sha256 if e.stored_output else None for e in ends],
            "output_sizes": [e.stored_output.size if e.stored_output else None for e in ends],
        },
    )
    return {
        row["id"]: Finished(status=JobStatus(row["status"]), outbox_written=bool(row["boxed"]))
        for row in rows
    }


_BURY_LOST = text(
    """
    WITH done AS (
        UPDATE jobs SET status = 'dead', lease_until = NULL, updated_at = now(),
            finished_at = now(), last_error = :error,
            callback_state = CASE WHEN callback_url IS NOT NULL THEN 'pending' END
        WHERE id = :job_id AND status = 'running' AND lease_until < now()
          AND attempts >= max_attempts
        RETURNING id, tenant_id, attempts, callback_url
    ), lost AS (
        UPDATE job_runs SET finished_at = now(), outcome = 'lost', error = :error
        WHERE job_id = :job_id AND finished_at IS NULL AND EXISTS (SELECT 1 FROM done)
    ), event AS (
        INSERT INTO event_log (tenant_id, job_id, type, data)
        SELECT tenant_id, id, 'job.dead', jsonb_build_object('attempts', attempts, 'error', :error)
        FROM done
    ), box AS (
        INSERT INTO outbox (workspace_id, kind, payload)
        SELECT tenant_id, 'deliver_callback',
               jsonb_build_object('tenant_id', tenant_id::text, 'job_id', id::text)
        FROM done WHERE callback_url IS NOT NULL
        RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM box) AS boxed FROM done
    """
)


LOST_LAST_ATTEMPT = "lease expired: the worker running the last attempt was lost"


async def bury_lost(session: AsyncSession, job_id: uuid.UUID) -> Finished | None:
    """CAS running (lease expired, no attempts left) → dead; None if the job is not that."""
    row = (
        await session.execute(_BURY_LOST, {"job_id": job_id, "error": LOST_LAST_ATTEMPT})
    ).one_or_none()
    if row is None:
        return None
    return Finished(status=JobStatus.DEAD, outbox_written=bool(row.boxed))
