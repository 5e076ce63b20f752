"""One attempt of a job: the seam between the job actor and the executor."""

from __future__ import annotations

from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.errors import PolicyStateUnavailable, Problem
from orchestrator.core.jobs.claim_queries import ClaimedJob
from orchestrator.core.jobs.states import attempt_in_run
from orchestrator.core.jobs.stored_values import read_value
from orchestrator.core.observability.tracing import continued_span
from orchestrator.core.payloads.errors import PayloadStoreUnavailable
from orchestrator.worker.actors.job_context import JobResources

POLICY_STATE_RETRY_S = 1.0
"""How soon an attempt refused because Redis (the policy state) or the payload store is
away is tried again."""


async def execute_job_attempt(
    resources: JobResources, job: ClaimedJob
) -> tuple[AttemptResult, float | None]:
    """Run one attempt of ``job``: its result, and the delay before the next attempt (None:
    no further attempt), inside a ``job.attempt`` span of the trace that queued it."""
    with continued_span(
        "job.attempt",
        job.traceparent,
        {"job.id": str(job.id), "job.attempt": job.attempt, "job.connector": job.connector},
    ):
        return await _attempt(resources, job)


async def _attempt(resources: JobResources, job: ClaimedJob) -> tuple[AttemptResult, float | None]:
    try:
        payload = await read_value(job.payload, job.payload_ref, job.payload_ref_sha256)
        return await resources.execution.executor.attempt_job(
            job.tenant_id,
            job.connector,
            job.operation,
            payload,
            job_id=job.id,
            # A replayed job's policy counts from its replay (a fresh budget and backoff).
            attempts_made=attempt_in_run(job.attempt, job.attempts_before_replay) - 1,
        )
    except (PolicyStateUnavailable, PayloadStoreUnavailable) as exc:
        # Nothing was called: the next attempt comes soon (the payload store back, say).
        return AttemptResult(outcome="retryable", error=exc.code), POLICY_STATE_RETRY_S
    except Problem as exc:
        # The connector was removed or disabled, the payload no longer fits its schema,
        # a secret cannot be read, an address is refused: trying again will not help.
        return AttemptResult(outcome="failed", error=f"{exc.code}: {exc.detail}"), None
